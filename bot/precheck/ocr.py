"""Offline OCR with RapidOCR 3 + onnxruntime; the models ship inside the rapidocr wheel.

The engine is created lazily, once per process (each pre-check worker process keeps its own).
To stay inside the time budget on a 2-core machine we detect text lines on a reduced image, skip
the orientation classifier, and recognise at most ``MAX_LINES`` lines (the tallest ones, which
hold titles and field labels, plus an even sample of the rest).

OCR text is returned to the caller and never logged or stored: it may hold an ID number.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

DETECT_LONG_SIDE = 1280
MAX_LINES = 12
MAX_ASPECT = 14

_engine: Any = None
_engine_lock = threading.Lock()


@dataclass(frozen=True)
class OcrLine:
    text: str
    score: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 as shares of width/height (0..1)


@dataclass
class OcrReading:
    """Recognised lines (a sample of them when there are many) and how many lines were detected."""

    lines: list[OcrLine] = field(default_factory=list)
    detected: int = 0
    ms: int = 0
    det_score: float = 0.0  # mean text-detection confidence (script-independent)
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # every detected line

    def margins(self) -> dict[str, float]:
        """Distance from each frame edge to the nearest detected text line, as a share of the frame."""
        if not self.boxes:
            return {}
        return {
            "top": min(box[1] for box in self.boxes),
            "left": min(box[0] for box in self.boxes),
            "bottom": 1.0 - max(box[3] for box in self.boxes),
            "right": 1.0 - max(box[2] for box in self.boxes),
        }

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def legibility(self) -> float:
        """Character-weighted mean recognition confidence; 0 when nothing was read."""
        weights = [max(1, len(line.text.strip())) for line in self.lines]
        if not weights:
            return 0.0
        return float(np.average([line.score for line in self.lines], weights=weights))


def ocr_engine() -> Any:
    """The process-wide RapidOCR engine (created on first use; ~1 s)."""
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                from rapidocr import RapidOCR

                logging.getLogger("RapidOCR").setLevel(logging.ERROR)
                _engine = RapidOCR(
                    params={
                        "Global.log_level": "error",
                        "Global.use_cls": False,
                        "Global.text_score": 0.0,
                        "Global.max_side_len": DETECT_LONG_SIDE,
                    }
                )
    return _engine


def read_text(rgb: np.ndarray, max_lines: int = MAX_LINES) -> OcrReading:
    started = time.perf_counter()
    engine = ocr_engine()
    height, width = rgb.shape[:2]
    scale = min(1.0, DETECT_LONG_SIDE / max(height, width))
    image = rgb if scale == 1.0 else cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
    det = engine._load_det_model()(image)
    if det.boxes is None or len(det.boxes) == 0:
        return OcrReading(ms=_ms(started))
    boxes = np.asarray(det.boxes, dtype=np.float32)
    chosen = choose_lines(boxes, max_lines)
    crops = [_limit_width(crop) for crop in engine.crop_text_regions(image, boxes[chosen])]
    recognised = engine._load_rec_model()(_rec_input(crops))
    img_h, img_w = image.shape[:2]
    lines = []
    for box, text, score in zip(boxes[chosen], recognised.txts or (), recognised.scores or (), strict=False):
        if not str(text).strip():
            continue
        xs, ys = box[:, 0], box[:, 1]
        lines.append(
            OcrLine(
                str(text),
                float(score),
                (float(xs.min() / img_w), float(ys.min() / img_h), float(xs.max() / img_w), float(ys.max() / img_h)),
            )
        )
    lines.sort(key=lambda line: (round(line.box[1], 2), line.box[0]))
    all_boxes = [
        (float(b[:, 0].min() / img_w), float(b[:, 1].min() / img_h), float(b[:, 0].max() / img_w), float(b[:, 1].max() / img_h))
        for b in boxes
    ]
    det_score = float(np.mean(det.scores)) if det.scores is not None and len(det.scores) else 0.0
    return OcrReading(lines=lines, detected=len(boxes), ms=_ms(started), det_score=det_score, boxes=all_boxes)


def choose_lines(boxes: np.ndarray, max_lines: int) -> np.ndarray:
    """Indices of the tallest lines plus an even spread of the others, at most ``max_lines``."""
    count = len(boxes)
    if count <= max_lines:
        return np.arange(count)
    heights = boxes[:, :, 1].max(axis=1) - boxes[:, :, 1].min(axis=1)
    tallest = list(np.argsort(-heights)[: max_lines // 2])
    rest = [i for i in range(count) if i not in set(tallest)]
    step = len(rest) / (max_lines - len(tallest))
    spread = [rest[int(k * step)] for k in range(max_lines - len(tallest))]
    return np.array(sorted(tallest + spread))


def _limit_width(crop: np.ndarray, max_aspect: int = MAX_ASPECT) -> np.ndarray:
    """Keep the start of very long lines: recognition time grows with width, and the first
    two dozen characters are enough to judge legibility and find titles and field labels."""
    height, width = crop.shape[:2]
    return crop[:, : max_aspect * height] if width > max_aspect * height else crop


def _rec_input(crops: list[np.ndarray]) -> Any:
    from rapidocr.ch_ppocr_rec import TextRecInput

    return TextRecInput(img=crops, return_word_box=False)


def _ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)
