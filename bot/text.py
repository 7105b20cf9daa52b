"""Text hygiene: normalising user text for the NLU and masking personal numbers."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
_SPACES = re.compile(r"\s+")
_REPEATED_PUNCT = re.compile(r"([!?！？。，,.~～…])\1+")

# 18-digit resident ID (last char may be X), 15-digit legacy ID, mainland mobile numbers.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_OLD_ID_NUMBER = re.compile(r"(?<!\d)(\d{6})(\d{6})(\d{3})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")


@lru_cache(maxsize=1)
def _t2s():
    from opencc import OpenCC

    return OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional → Simplified characters."""
    return _t2s().convert(text) if text else text


def normalize_text(text: str, max_chars: int = 1000) -> str:
    """Make user text comparable: NFKC (full→half width), Traditional→Simplified,
    no control characters, collapsed whitespace and repeated punctuation."""
    text = unicodedata.normalize("NFKC", text)
    text = _CONTROL.sub(" ", text)
    text = _SPACES.sub(" ", text).strip()
    text = _REPEATED_PUNCT.sub(r"\1", text)
    if len(text) > max_chars:
        text = text[:max_chars]
    return to_simplified(text)


def mask_personal_numbers(text: str) -> str:
    """Hide ID-card and mobile numbers (keeps a few digits so support can still correlate)."""
    text = _ID_NUMBER.sub(lambda m: f"{m.group(1)[:3]}***********{m.group(3)[-1]}", text)
    text = _OLD_ID_NUMBER.sub(lambda m: f"{m.group(1)[:3]}************", text)
    text = _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return text


def contains_personal_number(text: str) -> bool:
    return bool(_ID_NUMBER.search(text) or _MOBILE.search(text))
