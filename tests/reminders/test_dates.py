"""Expiry-date understanding, driven by tests/reminders/data/date_phrasings.yml."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.reminders.dates import DateError, parse_expiry_date
from bot.reminders.numerals import chinese_numeral_value, replace_chinese_numerals

DATA = yaml.safe_load((Path(__file__).parent / "data" / "date_phrasings.yml").read_text("utf-8"))
TODAY: date = DATA["today"]
CASES = DATA["cases"]


def test_the_data_file_covers_enough_phrasings() -> None:
    assert len(CASES) >= 40
    assert sum("error" in c for c in CASES) >= 10


@pytest.mark.parametrize("case", CASES, ids=[str(c["text"]) or "<empty>" for c in CASES])
def test_phrasing_is_read_as_expected(case: dict) -> None:
    result = parse_expiry_date(str(case["text"]), TODAY)
    if "expect" in case:
        assert result.ok, result.reason
        assert result.value == case["expect"]
        assert result.reason == ""
    else:
        assert not result.ok
        assert result.error == DateError(case["error"])
        assert result.value == case.get("value")
        assert result.reason, "a refusal must say why"


def test_past_date_within_grace_explains_that_years_keep_counting() -> None:
    result = parse_expiry_date("2026年11月7日", TODAY)
    assert result.error is DateError.EXPIRED_IN_GRACE
    assert "20天" in result.reason and "40天" in result.reason
    assert "接着算" in result.reason


def test_past_date_beyond_grace_explains_that_years_restart() -> None:
    result = parse_expiry_date("2026年1月1日", TODAY)
    assert result.error is DateError.EXPIRED_LAPSED
    assert "重新计算" in result.reason


def test_impossible_date_names_the_real_month_length() -> None:
    assert "只有28天" in parse_expiry_date("2027年2月30日", TODAY).reason


@pytest.mark.parametrize(
    ("run", "value"),
    [("二〇二七", 2027), ("二七", 27), ("十", 10), ("十五", 15), ("二十", 20), ("廿五", 25),
     ("卅一", 31), ("三十一", 31), ("一百二十", 120), ("两", 2)],
)
def test_chinese_numeral_values(run: str, value: int) -> None:
    assert chinese_numeral_value(run) == value


def test_numerals_inside_text_become_digits() -> None:
    assert replace_chinese_numerals("二〇二七年三月五号") == "2027年3月5号"
