"""Questions about another city's 居住证 are out of scope: answer with the scope message, not a guess.

The model cannot know every city name, and a Shanghai answer to 「南昌居住证怎么办」 would be
confidently wrong; a list of places (knowledge/scope/other_places.yml) settles it before the NLU.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from bot.config import PROJECT_ROOT

PLACES_FILE = PROJECT_ROOT / "knowledge" / "scope" / "other_places.yml"


@lru_cache(maxsize=1)
def _pattern() -> tuple[re.Pattern[str], tuple[str, ...]]:
    doc = yaml.safe_load(PLACES_FILE.read_text(encoding="utf-8"))
    places = "|".join(map(re.escape, sorted(doc["places"], key=len, reverse=True)))
    permits = "|".join(map(re.escape, doc["permit_words"]))
    # the place must qualify the permit directly (「南昌居住证」「江苏省的居住证」), so a hometown
    # mentioned in passing (「我老家河南的，居住证怎么办」) does not count
    pattern = re.compile(rf"({places})(?:市|省)?(?:的)?(?:{permits})")
    return pattern, tuple(doc["shanghai_words"])


def other_place_named(text: str) -> str | None:
    """The non-Shanghai place a permit question is about, or None."""
    pattern, shanghai_words = _pattern()
    match = pattern.search(text)
    if match is None or any(w in text for w in shanghai_words):
        return None
    return match.group(1)
