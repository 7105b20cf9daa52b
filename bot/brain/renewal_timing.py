"""Where the user stands in the renewal calendar, from an expiry date they stated.

「我的居住证12月20号到期」 then 「现在能续吗」: read alone, the second message looks like a question
about an expired permit (「还能续吗」), and the rankers lean to the 60-day entries. An expiry date
still ahead says otherwise: the question is about the renewal window, which opens 30 days before
expiry. The answer then also says where the user stands (window open, or from which day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from bot.reminders.dates import parse_expiry_date, says_past
from bot.reminders.messages import format_day
from bot.reminders.schedule import RENEWAL_WINDOW_DAYS
from bot.text import normalize_text

OPEN_WINDOW = "renewal_window"
NOT_YET = "renewal_early"
# entries that presume the permit has already expired
EXPIRED_ENTRIES = ("expiry_within_60", "expiry_after_60", "expiry_what_now", "expiry_long_overdue")
TIMING_ENTRIES = (OPEN_WINDOW, NOT_YET, *EXPIRED_ENTRIES)
_EXPIRY_WORDS = ("到期", "过期", "有效期", "截止", "expire")
# besides 「过期了」「已经到期」 (``says_past``); 「明天就到期了」 still looks ahead
_EXPIRED_WORDS = ("逾期", "超期", "expired", "overdue")


@dataclass(frozen=True)
class RenewalTiming:
    entry: str  # the entry that answers the question
    note: str  # the user's own dates, said before the answer


def stated_upcoming_expiry(texts: Sequence[str], today: date) -> date | None:
    """The first expiry date still ahead that one of ``texts`` states (「12月20号到期」)."""
    return next((day for text in texts if (day := _upcoming_expiry(text, today)) is not None), None)


@lru_cache(maxsize=64)  # the same earlier texts are read again on each of the next turns
def _upcoming_expiry(text: str, today: date) -> date | None:
    clean = normalize_text(text).lower()
    if not any(word in clean for word in _EXPIRY_WORDS) or says_past(text):
        return None
    parsed = parse_expiry_date(text, today)
    return parsed.value if parsed.ok else None


def _fmt(day: date, today: date) -> str:
    return f"{day.month}月{day.day}日" if day.year == today.year else format_day(day)


def renewal_timing(
    text: str, ranking: list[tuple[str, float]], earlier_texts: Sequence[str], today: date
) -> RenewalTiming | None:
    """The entry and personal note for a renewal-timing question when the user stated an
    expiry date still ahead; None when the question is not about timing or no such date is known.
    A question that itself speaks of an expired permit (「过期了怎么办」) is left alone."""
    if not ranking or ranking[0][0] not in TIMING_ENTRIES:
        return None
    if says_past(text) or any(word in normalize_text(text).lower() for word in _EXPIRED_WORDS):
        return None
    expiry = stated_upcoming_expiry((text, *earlier_texts), today)
    if expiry is None:
        return None
    days_left = (expiry - today).days
    opens = expiry - timedelta(days=RENEWAL_WINDOW_DAYS)
    if days_left <= RENEWAL_WINDOW_DAYS:
        left = "今天到期" if days_left == 0 else f"还剩{days_left}天"
        note = f"按你说的到期日（{_fmt(expiry, today)}），{left}，已经在到期前{RENEWAL_WINDOW_DAYS}天的续签期里，现在就能办签注。"
        return RenewalTiming(OPEN_WINDOW, note)
    note = f"按你说的到期日（{_fmt(expiry, today)}），还剩{days_left}天；续签期从{_fmt(opens, today)}开始，那天起才能办签注。"
    return RenewalTiming(NOT_YET, note)
