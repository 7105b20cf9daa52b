"""Hostile and unusual files get a clear answer instead of a crash or a hang."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image

from bot.precheck.api import check_image
from bot.precheck.intake import decode_image, sniff_format

from .conftest import degraded_jpeg


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def huge_solid_png(side: int = 30000) -> bytes:
    """A valid 30000×30000 1-bit PNG of one colour: ~100 KB on disk, 900 megapixels decoded."""
    header = png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0))
    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (side + 7) // 8)
    body = b"".join(compressor.compress(row * 1000) for _ in range(side // 1000)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + header + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b"")


def encoded(image: Image.Image, fmt: str, **params: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def test_empty_file_is_explained():
    result = check_image(b"", "id_front", "empty.jpg")
    assert result.verdict == "reject"
    assert result.issues[0].code == "bad_format"
    assert result.issues[0].value == "empty"
    assert "0 字节" in result.issues[0].message


def test_truncated_jpeg_is_reported_as_damaged():
    data = degraded_jpeg("id_front", "clean", "")
    result = check_image(data[: len(data) // 2], "id_front", "cut.jpg")
    assert result.verdict == "reject"
    assert result.issues[0].code == "bad_format"
    assert result.issues[0].value == "corrupt"
    assert "损坏" in result.issues[0].message


def test_giant_png_is_refused_from_its_header_without_decoding():
    data = huge_solid_png()
    assert len(data) < 1_000_000
    result = check_image(data, "contract", "bomb.png")
    assert result.verdict == "reject"
    assert result.codes == ["too_large"]
    assert result.issues[0].value == "30000x30000"
    assert "30000×30000" in result.issues[0].message
    assert result.ms < 2000  # refused before any pixel is decoded


def test_zip_renamed_to_jpg_is_recognised_by_its_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photo.jpg", b"not really")
    result = check_image(buffer.getvalue(), None, "photo.jpg")
    assert result.codes == ["bad_format"]
    assert result.issues[0].value == "zip"
    assert "压缩包" in result.issues[0].message


@pytest.mark.parametrize(
    ("data", "value", "hint"),
    [
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "heic", "HEIC"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "pdf", "PDF"),
        (b"hello, this is text", "unknown", "无法识别"),
    ],
)
def test_formats_the_upload_does_not_take_are_explained(data: bytes, value: str, hint: str):
    result = check_image(data, "id_front", "x.jpg")
    assert result.verdict == "reject"
    assert result.issues[0].code == "bad_format"
    assert result.issues[0].value == value
    assert hint in result.issues[0].message


def test_animated_gif_is_refused():
    frames = [Image.new("RGB", (200, 120), colour) for colour in ("white", "black")]
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    assert sniff_format(data) == "gif"
    result = check_image(data, None, "anim.gif")
    assert result.codes == ["bad_format"]
    assert result.issues[0].value == "gif_animated"
    assert "动图" in result.issues[0].message


def test_webp_is_rejected_but_its_content_is_still_checked():
    rgb = np.asarray(Image.open(io.BytesIO(degraded_jpeg("contract", "clean", ""))))
    data = encoded(Image.fromarray(rgb), "WEBP", quality=90)
    result = check_image(data, "contract", "page.webp", use_ocr=False)
    assert result.issues[0].code == "bad_format"
    assert result.issues[0].value == "webp"
    assert "JPG" in result.issues[0].message
    assert not result.has("blurry")


def test_cmyk_jpeg_is_converted_and_flagged():
    rgb = Image.open(io.BytesIO(degraded_jpeg("contract", "clean", "")))
    data = encoded(rgb.convert("CMYK"), "JPEG", quality=92)
    decoded = decode_image(data)
    assert "cmyk" in decoded.notes
    assert decoded.rgb.shape[2] == 3 and decoded.rgb.dtype == np.uint8
    result = check_image(data, "contract", "cmyk.jpg", use_ocr=False)
    assert result.has("bad_format")
    assert result.issues[0].severity == "warn"
    assert "CMYK" in result.issues[0].message


def test_sixteen_bit_png_is_scaled_to_eight_bits_and_flagged():
    ramp = (np.linspace(0, 65535, 900 * 700).reshape(700, 900)).astype(np.uint16)
    data = encoded(Image.fromarray(ramp), "PNG")
    assert data[24] == 16
    decoded = decode_image(data)
    assert "16bit" in decoded.notes
    assert decoded.rgb.dtype == np.uint8 and decoded.rgb.max() >= 250 and decoded.rgb.min() <= 5
    result = check_image(data, "other", "deep.png", use_ocr=False)
    assert any(issue.code == "bad_format" and issue.value == "16bit" for issue in result.issues)


def test_exif_rotation_is_applied_before_checking():
    upright = Image.open(io.BytesIO(degraded_jpeg("id_front", "clean", "")))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what a sideways phone stores
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    data = encoded(stored, "JPEG", quality=92, exif=exif.tobytes())
    decoded = decode_image(data)
    assert "exif_rotated" in decoded.notes
    assert (decoded.width, decoded.height) == upright.size
    result = check_image(data, "id_front", "sideways.jpg")
    assert result.document.type == "id_front"
    assert result.verdict != "reject", result.to_json()


def test_transparent_png_is_flattened_onto_white():
    image = Image.new("RGBA", (800, 600), (0, 0, 0, 0))
    decoded = decode_image(encoded(image, "PNG"))
    assert decoded.rgb.min() == 255


def test_low_resolution_is_reported_with_the_short_side():
    small = Image.open(io.BytesIO(degraded_jpeg("id_front", "clean", ""))).resize((400, 300))
    result = check_image(encoded(small, "JPEG", quality=90), "id_front", "small.jpg", use_ocr=False)
    issue = next(issue for issue in result.issues if issue.code == "low_resolution")
    assert issue.value == 300
    assert "300" in issue.message
