"""Chinese glosses for the English words users mix into questions (knowledge/glossary).

「how to renew residence permit」 shares no character with the Chinese examples of the renewal
entry; with the glosses appended it does. Used by the local FAQ rankers and by Rasa's tokenizer
(bot/brain/glossing_tokenizer.py).
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from bot.config import PROJECT_ROOT

GLOSSARY_FILE = PROJECT_ROOT / "knowledge" / "glossary" / "english.yml"
_LATIN = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], dict[str, str]]:
    raw = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8")) or {}
    glossary = {str(k).lower(): str(v) for k, v in raw.items()}
    keys = sorted(glossary, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b", re.IGNORECASE)
    return pattern, glossary


def with_glosses(text: str) -> str:
    """``text`` followed by the Chinese glosses of the English words in it (unchanged if none)."""
    if not _LATIN.search(text):
        return text
    pattern, glossary = _pattern()
    glosses = [glossary[m.group(1).lower()] for m in pattern.finditer(text)]
    return f"{text} {' '.join(glosses)}" if glosses else text
