"""Free-text answers map to the right slot values (held-out phrasings, brief examples, dates)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.materials.rules import default_materials
from bot.materials.understanding import (
    clarification_for,
    extract_past_date,
    interpret_answer,
)

HELDOUT = Path(__file__).parent / "data" / "slot_phrasings_heldout.yml"
TODAY = date(2026, 11, 27)


def load_heldout() -> tuple[date, list[dict[str, str]]]:
    data = yaml.safe_load(HELDOUT.read_text(encoding="utf-8"))
    return data["today"], data["cases"]


def test_heldout_phrasings_map_to_the_right_value_at_least_95_percent() -> None:
    today, cases = load_heldout()
    assert len(cases) >= 60
    wrong = [
        (c["slot"], c["text"], c["value"], got)
        for c in cases
        if (got := interpret_answer(c["slot"], c["text"], today=today)) != str(c["value"])
    ]
    accuracy = 1 - len(wrong) / len(cases)
    assert accuracy >= 0.95, f"accuracy {accuracy:.1%}; wrong: {wrong}"


def test_heldout_covers_every_slot_and_every_value_of_the_main_questions() -> None:
    _today, cases = load_heldout()
    seen = {(c["slot"], str(c["value"])) for c in cases}
    for question in default_materials().questions:
        if question.slot == "registered_on":
            continue
        for option in question.options:
            assert (question.slot, option.value) in seen, (question.slot, option.value)


@pytest.mark.parametrize(
    ("slot", "text", "value"),
    [
        ("housing", "我跟老公住他买的房子", "relative_own"),
        ("housing", "租的，房东还没备案", "rent_unfiled"),
        ("activity", "我在读研", "study"),
        ("activity", "自己开公司的", "business"),
        ("mat_housing", "住亲属租的房", "relative_rent"),  # a button title typed by hand
        ("application", "first", "first"),  # a payload value
    ],
)
def test_the_examples_of_the_brief(slot: str, text: str, value: str) -> None:
    assert interpret_answer(slot, text, today=TODAY) == value


def test_unclear_answers_give_none_and_partial_ones_a_follow_up() -> None:
    assert interpret_answer("housing", "你好", today=TODAY) is None
    assert interpret_answer("housing", "租的", today=TODAY) is None
    assert "备案" in (clarification_for("housing", "租的") or "")
    assert clarification_for("housing", "你好") is None
    assert interpret_answer("activity", "", today=TODAY) is None


def test_negations_do_not_flip_the_meaning() -> None:
    assert interpret_answer("address_changed", "没搬家", today=TODAY) == "no"
    assert interpret_answer("address_changed", "不一样", today=TODAY) == "yes"
    assert interpret_answer("registration", "还没满半年", today=TODAY) == "under_6m"
    assert interpret_answer("activity", "没工作", today=TODAY) == "other"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-08-15", date(2026, 8, 15)),
        ("2026年8月", date(2026, 8, 31)),
        ("我是今年9月3号登记的", date(2026, 9, 3)),
        ("去年十二月", date(2025, 12, 31)),
        ("12月3号", date(2025, 12, 3)),  # a future month-day means last year
        ("三个月前", date(2026, 8, 27)),
        ("两周前", date(2026, 11, 13)),
        ("随便说说", None),
    ],
)
def test_registration_dates_are_read_as_past_days(text: str, expected: date | None) -> None:
    assert extract_past_date(text, TODAY) == expected
