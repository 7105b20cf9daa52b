"""Glosses for everyday Chinese wordings (knowledge/glossary/chinese.yml).

Users say 「送上门」「不上班」「刷一次」 where the FAQ examples say 邮寄, 没工作, 签注. With the
glossary's term appended, a question shares features with examples that use other words for the
same thing (5-fold CV over the NLU examples: linear classifier 0.746 → 0.778, BM25 0.638 → 0.693;
benchmarks/faq_classifier_cv.py). Used by the local FAQ rankers and by Rasa's tokenizer
(bot/brain/glossing_tokenizer.py), which adds the terms as extra tokens after the user's words.
"""

from __future__ import annotations

from functools import lru_cache

import yaml

from bot.config import PROJECT_ROOT

GLOSSARY_FILE = PROJECT_ROOT / "knowledge" / "glossary" / "chinese.yml"


@lru_cache(maxsize=1)
def _wordings() -> tuple[tuple[str, str], ...]:
    """(wording, term) pairs, longest wording first."""
    raw = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8")) or {}
    # the term itself counts too: every way of saying it then weighs the same
    pairs = {(str(w).lower(), str(term)) for term, wordings in raw.items() for w in (term, *(wordings or ()))}
    return tuple(sorted(pairs, key=lambda pair: (-len(pair[0]), pair)))


def with_synonyms(text: str) -> str:
    """``text`` followed by the glossary terms of the wordings in it (unchanged if none)."""
    lowered = text.lower()
    terms: list[str] = []
    for wording, term in _wordings():
        if wording in lowered and term not in terms:
            terms.append(term)
    return f"{text} {' '.join(terms)}" if terms else text
