"""Hostile images through the photo pre-check: always a result, never an exception."""

from __future__ import annotations

import time

from tests.fuzz.checks import CJK
from tests.fuzz.corpus import hostile_images


def test_hostile_images_get_a_chinese_verdict_not_a_crash() -> None:
    from bot.precheck.api import check_image, render_result_zh

    crashes: list[str] = []
    slow: list[str] = []
    images = hostile_images()
    for name, data in images:
        for kind in (None, "id_front", "portrait"):
            started = time.monotonic()
            try:
                result = check_image(data, kind, filename=f"{name}.jpg", use_ocr=False)
                text = render_result_zh(result)
            except Exception as exc:  # noqa: BLE001 — that is what we count
                crashes.append(f"{name}/{kind}: {type(exc).__name__}: {exc}")
                continue
            if not (isinstance(text, str) and CJK.search(text)):
                crashes.append(f"{name}/{kind}: no Chinese verdict: {text!r}")
            if time.monotonic() - started > 15:
                slow.append(name)
    print(f"pre-check fuzz: {len(images) * 3} checks, {len(crashes)} crashes")
    assert not crashes, "\n".join(crashes)
    assert not slow, f"took > 15 s: {slow}"


async def test_hostile_images_through_the_async_pool_with_ocr() -> None:
    """The channel path (process pool, timeout, OCR on) survives the nastiest few."""
    from bot.precheck.api import check_image_async, render_result_zh

    chosen = {"png_bomb_4472x4472", "png_huge_header", "truncated_jpeg", "png_extreme_aspect", "cmyk_jpeg", "empty"}
    for name, data in hostile_images():
        if name in chosen:
            text = render_result_zh(await check_image_async(data, None))
            assert CJK.search(text), name
