"""The photo pre-check as a chat turn: photo bytes (+ caption) in, the user's reply out.

Shared by the Telegram and console channels, so both say the same thing. The kind of document
comes from the caption (「身份证正面」「证件照」) or, without one, from the content. bot.precheck is
imported on the first photo: it brings OpenCV and NumPy into the process.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

CHECKING_TEXT = "正在检查…"
PRECHECK_FAILED_TEXT = "这张照片我没能检查完，请换一张再试。"


# After a photo sent without saying what it is, Telegram shows one button per kind; pressing one
# checks the same photo again (downloaded anew from Telegram, never kept) as that kind.
RECHECK_COMMAND = "/precheck_as"
PICK_KIND_TEXT = "想按某种材料的要求再查一遍？点下面选它是什么。"
CONSOLE_KIND_HINT = "（想按某种材料的要求检查，在路径后面写上是什么，比如「/photo 照片.jpg 身份证国徽面」。）"
PHOTO_GONE_TEXT = "找不到原来那张照片了，请重新发一次，并在照片下面写上是什么材料。"
KIND_BUTTON_TITLES = {
    "id_front": "身份证人像面",
    "id_back": "身份证国徽面",
    "portrait": "证件照",
    "rental_filing": "租房备案",
    "property_cert": "房产证",
    "dorm_cert": "宿舍证明",
    "contract": "劳动合同",
    "social_insurance": "社保记录",
    "business_license": "营业执照",
    "study_cert": "在读证明",
    "kinship": "户口簿/亲属证明",
}


@dataclass(frozen=True)
class PrecheckOutcome:
    text: str
    compressed: bytes | None = None  # a copy within the size limit, when the photo was too large
    pick_kind: bool = False  # checked without a stated kind: offer to check it again as one


def recheck_payload(kind: str) -> str:
    return RECHECK_COMMAND + json.dumps({"kind": kind}, separators=(",", ":"))


def kind_of_recheck(payload: str) -> str | None:
    """The kind a 「按这种材料再查」 button asks for; ``None`` for any other payload."""
    if not payload.startswith(RECHECK_COMMAND + "{"):
        return None
    try:
        kind = json.loads(payload[len(RECHECK_COMMAND) :]).get("kind")
    except (ValueError, AttributeError):
        return None
    return kind if kind in KIND_BUTTON_TITLES else None


def kind_from_caption(caption: str | None) -> str | None:
    """The kind a caption names; ``None`` (detect it) when there is none or it names nothing."""
    if not caption or not caption.strip():
        return None
    from bot.precheck.kinds import kind_for_caption

    return kind_for_caption(caption)


async def precheck_photo(
    data: bytes, filename: str, caption: str | None = None, kind: str | None = None
) -> PrecheckOutcome:
    """Check one photo off the event loop as ``kind``, else as its caption says, else as what its
    content looks like; never raises (a broken image still gets an answer)."""
    from bot.precheck.api import check_image_async, compressed_copy, render_result_zh

    kind = kind or kind_from_caption(caption)
    try:
        result = await check_image_async(data, kind, filename)
        text = str(render_result_zh(result))
        compressed = None
        if any(issue.code == "too_large" for issue in result.issues):
            compressed = await asyncio.to_thread(compressed_copy, data, kind)
        readable = not any(issue.code == "bad_format" for issue in result.issues)
        return PrecheckOutcome(text, compressed, pick_kind=kind is None and readable)
    except Exception:  # noqa: BLE001 - a broken image must not cost the user an answer
        log.exception("photo pre-check failed for %s", filename)
        return PrecheckOutcome(PRECHECK_FAILED_TEXT)
