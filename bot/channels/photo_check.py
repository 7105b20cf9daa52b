"""The photo pre-check as a chat turn: photo bytes (+ caption) in, the user's reply out.

Shared by the Telegram and console channels, so both say the same thing. The kind of document
comes from the caption (「身份证正面」「证件照」) or, without one, from the content. bot.precheck is
imported on the first photo: it brings OpenCV and NumPy into the process.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

CHECKING_TEXT = "正在检查…"
PRECHECK_FAILED_TEXT = "这张照片我没能检查完，请换一张再试。"


@dataclass(frozen=True)
class PrecheckOutcome:
    text: str
    compressed: bytes | None = None  # a copy within the size limit, when the photo was too large


def kind_from_caption(caption: str | None) -> str | None:
    """The kind a caption names; ``None`` (detect it) when there is none or it names nothing."""
    if not caption or not caption.strip():
        return None
    from bot.precheck.kinds import kind_for_caption

    return kind_for_caption(caption)


async def precheck_photo(data: bytes, filename: str, caption: str | None = None) -> PrecheckOutcome:
    """Check one photo off the event loop; never raises (a broken image still gets an answer)."""
    from bot.precheck.api import check_image_async, compressed_copy, render_result_zh

    kind = kind_from_caption(caption)
    try:
        result = await check_image_async(data, kind, filename)
        text = str(render_result_zh(result))
        compressed = None
        if any(issue.code == "too_large" for issue in result.issues):
            compressed = await asyncio.to_thread(compressed_copy, data, kind)
        return PrecheckOutcome(text, compressed)
    except Exception:  # noqa: BLE001 - a broken image must not cost the user an answer
        log.exception("photo pre-check failed for %s", filename)
        return PrecheckOutcome(PRECHECK_FAILED_TEXT)
