"""Days overdue read from a past expiry date in the question (「上个月28号到期了」)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.brain.expiry_date import days_since_stated_expiry
from bot.brain.overdue import (
    AFTER_60,
    PAST_THE_WINDOW,
    WITHIN_60,
    settle_grace_period,
    stated_overdue_days,
)

TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("我的居住证上个月28号到期了 忘了续", (9, 9)),
        ("居住证11月15号就到期了，现在还能续吗", (22, 22)),
        ("居住证十月一日过期的，年限会断吗", (67, 67)),
        ("居住证2026.11.30过期了", (7, 7)),
        ("2025年12月31日过期的", (341, 341)),
        ("我居住证今年8月到期的一直没管", (98, 128)),
        ("去年12月底过期", (341, 351)),
        ("10月份到期的", (37, 67)),
        ("这个月1号过期了", (6, 6)),
    ],
)
def test_a_past_expiry_date_gives_the_days_since(text: str, days: tuple[int, int]) -> None:
    assert days_since_stated_expiry(text, TODAY) == days


@pytest.mark.parametrize(
    "text",
    ["居住证12月20号到期", "明年3月到期了", "明年3月5号过期", "今年12月31号到期了", "2026年13月1日过期", "2月30号过期了",
     "居住证过期了怎么办", "11月15号办的居住证", ""],
)
def test_no_date_a_future_date_or_an_impossible_one_gives_nothing(text: str) -> None:
    assert days_since_stated_expiry(text, TODAY) is None


def test_a_month_decides_only_when_it_lies_on_one_side_of_sixty_days() -> None:
    assert stated_overdue_days("今年8月到期的", TODAY) == 128  # all of August is past 60 days
    assert stated_overdue_days("10月份到期的", TODAY) is None  # early October is past, late is not
    assert stated_overdue_days("过期20天了", TODAY) == 20  # a stated count comes first


def test_the_date_decides_between_the_sixty_day_entries_and_answers_the_window_question() -> None:
    window_first = [(PAST_THE_WINDOW, 0.3), ("expiry_what_now", 0.2)]
    assert settle_grace_period("上个月28号到期了，忘了续", window_first, today=TODAY)[0] == (WITHIN_60, 0.3)
    assert settle_grace_period("10月1日过期的，年限会断吗", [(WITHIN_60, 0.5)], today=TODAY)[0][0] == AFTER_60
    # the window question from someone whose permit has not expired is left alone
    assert settle_grace_period("居住证12月20号到期，什么时候能续", window_first, today=TODAY) == window_first
    assert settle_grace_period("什么时候能续", window_first, ["我的居住证上个月28号到期了"], today=TODAY)[0][0] == WITHIN_60
