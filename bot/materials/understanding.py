"""Free-text answers to the materials questions → slot values.

Rasa's entities and synonyms are the first pass; this is the second, used by the form's
validate action when Rasa extracted nothing: 「我跟老公住他买的房子」 → ``relative_own``.
Keyword lists live in knowledge/materials/understanding.yml. Keywords of two or more
characters match as substrings; one-character keywords (租, 是, 我) must be whole jieba tokens,
which keeps 「租」 from matching inside unrelated words.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.materials.rules import (
    ELIGIBILITY_MONTHS,
    MATERIALS_DIR,
    SLOT_PREFIX,
    MaterialsKnowledge,
    add_months,
    default_materials,
)
from bot.text import normalize_text

UNDERSTANDING_FILE = MATERIALS_DIR / "understanding.yml"


@dataclass(frozen=True)
class Decision:
    features: tuple[str, ...]
    value: str | None


@dataclass(frozen=True)
class SlotVocabulary:
    features: Mapping[str, tuple[str, ...]]
    overrides: tuple[tuple[tuple[str, ...], str], ...]
    decisions: tuple[Decision, ...]
    clarifications: tuple[tuple[tuple[str, ...], str], ...]


def _load_vocabulary(path: Path) -> dict[str, SlotVocabulary]:
    with path.open(encoding="utf-8") as handle:
        raw: dict[str, Any] = yaml.safe_load(handle)["slots"]
    vocab: dict[str, SlotVocabulary] = {}
    for slot, spec in raw.items():
        features = {name: tuple(str(k) for k in words) for name, words in spec["features"].items()}
        for entry in spec["decide"]:
            unknown = set(entry["all"]) - set(features)
            if unknown:
                raise ValueError(f"understanding.yml {slot}: unknown features {unknown}")
        vocab[slot] = SlotVocabulary(
            features=features,
            overrides=tuple(
                (tuple(str(p) for p in o["phrases"]), str(o["value"]))
                for o in spec.get("overrides") or ()
            ),
            decisions=tuple(
                Decision(tuple(d["all"]), None if d["value"] is None else str(d["value"]))
                for d in spec["decide"]
            ),
            clarifications=tuple(
                (tuple(c["all"]), str(c["prompt"])) for c in spec.get("clarify") or ()
            ),
        )
    return vocab


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, SlotVocabulary]:
    return _load_vocabulary(UNDERSTANDING_FILE)


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    """A private jieba instance that knows every keyword as a word."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    for spec in vocabulary().values():
        for words in spec.features.values():
            for word in words:
                if len(word) > 1:
                    tokenizer.add_word(word, freq=2000)
    return tokenizer


def warm_up() -> None:
    """Load the keyword lists and build the jieba dictionary now (≈1–3 s), not on a user's turn."""
    vocabulary()
    _tokenizer().lcut("租的房子已备案")


def tokens_of(text: str) -> list[str]:
    return [t for t in _tokenizer().lcut(text) if t.strip()]


def _prepare(text: str) -> str:
    return normalize_text(text).lower().replace(" ", "")


def _present_features(spec: SlotVocabulary, text: str, tokens: set[str]) -> set[str]:
    present = set()
    for name, words in spec.features.items():
        if any((word in tokens) if len(word) == 1 else (word in text) for word in words):
            present.add(name)
    return present


def _option_value(knowledge: MaterialsKnowledge, slot: str, text: str) -> str | None:
    """A pressed button or a typed label/value maps straight to its option."""
    try:
        question = knowledge.question(slot)
    except KeyError:
        return None
    for option in question.options:
        if text in (option.value.lower(), _prepare(option.label), _prepare(option.button)):
            return option.value
    return None


# ── dates (居住登记 day) ─────────────────────────────────────────────────────

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def _cn_number(raw: str) -> int:
    """Arabic or simple Chinese numerals up to 99 (十二, 二十五, 三十一)."""
    if raw.isdigit():
        return int(raw)
    if "十" in raw:
        tens, _, ones = raw.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (
            _CN_DIGITS.get(ones, 0) if ones else 0
        )
    return _CN_DIGITS[raw] if len(raw) == 1 else int("".join(str(_CN_DIGITS[c]) for c in raw))


_NUM = r"([0-9]{1,2}|[一二三四五六七八九十两]{1,3})"
_FULL = re.compile(r"(20[0-9]{2})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})")
_REL_YEAR_MONTH_DAY = re.compile(r"(今年|去年|前年)\s*" + _NUM + r"\s*月\s*" + _NUM + r"\s*[日号]")
_YEAR_MONTH = re.compile(r"(20[0-9]{2}|今年|去年|前年)\s*[-/.年]?\s*" + _NUM + r"\s*月")
_MONTH_DAY = re.compile(_NUM + r"\s*月\s*" + _NUM + r"\s*[日号]")
_MONTH_ONLY = re.compile(_NUM + r"\s*月份?")
_MONTHS_AGO = re.compile(r"(半|[0-9]{1,2}|[一二三四五六七八九十两]{1,3})\s*个?月(之前|以前|前)")
_WEEKS_AGO = re.compile(
    r"([0-9]{1,2}|[一二三四五六七八九十两]{1,3})\s*(周|个星期|星期|礼拜)(之前|以前|前)"
)
_DAYS_AGO = re.compile(r"([0-9]{1,3}|[一二三四五六七八九十两]{1,3})\s*天(之前|以前|前)")


def _safe_date(year: int, month: int, day: int | None) -> date | None:
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    # Month only: assume its last day, so the eligible date is never too early.
    day = last if day is None else day
    return date(year, month, day) if 1 <= day <= last else None


def _past_year(month: int, day: int | None, today: date) -> int:
    """The year that puts month/day on or before today."""
    probe = _safe_date(today.year, month, day if day is not None else 1)
    return today.year if probe is not None and probe <= today else today.year - 1


def extract_past_date(text: str, today: date) -> date | None:
    """The registration day in a free answer: 2026-08-15, 今年8月, 8月15号, 三个月前 …"""
    text = normalize_text(text)
    if match := _FULL.search(text):
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _REL_YEAR_MONTH_DAY.search(text):
        year = today.year - {"今年": 0, "去年": 1, "前年": 2}[match[1]]
        return _safe_date(year, _cn_number(match[2]), _cn_number(match[3]))
    if match := _YEAR_MONTH.search(text):
        year_word = match[1]
        year = {"今年": today.year, "去年": today.year - 1, "前年": today.year - 2}.get(
            year_word, int(year_word) if year_word.isdigit() else today.year
        )
        return _safe_date(year, _cn_number(match[2]), None)
    if match := _MONTH_DAY.search(text):
        month, day = _cn_number(match[1]), _cn_number(match[2])
        return _safe_date(_past_year(month, day, today), month, day)
    if match := _MONTHS_AGO.search(text):
        months = 0 if match[1] == "半" else _cn_number(match[1])
        return add_months(today, -months) if months else today - timedelta(days=15)
    if match := _WEEKS_AGO.search(text):
        return today - timedelta(weeks=_cn_number(match[1]))
    if match := _DAYS_AGO.search(text):
        return today - timedelta(days=_cn_number(match[1]))
    if "上个月" in text:
        return add_months(today, -1)
    if match := _MONTH_ONLY.search(text):
        month = _cn_number(match[1])
        if 1 <= month <= 12:
            return _safe_date(_past_year(month, None, today), month, None)
    return None


def registration_status_for(registered_on: date, today: date) -> str:
    return "over_6m" if add_months(registered_on, ELIGIBILITY_MONTHS) <= today else "under_6m"


# ── public API ───────────────────────────────────────────────────────────────


def interpret_answer(slot: str, text: str, today: date | None = None) -> str | None:
    """The slot value a free-text answer means, or None when it is unclear.

    ``slot`` may carry the Rasa ``mat_`` prefix. ``registered_on`` returns an ISO date or
    ``unknown``; ``registration`` uses a date in the text when there is one.
    """
    slot = slot.removeprefix(SLOT_PREFIX)
    today = today or date.today()
    prepared = _prepare(text)
    if not prepared:
        return None
    knowledge = default_materials()
    direct = _option_value(knowledge, slot, prepared)
    if direct is not None:
        return direct
    if slot in ("registered_on", "registration"):
        when = extract_past_date(text, today)
        if when is not None and when <= today:
            return (
                when.isoformat()
                if slot == "registered_on"
                else registration_status_for(when, today)
            )
    spec = vocabulary().get(slot)
    if spec is None:
        return None
    for phrases, value in spec.overrides:
        if any(phrase in prepared for phrase in phrases):
            return value
    present = _present_features(spec, prepared, set(tokens_of(prepared)))
    for decision in spec.decisions:
        if all(feature in present for feature in decision.features):
            return decision.value
    return None


def clarification_for(slot: str, text: str) -> str | None:
    """A follow-up question when the answer was understood only in part (「租的」)."""
    slot = slot.removeprefix(SLOT_PREFIX)
    spec = vocabulary().get(slot)
    prepared = _prepare(text)
    if spec is None or not prepared:
        return None
    present = _present_features(spec, prepared, set(tokens_of(prepared)))
    for features, prompt in spec.clarifications:
        if all(feature in present for feature in features):
            return prompt
    return None


_QUESTION_MARKERS = re.compile(
    r"[?？]|吗|怎么|什么|如何|哪些|哪里|哪儿|多久|能不能|可不可以|是不是|要不要|为啥|为什么|啥时候"
)


def looks_like_question(text: str) -> bool:
    """A question mid-form is an interruption (FAQ), not an answer to the form's question."""
    return bool(_QUESTION_MARKERS.search(normalize_text(text)))
