"""Is the whole document in the frame? Outline of the paper and text cut by the frame edge.

Most real phone photos show no clean page outline (the page fills the frame, or lies on a paper
stack), so "no outline found" proves nothing. We look for positive evidence instead:
- ink (text strokes) on paper that runs into the frame edge — the content continues outside;
- for cards, the bright card region touching the frame edge (a card photo must show all corners).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cv2
import numpy as np

WORK_LONG_SIDE = 800
SIDES = ("top", "right", "bottom", "left")


@dataclass(frozen=True)
class Outline:
    """The largest bright region (paper/card): its share of the frame and the sides it touches."""

    found: bool
    area_share: float = 0.0
    touches: dict[str, float] = field(default_factory=dict)  # side -> share of that side touched
    quad: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class BorderInk:
    """Per side: how many separate ink strokes run into the frame edge, and their share of it."""

    runs: dict[str, int]
    share: dict[str, float]

    def cut_sides(self, min_runs: int = 4, min_share: float = 0.025) -> list[str]:
        return [side for side in SIDES if self.runs[side] >= min_runs and self.share[side] >= min_share]


def _work(gray: np.ndarray) -> np.ndarray:
    height, width = gray.shape
    scale = WORK_LONG_SIDE / max(height, width)
    if scale < 1:
        gray = cv2.resize(gray, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
    return gray


def _edges(mask: np.ndarray, depth: int = 2) -> dict[str, Any]:
    return {
        "top": mask[:depth, :].any(axis=0),
        "bottom": mask[-depth:, :].any(axis=0),
        "left": mask[:, :depth].any(axis=1),
        "right": mask[:, -depth:].any(axis=1),
    }


def find_outline(gray: np.ndarray) -> Outline:
    small = _work(gray)
    blurred = cv2.GaussianBlur(small, (0, 0), 2.0)
    _, mask = cv2.threshold(blurred, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((9, 9), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    if count <= 1:
        return Outline(found=False)
    largest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    region = (labels == largest).astype(np.uint8)
    share = float(stats[largest, cv2.CC_STAT_AREA]) / region.size
    if share < 0.08 or share > 0.97:
        return Outline(found=False, area_share=share)
    touches = {side: float(edge.mean()) for side, edge in _edges(region).items()}
    contours, _ = cv2.findContours(region, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    hull = cv2.convexHull(max(contours, key=cv2.contourArea))
    approx = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    quad = tuple((int(x), int(y)) for x, y in approx.reshape(-1, 2)) if len(approx) == 4 else ()
    return Outline(found=True, area_share=share, touches=touches, quad=quad)


def border_ink(gray: np.ndarray) -> BorderInk:
    """Dark strokes on a light local background that reach the outermost pixels of the frame."""
    small = _work(gray)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    background = cv2.medianBlur(background, 5)
    bg = background.astype(np.int16)
    # ink only counts on paper: a background near the brightest part of the photo, not the desk
    paper_floor = max(110, int(np.percentile(background, 90) * 0.75))
    dark = (bg - small.astype(np.int16) >= np.maximum(30, bg // 5)) & (bg >= paper_floor)
    ink = cv2.morphologyEx(dark.astype(np.uint8), cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    runs: dict[str, int] = {}
    shares: dict[str, float] = {}
    for side, edge in _edges(ink, depth=3).items():
        shares[side] = float(edge.mean())
        padded = np.concatenate([[0], edge.astype(np.int8), [0]])
        starts = np.flatnonzero(np.diff(padded) == 1)
        ends = np.flatnonzero(np.diff(padded) == -1)
        # strokes of text are short; a long run is a table rule or a shadow along the edge
        runs[side] = int(np.sum((ends - starts) <= max(12, edge.size // 25)))
    return BorderInk(runs=runs, share=shares)
