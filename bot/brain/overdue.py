"""How long a permit has been expired, read from the question (「过期两个多月了」 → 60 days).

The 60-day line decides the answer (renewed within 60 days of expiry the years keep counting;
later they restart), but to a bag-of-words model 「过期20天」 and 「过期80天」 look alike. When a
question states the overdue time, this picks between the two entries by the number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from bot.brain.expiry_date import days_since_stated_expiry
from bot.brain.ranking_rules import put_first
from bot.reminders.numerals import replace_chinese_numerals
from bot.reminders.schedule import GRACE_DAYS
from bot.text import normalize_text

WITHIN_60 = "expiry_within_60"
AFTER_60 = "expiry_after_60"
# "When can I renew?" asked by someone whose permit has already expired: the grace period answers it
PAST_THE_WINDOW = "renewal_window"
MAX_AMOUNT = 10_000.0  # 「过期999…9天」 is simply "long overdue", not an overflow

_UNIT_DAYS = {"天": 1, "日": 1, "周": 7, "星期": 7, "礼拜": 7, "个月": 30, "月": 30, "年": 365}
_DURATION = re.compile(
    r"(\d+(?:\.\d+)?|半)\s*(多|来)?\s*(个多月|个来月|个半月|天|日|周|星期|礼拜|个月|月|年)(多)?"
)
_OVERDUE_WORDS = (
    "过期", "逾期", "超期", "超了", "过了", "过去", "没签注", "没续", "忘了续", "忘记续", "忘记签", "忘了签",
)
# English: 「expired 70 days ago」「2 months overdue」
_ENGLISH_OVERDUE_WORDS = ("expired", "overdue", "expiry was", "lapsed")
_ENGLISH_DURATION = re.compile(
    r"\b(more than\s+|over\s+)?(\d+(?:\.\d+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
    r"(?:more\s+)?(day|week|month|year)s?\b"
)
_ENGLISH_UNIT_DAYS = {"day": 1, "week": 7, "month": 30, "year": 365}
_ENGLISH_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}


def overdue_days(text: str) -> int | None:
    """Days past expiry that the question states, or None when it states none."""
    clean = replace_chinese_numerals(normalize_text(text))
    lower = clean.lower()
    if not any(word in clean for word in _OVERDUE_WORDS) and not any(word in lower for word in _ENGLISH_OVERDUE_WORDS):
        return None
    for match in _DURATION.finditer(clean):
        amount_text, more, unit, more_after = match.groups()
        amount = 0.5 if amount_text == "半" else min(float(amount_text), MAX_AMOUNT)
        more = more or more_after  # 「一周多」 as 「一多周」
        if unit == "个多月":
            amount, more, unit = amount, "多", "个月"
        elif unit == "个来月":  # 「一个来月」: about a month
            unit = "个月"
        elif unit == "个半月":
            amount, unit = amount + 0.5, "个月"
        days = amount * _UNIT_DAYS[unit]
        if more:  # 「两个多月」 is past two months
            days += 1
        return int(days + 0.5)
    return _english_duration_days(lower)  # 「expired 70 days ago」, or mixed: 「过期 70 days 了」


def _english_duration_days(clean: str) -> int | None:
    match = _ENGLISH_DURATION.search(clean)
    if match is None:
        return None
    more, amount_text, unit = match.groups()
    amount = _ENGLISH_NUMBERS.get(amount_text) or min(float(amount_text), MAX_AMOUNT)
    days = amount * _ENGLISH_UNIT_DAYS[unit] + (1 if more else 0)  # 「more than 60 days」 is past 60
    return int(days + 0.5)


@lru_cache(maxsize=64)  # read twice per question: to rank, and to tell whether the time decided
def stated_overdue_days(text: str, today: date) -> int | None:
    """Days overdue that the text states, as a count (「过期20天」) or as a past expiry date on
    one side of the 60-day line (「上个月28号到期了」)."""
    days = overdue_days(text)
    if days is not None:
        return days
    span = days_since_stated_expiry(text, today)
    if span is None or (span[0] <= GRACE_DAYS) != (span[1] <= GRACE_DAYS):
        return None
    return span[1]


def grace_entry_called_for(
    text: str, ranking: list[tuple[str, float]], earlier_texts: Sequence[str] = (), today: date | None = None
) -> str | None:
    """The 60-day entry the stated overdue time calls for, when a 60-day entry (or the
    renewal-window entry) leads the ranking; None when no time is stated. A question that states
    no time uses the time the user stated earlier in the conversation (``earlier_texts``, latest
    first): 「已经过了两个多月了」 then 「那年限还算连续吗」."""
    if not ranking or ranking[0][0] not in (WITHIN_60, AFTER_60, PAST_THE_WINDOW):
        return None
    today = today or today_in_shanghai()
    days = next((d for t in (text, *earlier_texts) if (d := stated_overdue_days(t, today)) is not None), None)
    if days is None:
        return None
    return WITHIN_60 if days <= GRACE_DAYS else AFTER_60


def settle_grace_period(
    text: str, ranking: list[tuple[str, float]], earlier_texts: Sequence[str] = (), today: date | None = None
) -> list[tuple[str, float]]:
    """The ranking with the entry ``grace_entry_called_for`` names first."""
    wanted = grace_entry_called_for(text, ranking, earlier_texts, today)
    # the leader is one of the pair, so its partner is relevant however low the rankers put it
    return put_first(ranking, wanted) if wanted else ranking


def today_in_shanghai() -> date:
    from bot.reminders.chat import now_utc
    from bot.reminders.schedule import shanghai_today

    return shanghai_today(now_utc())
