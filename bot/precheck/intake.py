"""Turning uploaded bytes into a safe, upright 8-bit RGB array for the checks.

The real format comes from the bytes (a ``.jpg`` name means nothing). Image size is read from the
header and capped BEFORE any pixel is decoded, so a decompression bomb costs nothing. Large JPEGs
are decoded at a reduced DCT scale (Pillow's draft mode): checks run at ~2000 px anyway, and a
12-megapixel photo then decodes in a few tens of milliseconds. Nothing is written to disk.
"""

from __future__ import annotations

import io
import os
import warnings
from dataclasses import dataclass, field

import numpy as np
from PIL import Image, ImageOps

from bot.precheck.messages import make_issue
from bot.precheck.result import Issue

ACCEPTED_FORMATS = frozenset({"jpeg", "png"})
# Formats Pillow can decode, so the content can still be checked before we ask for a conversion.
DECODABLE_FORMATS = frozenset({"jpeg", "png", "webp", "gif", "bmp", "tiff"})

ANALYSIS_LONG_SIDE = 2000
# Below Pillow's own hard limit (2 × Image.MAX_IMAGE_PIXELS ≈ 179 MP), which stays in force.
HEADER_PIXEL_CAP = int(os.environ.get("PRECHECK_MAX_PIXELS", 120_000_000))
DECODED_PIXEL_CAP = 40_000_000


class IntakeError(Exception):
    """The file cannot be checked at all; ``issue`` tells the user why and what to do."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.code)
        self.issue = issue


@dataclass
class DecodedImage:
    """An upright RGB array (long side ≤ ANALYSIS_LONG_SIDE) plus facts about the original file."""

    rgb: np.ndarray
    format: str
    width: int
    height: int
    notes: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)


def sniff_format(data: bytes) -> str:
    """The file type from its magic bytes: jpeg, png, heic, webp, gif, bmp, tiff, pdf, zip, empty, unknown."""
    if not data:
        return "empty"
    head = data[:32]
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}:
            return "heic"
        return "unknown"  # mp4/mov and friends
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"BM"):
        return "bmp"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    if head.lstrip().startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")):
        return "zip"
    return "unknown"


def png_bit_depth(data: bytes) -> int:
    """Bit depth from the PNG IHDR chunk (Pillow silently reduces 16-bit RGB to 8 bits)."""
    return data[24] if len(data) > 25 and data[12:16] == b"IHDR" else 8


def png_size(data: bytes) -> tuple[int, int] | None:
    if len(data) < 24 or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def decode_image(data: bytes, analysis_size: bool = True) -> DecodedImage:
    """Decode safely or raise IntakeError with a user-facing issue.

    With ``analysis_size`` the array is at most ANALYSIS_LONG_SIDE pixels long (fast JPEG draft
    decoding); without it the full resolution is kept (for re-encoding a smaller copy).
    """
    fmt = sniff_format(data)
    if fmt not in DECODABLE_FORMATS:
        raise IntakeError(make_issue("bad_format", "reject", fmt, variant=fmt))

    issues: list[Issue] = []
    if fmt not in ACCEPTED_FORMATS:
        variant = fmt
        if fmt == "gif":
            variant = "gif_static"
        issues.append(make_issue("bad_format", "reject", fmt, variant=variant))

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we apply our own cap
            image = Image.open(io.BytesIO(data))
            width, height = image.size
    except Image.DecompressionBombError:
        size = png_size(data) if fmt == "png" else None
        shown = f"{size[0]}×{size[1]}" if size else "超出上限"
        value = f"{size[0]}x{size[1]}" if size else "pixels"
        raise IntakeError(make_issue("too_large", "reject", value, variant="pixels", pixels=shown)) from None
    except Exception:
        raise IntakeError(make_issue("bad_format", "reject", "corrupt", variant="corrupt")) from None

    if width * height > HEADER_PIXEL_CAP or width <= 0 or height <= 0:
        raise IntakeError(
            make_issue("too_large", "reject", f"{width}x{height}", variant="pixels", pixels=f"{width}×{height}")
        )
    if fmt == "gif" and getattr(image, "is_animated", False):
        raise IntakeError(make_issue("bad_format", "reject", "gif_animated", variant="gif"))

    notes: list[str] = []
    if analysis_size and fmt == "jpeg" and max(width, height) > ANALYSIS_LONG_SIDE:
        scale = ANALYSIS_LONG_SIDE / max(width, height)
        image.draft("RGB", (max(1, int(width * scale)), max(1, int(height * scale))))
    decoded_w, decoded_h = image.size
    if decoded_w * decoded_h > DECODED_PIXEL_CAP:
        raise IntakeError(
            make_issue("too_large", "reject", f"{width}x{height}", variant="pixels", pixels=f"{width}×{height}")
        )

    try:
        image.load()
        oriented = ImageOps.exif_transpose(image)
    except Exception:
        raise IntakeError(make_issue("bad_format", "reject", "corrupt", variant="corrupt")) from None
    if oriented is not image:
        notes.append("exif_rotated")
        if oriented.size != image.size:
            width, height = height, width
    image = oriented  # type: ignore[assignment]

    if image.mode == "CMYK":
        notes.append("cmyk")
        issues.append(make_issue("bad_format", "warn", "cmyk", variant="cmyk"))
    sixteen_bit = image.mode in {"I;16", "I;16B", "I;16L", "I", "F"} or (fmt == "png" and png_bit_depth(data) == 16)
    if sixteen_bit:
        notes.append("16bit")
        issues.append(make_issue("bad_format", "warn", "16bit", variant="16bit"))

    rgb = to_rgb_array(image)
    if analysis_size and max(rgb.shape[:2]) > ANALYSIS_LONG_SIDE:
        rgb = resize_long_side(rgb, ANALYSIS_LONG_SIDE)
    return DecodedImage(rgb=rgb, format=fmt, width=width, height=height, notes=notes, issues=issues)


def to_rgb_array(image: Image.Image) -> np.ndarray:
    """8-bit RGB whatever the mode; transparency is flattened onto white like a viewer would."""
    mode = image.mode
    if mode in {"I;16", "I;16B", "I;16L", "I", "F"}:
        values = np.asarray(image, dtype=np.float64)
        top = 65535.0 if values.max(initial=0) > 255 else 255.0
        gray = np.clip(values / top * 255.0, 0, 255).astype(np.uint8)
        return np.stack([gray] * 3, axis=-1)
    if mode in {"P", "PA"}:
        image = image.convert("RGBA")
        mode = "RGBA"
    if mode in {"RGBA", "LA", "RGBa", "La"}:
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return np.asarray(canvas)
    return np.asarray(image.convert("RGB"))


def resize_long_side(rgb: np.ndarray, long_side: int) -> np.ndarray:
    import cv2

    height, width = rgb.shape[:2]
    scale = long_side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
