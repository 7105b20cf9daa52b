"""Typed words that mean /privacy, /mydata or /forget (「我的数据」「删除我的数据」「你们会保存照片吗」).

The menu offers these as commands, but people type them as words; the NLU has no such intents
and answered with FAQ topics. The phrases and patterns are data (knowledge/privacy/typed_commands.yml);
this module only reads a message against them, before the NLU.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import yaml

from bot.config import PROJECT_ROOT
from bot.text import to_simplified

PHRASES_FILE = PROJECT_ROOT / "knowledge" / "privacy" / "typed_commands.yml"
COMMANDS = ("forget", "mydata", "privacy")  # patterns are tried in this order: most specific first
MAX_CHARS = 60  # a longer message is a question about something else that mentions data

_NOT_WORD = re.compile(r"[\W_]+")
_POLITE_START = re.compile(r"^(请帮我|麻烦帮我|麻烦你|请你|我想要|帮我|麻烦|我想|我要|请)(?=..)")
_PARTICLES_END = re.compile(r"(?<=..)[吗嘛呢啊吧呀么]+$")


@dataclass(frozen=True)
class _Vocabulary:
    phrases: dict[str, str]
    patterns: tuple[tuple[str, re.Pattern[str]], ...]


def clean(text: str) -> str:
    """Lower case, Simplified, without spaces, punctuation, a polite start or trailing particles."""
    flat = _NOT_WORD.sub("", to_simplified(unicodedata.normalize("NFKC", text)).lower())
    return _PARTICLES_END.sub("", _POLITE_START.sub("", flat))


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    doc = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    phrases = {clean(str(p)): command for command in COMMANDS for p in doc[command]["phrases"]}
    patterns = tuple(
        (command, re.compile(str(p))) for command in COMMANDS for p in doc[command].get("patterns", ())
    )
    return _Vocabulary(phrases, patterns)


def typed_privacy_command(text: str) -> str | None:
    """``/forget``, ``/mydata`` or ``/privacy`` when ``text`` asks for it in words, else None."""
    if not text or len(text) > MAX_CHARS:
        return None
    words = clean(text)
    vocabulary = _vocabulary()
    command = vocabulary.phrases.get(words)
    if command is None:
        command = next((c for c, pattern in vocabulary.patterns if pattern.search(words)), None)
    return f"/{command}" if command else None
