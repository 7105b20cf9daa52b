"""Reads short fixed replies (「同意」「不对」「在吗」「辛苦了」「取消」「我的提醒」) without the model.

The reminder form asks 「对吗？」 and for consent; a reply the intent model misreads there fell to
the FAQ fallback and the user got unrelated topic buttons. The same happened to greetings, thanks
and the menu's own words typed out: DIET, trained on thousands of FAQ questions, is unsure of
two-character messages — 「在吗」 and 「我的提醒」 got FAQ topics, 「取消」 was read as goodbye. The
phrases people use for these are few and fixed (knowledge/glossary/short_replies.yml), so an exact
reading is more reliable than a classifier.
Rasa applies it after DIET (bot/brain/short_reply_reader.py); messages that are more than such a
reply (「不对，是3月6号」「你好，居住证怎么续签」) are left to the model.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import yaml

from bot.config import PROJECT_ROOT
from bot.text import to_simplified

LEXICON_FILE = PROJECT_ROOT / "knowledge" / "glossary" / "short_replies.yml"
MAX_CHARS = 20  # a longer message is a sentence, not a short reply

_SEPARATORS = re.compile(r"[,，、;；.。!！?？~～…]+")
_SPACES = re.compile(r"\s+")
_LEADING = re.compile(r"^[嗯哦噢喔唔恩]+(?=.)")
_TRAILING = re.compile(r"(?<=.)[啊呀吧呢哈啦嘛哦喔噢的滴哒哇]+$")
_REPEATS = re.compile(r"(.)\1+")
_REPEATED_PHRASE = re.compile(r"^(.+?)\1+$")


@lru_cache(maxsize=1)
def _raw_lexicon() -> dict[str, list[str]]:
    raw = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8")) or {}
    return {str(intent): [str(p) for p in phrases or ()] for intent, phrases in raw.items()}


def reply_intents() -> tuple[str, ...]:
    """The intents the word list can set."""
    return tuple(_raw_lexicon())


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, str]:
    return {
        _canonical(" ".join(p.lower().split())): intent
        for intent, phrases in _raw_lexicon().items()
        for p in phrases
    }


def _canonical(part: str) -> str:
    part = _REPEATED_PHRASE.sub(r"\1", part)  # 你好你好 → 你好
    part = _REPEATS.sub(r"\1", part)  # 对对对 → 对, 嗯嗯 → 嗯 (before the particles go)
    return _LEADING.sub("", _TRAILING.sub("", part))


def _parts(text: str) -> list[str]:
    clean = to_simplified(unicodedata.normalize("NFKC", text)).lower()
    return [" ".join(_SPACES.split(p.strip())) for p in _SEPARATORS.split(clean) if p.strip()]


def _read_part(part: str) -> str | None:
    """A listed phrase (「thank you」), else the same reading for each space-separated word."""
    lexicon = _lexicon()
    whole = lexicon.get(_canonical(part))
    if whole is not None or " " not in part:
        return whole
    return _combined({lexicon.get(_canonical(w)) for w in part.split(" ")})


def _combined(found: set[str | None]) -> str | None:
    """One intent for several replies: the same one throughout, or thanks and a goodbye
    (「谢谢，再见」「我去试试 谢谢」), which end the conversation: ``goodbye``."""
    if found == {"thank", "goodbye"}:
        return "goodbye"
    return found.pop() if len(found) == 1 else None


def read_short_reply(text: str) -> str | None:
    """The intent when every part of ``text`` is a listed reply of that intent (see ``_combined``)."""
    if not text or len(text) > MAX_CHARS:
        return None
    parts = _parts(text)
    if not parts:
        return None
    return _combined({_read_part(p) for p in parts})
