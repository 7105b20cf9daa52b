"""Offer back a JPEG that fits the size limit of the kind, without dropping below its minimum size."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

QUALITIES = (90, 85, 80, 72, 65, 58, 50)


def fit_jpeg(rgb: np.ndarray, max_bytes: int, min_short_side: int = 0) -> bytes | None:
    """Largest-looking JPEG ≤ max_bytes: lower quality first, then shrink by 15% steps.

    Returns None when even the smallest allowed size does not fit.
    """
    image = Image.fromarray(rgb)
    while True:
        for quality in QUALITIES:
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=quality, optimize=True)
            if buffer.tell() <= max_bytes:
                return buffer.getvalue()
        width, height = image.size
        new_w, new_h = int(width * 0.85), int(height * 0.85)
        if min(new_w, new_h) < max(min_short_side, 64):
            return None
        image = image.resize((new_w, new_h), Image.Resampling.LANCZOS)
