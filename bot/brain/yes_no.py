"""Reads short yes/no replies (「同意」「对滴」「不对」「Y」) without the model.

The reminder form asks 「对吗？」 and for consent; a reply the intent model misreads there fell to
the FAQ fallback and the user got unrelated topic buttons. The phrases people use are few and
fixed (knowledge/glossary/yes_no.yml), so an exact reading is more reliable than a classifier.
Rasa applies it after DIET (bot/brain/yes_no_reader.py); messages that are more than a yes or a
no (「不对，是3月6号」) are left to the model.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

import yaml

from bot.config import PROJECT_ROOT
from bot.text import to_simplified

Answer = Literal["affirm", "deny"]
LEXICON_FILE = PROJECT_ROOT / "knowledge" / "glossary" / "yes_no.yml"
MAX_CHARS = 20  # a longer message is a sentence, not a yes or a no

_SEPARATORS = re.compile(r"[,，、;；.。!！?？~～…\s]+")
_LEADING = re.compile(r"^[嗯哦噢喔唔恩]+(?=.)")
_TRAILING = re.compile(r"(?<=.)[啊呀吧呢哈啦嘛哦喔噢的滴哒哇]+$")
_REPEATS = re.compile(r"(.)\1+")


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Answer]:
    raw = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8")) or {}
    return {
        _canonical(str(p)): answer for answer in ("affirm", "deny") for p in raw.get(answer) or ()
    }


def _canonical(part: str) -> str:
    part = _REPEATS.sub(r"\1", part)  # 对对对 → 对, 嗯嗯 → 嗯 (before the particles go)
    return _LEADING.sub("", _TRAILING.sub("", part))


def _parts(text: str) -> list[str]:
    clean = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    return [p for p in _SEPARATORS.split(clean) if p]


def read_yes_no(text: str) -> Answer | None:
    """'affirm' or 'deny' when every part of ``text`` is a listed yes (or every part a no)."""
    if not text or len(text) > MAX_CHARS:
        return None
    parts = _parts(text)
    if not parts:
        return None
    answers = {_lexicon().get(_canonical(p)) for p in parts}
    if len(answers) != 1:
        return None
    return answers.pop()
