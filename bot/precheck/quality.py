"""Image-quality measurements: sharpness over content tiles, glare, exposure.

Why tiles: whole-frame Laplacian variance calls a sharp blank page blurry and a page of small,
smeared text sharp. We measure the edge steepness only where there is content (tiles with enough
contrast) and normalise it by the local contrast, which estimates the edge width — the quantity
that makes text legible — independently of how much text or how much contrast there is.

Motion blur (the phone moved during the shot) smears edges along one direction only; edges across
that direction stay crisp, so the gradient magnitude hardly drops. We therefore also measure the
steepness of the directional derivative along several directions and keep the softest one. A
straight-line smear of length L limits the derivative along its path to contrast / L for every
edge, whatever the edge's orientation, while sharp text (strokes and curves in many orientations)
has steep edges along every direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

TILE = 48
STEEPEST = 99.5  # percentile of the gradient in a tile taken as its steepest edge
# directions for the directional steepness: 22.5° apart, so an edge is never more than 11.25° off
DIRECTIONS = np.deg2rad(np.arange(0.0, 180.0, 22.5)).astype(np.float32)
WORK_LONG_SIDE = 1600
GLARE_LONG_SIDE = 640
GLARE_TILE = 16
GLARE_MARGIN = 14
GLARE_PEAK = 232  # a tile this bright is clipped highlight
GLARE_PEAK_OVER_PAPER = 20  # ... or this much brighter than the paper under the text
GLARE_WASHOUT = 0.75  # text contrast inside the blob vs elsewhere (glare washes text out)


@dataclass(frozen=True)
class QualityMeasures:
    sharpness: float  # median normalised edge steepness over content tiles (≈ 1/edge width)
    sharp_top: float  # 80th percentile of the same (the sharpest parts of the photo)
    sharp_direction: float  # the same along the softest direction (≈ 1/smear length; motion blur)
    content_tiles: int
    content_share: float
    glare_share: float  # share of the document area covered by glare blobs
    glare_blobs: int
    dark_level: float  # 97th percentile of brightness (how bright the brightest paper is)
    bright_floor: float  # 2nd percentile (how dark the darkest ink is)
    contrast: float  # p99 - p1
    mean: float


def to_work_gray(rgb: np.ndarray) -> np.ndarray:
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    height, width = gray.shape
    scale = WORK_LONG_SIDE / max(height, width)
    if scale < 1:
        gray = cv2.resize(gray, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
    return gray


def measure_quality(rgb: np.ndarray, gray: np.ndarray | None = None) -> QualityMeasures:
    gray = to_work_gray(rgb) if gray is None else gray
    sharp = tile_sharpness(gray)
    glare_share, blobs = glare_measure(rgb, gray)
    p1, p2, p97, p99 = np.percentile(gray[::2, ::2], (1, 2, 97, 99))
    return QualityMeasures(
        sharpness=sharp.median,
        sharp_top=sharp.top,
        sharp_direction=sharp.direction,
        content_tiles=sharp.tiles,
        content_share=sharp.share,
        glare_share=glare_share,
        glare_blobs=blobs,
        dark_level=float(p97),
        bright_floor=float(p2),
        contrast=float(p99 - p1),
        mean=float(gray.mean()),
    )


def _tile_view(array: np.ndarray, tile: int) -> np.ndarray:
    rows, cols = array.shape[0] // tile, array.shape[1] // tile
    return array[: rows * tile, : cols * tile].reshape(rows, tile, cols, tile).swapaxes(1, 2)


@dataclass(frozen=True)
class TileSharpness:
    median: float = 0.0
    top: float = 0.0
    direction: float = 0.0  # median over content tiles along the softest of DIRECTIONS
    tiles: int = 0
    share: float = 0.0


def tile_sharpness(gray: np.ndarray) -> TileSharpness:
    """Max-gradient / local contrast over tiles that hold content: overall and along the softest direction."""
    smooth = cv2.GaussianBlur(gray, (3, 3), 0.6).astype(np.float32)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3, scale=1 / 8)  # grey levels per pixel
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3, scale=1 / 8)
    magnitude = cv2.magnitude(gx, gy)
    tiles = _tile_view(smooth, TILE)
    grads = _tile_view(magnitude, TILE)
    if tiles.size == 0:
        return TileSharpness()
    flat = tiles.reshape(tiles.shape[0], tiles.shape[1], -1)
    low = np.percentile(flat, 3, axis=2)
    high = np.percentile(flat, 97, axis=2)
    contrast = high - low
    steepest = np.percentile(grads.reshape(flat.shape), STEEPEST, axis=2)
    content = contrast >= 40
    count = int(content.sum())
    share = count / contrast.size
    if count < 4:
        return TileSharpness(tiles=count, share=share)
    ratios = steepest[content] / contrast[content]
    content_gx = _tile_view(gx, TILE).reshape(flat.shape)[content]
    content_gy = _tile_view(gy, TILE).reshape(flat.shape)[content]
    direction = softest_direction(content_gx, content_gy, contrast[content])
    median, top = float(np.median(ratios)), float(np.percentile(ratios, 80))
    return TileSharpness(median, top, direction, count, share)


def softest_direction(gx: np.ndarray, gy: np.ndarray, contrast: np.ndarray) -> float:
    """Min over DIRECTIONS of the median (over tiles) steepest directional derivative / contrast.

    ``gx``/``gy``: (tiles, pixels) gradients of the content tiles; ``contrast``: (tiles,).
    """
    cos, sin = np.cos(DIRECTIONS)[:, None, None], np.sin(DIRECTIONS)[:, None, None]
    along = np.abs(cos * gx[None] + sin * gy[None])
    k = round(STEEPEST / 100 * (along.shape[2] - 1))
    steepest = np.partition(along, k, axis=2)[..., k]
    return float(np.median(steepest / contrast[None], axis=1).min())


def glare_measure(rgb: np.ndarray, gray: np.ndarray) -> tuple[float, int]:
    """Share of the frame covered by glare, and the number of glare blobs.

    Glare = whitish tiles clearly brighter than the paper under the text AND brighter than the
    tiles a few steps away in every direction (a hotspot, not a page edge or a lighting
    gradient), grown into the surrounding washed-out area. A page that is simply white (a scan,
    a bright exposure) is no brighter than its own paper, so it does not count.
    """
    height, width = rgb.shape[:2]
    scale = min(1.0, GLARE_LONG_SIDE / max(height, width))
    small = cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))), interpolation=cv2.INTER_AREA)
    hsv = cv2.cvtColor(small, cv2.COLOR_RGB2HSV)
    value = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY).astype(np.float32)
    tiles_v = _tile_view(value, GLARE_TILE)
    if tiles_v.size == 0:
        return 0.0, 0
    flat_v = tiles_v.reshape(tiles_v.shape[0], tiles_v.shape[1], -1)
    mean_v = flat_v.mean(axis=2)
    mean_s = _tile_view(hsv[..., 1].astype(np.float32), GLARE_TILE).reshape(flat_v.shape).mean(axis=2)
    low, high = np.percentile(flat_v, (5, 95), axis=2)
    content = (high - low) >= 40
    paper = float(np.median(np.percentile(flat_v[content], 75, axis=1))) if content.sum() >= 4 else float(np.median(mean_v))
    whitish = (mean_v >= 185) & (mean_s <= 60) & (mean_v >= paper + GLARE_MARGIN)
    seeds = whitish & _hotspot(mean_v)
    if not seeds.any():
        return 0.0, 0
    count, labels = cv2.connectedComponents(whitish.astype(np.uint8), connectivity=4)
    seeded = set(np.unique(labels[seeds])) - {0}
    glare = np.isin(labels, list(seeded))
    blobs = 0
    area = 0
    spread = high - low
    for label in seeded:
        blob = labels == label
        size = int(blob.sum())
        peak = float(mean_v[blob].max())
        if size < 2 or (peak < GLARE_PEAK and peak < paper + GLARE_PEAK_OVER_PAPER):
            continue
        # glare washes the text out; a brightly lit but legible area keeps its contrast
        outside = content & ~blob
        reference = float(np.median(spread[outside])) if outside.sum() >= 4 else 80.0
        if float(np.median(spread[blob])) <= GLARE_WASHOUT * reference:
            blobs += 1
            area += size
    return area / glare.size, blobs


def _hotspot(mean_v: np.ndarray) -> np.ndarray:
    """Tiles brighter by GLARE_MARGIN than the tiles ``d`` steps away in every in-frame direction."""
    rows, cols = mean_v.shape
    result = np.zeros_like(mean_v, dtype=bool)
    for distance in (2, 4, 7):
        brighter = np.ones_like(result)
        available = np.zeros(mean_v.shape, dtype=np.int8)
        padded = np.pad(mean_v, distance, constant_values=np.nan)
        for dy, dx in ((-distance, 0), (distance, 0), (0, -distance), (0, distance)):
            neighbour = padded[distance + dy : distance + dy + rows, distance + dx : distance + dx + cols]
            inside = ~np.isnan(neighbour)
            available += inside
            brighter &= ~inside | (mean_v - np.nan_to_num(neighbour) >= GLARE_MARGIN)
        result |= brighter & (available >= 2)
    return result


def _fill_holes(mask: np.ndarray) -> np.ndarray:
    padded = np.pad(mask, 1, constant_values=0)
    flood = padded.copy()
    cv2.floodFill(flood, None, (0, 0), 1)
    holes = 1 - flood
    return (padded | holes)[1:-1, 1:-1].astype(np.uint8)
