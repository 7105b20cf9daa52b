"""ID-photo checks: one frontal face of the right size in front of a plain white (or blue) wall.

Faces are found with OpenCV's Haar cascades, which opencv-python-headless 4.x ships in
``cv2.data.haarcascades`` (5.x no longer does; the dependency is pinned below 5).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import cv2
import numpy as np

from bot.precheck.messages import make_issue
from bot.precheck.result import Issue

_cascade: cv2.CascadeClassifier | None = None
_lock = threading.Lock()
WORK_LONG_SIDE = 640
# Width of the detected face box / photo width. The head should fill about 2/3 of an ID photo,
# which puts the face box at 0.5-0.8 of the width.
FACE_RATIO_REJECT = 0.22
FACE_RATIO_WARN = 0.40


@dataclass(frozen=True)
class Face:
    x: int
    y: int
    w: int
    h: int


@dataclass(frozen=True)
class PortraitMeasures:
    faces: list[Face]
    width: int
    height: int
    face_ratio: float  # width of the largest face / image width
    background_spread: float  # robust spread of background colour (0 = flat)
    background_colour: str  # white, blue, other, unknown


def face_cascade() -> cv2.CascadeClassifier:
    global _cascade
    if _cascade is None:
        with _lock:
            if _cascade is None:
                path = cv2.data.haarcascades + "haarcascade_frontalface_alt2.xml"  # type: ignore[attr-defined]
                cascade = cv2.CascadeClassifier(path)
                if cascade.empty():
                    raise RuntimeError(f"cannot load the Haar cascade {path}")
                _cascade = cascade
    return _cascade


def detect_faces(rgb: np.ndarray) -> tuple[list[Face], np.ndarray]:
    """Faces in a copy scaled to ≤ 640 px (returned too); tiny side detections are dropped."""
    height, width = rgb.shape[:2]
    scale = min(1.0, WORK_LONG_SIDE / max(height, width))
    small = cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    # local (CLAHE) rather than global equalisation: a face on a big white wall keeps its features
    gray = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))
    min_side = max(24, int(min(gray.shape) * 0.06))
    found = face_cascade().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=4, minSize=(min_side, min_side))
    faces = [Face(int(x), int(y), int(w), int(h)) for x, y, w, h in found]
    if faces:
        largest = max(face.w for face in faces)
        faces = [face for face in faces if face.w >= 0.4 * largest]
    return sorted(faces, key=lambda face: -face.w), small


def measure_portrait(rgb: np.ndarray) -> PortraitMeasures:
    faces, small = detect_faces(rgb)
    height, width = small.shape[:2]
    ratio = faces[0].w / width if faces else 0.0
    spread, colour = background_of(small, faces[0] if faces else None)
    return PortraitMeasures(faces, width, height, ratio, spread, colour)


def background_of(rgb: np.ndarray, face: Face | None) -> tuple[float, str]:
    """Spread and colour name of the wall, sampled in the two upper corners beside the head."""
    height, width = rgb.shape[:2]
    mask = np.zeros((height, width), bool)
    mask[: max(3, height // 20), :] = True
    if face is None:
        mask[: height // 2, : width // 8] = True
        mask[: height // 2, -(width // 8) :] = True
    else:  # beside the head, above the shoulders
        left, right = int(face.x - 0.15 * face.w), int(face.x + 1.15 * face.w)
        bottom = min(height, int(face.y + 0.6 * face.h))
        if left > 2:
            mask[:bottom, :left] = True
        if right < width - 2:
            mask[:bottom, right:] = True
    pixels = rgb[mask].astype(np.float32)
    if len(pixels) < 50:
        return 0.0, "unknown"
    median = np.median(pixels, axis=0)
    deviation = np.abs(pixels - median).sum(axis=1)
    spread = float(np.median(deviation)) + float(np.percentile(deviation, 75)) / 4
    hsv = cv2.cvtColor(median.reshape(1, 1, 3).astype(np.uint8), cv2.COLOR_RGB2HSV)[0, 0]
    hue, saturation, value = int(hsv[0]), int(hsv[1]), int(hsv[2])
    if value >= 215 and saturation <= 30:
        colour = "white"
    elif 95 <= hue <= 130 and saturation >= 70 and value >= 90:
        colour = "blue"
    else:
        colour = "other"
    return spread, colour


def portrait_issues(measures: PortraitMeasures) -> list[Issue]:
    issues: list[Issue] = []
    if not measures.faces:
        issues.append(make_issue("face_missing", "reject", 0))
    elif len(measures.faces) > 1:
        issues.append(make_issue("multiple_faces", "reject", len(measures.faces), count=len(measures.faces)))
    if measures.faces:
        ratio = measures.face_ratio
        shown = f"{ratio:.0%}"
        if ratio < FACE_RATIO_REJECT:
            issues.append(make_issue("face_size", "reject", round(ratio, 3), variant="small", ratio=shown))
        elif ratio < FACE_RATIO_WARN:
            issues.append(make_issue("face_size", "warn", round(ratio, 3), variant="small", ratio=shown))
        elif ratio > 0.88:
            issues.append(make_issue("face_size", "warn", round(ratio, 3), variant="large", ratio=shown))
    if measures.background_spread > 40:
        issues.append(make_issue("background", "reject", round(measures.background_spread, 1)))
    elif measures.background_colour == "blue":
        issues.append(make_issue("background", "warn", "blue", variant="blue"))
    elif measures.background_colour == "other":
        issues.append(make_issue("background", "reject", "other", variant="color"))
    return issues
