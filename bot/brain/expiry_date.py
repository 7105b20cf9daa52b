"""How long ago the permit expired, read from a past expiry date in the question.

Users state the date more often than the count: 「我的居住证上个月28号到期了」「10月1日过期的」. The date
gives the days overdue, which decide between the two 60-day entries just as 「过期20天」 does.
A date without a day (「今年8月到期的」) gives a range; it decides only when the whole range lies
on one side of the line.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from bot.reminders.numerals import replace_chinese_numerals
from bot.text import normalize_text

_PAST_EXPIRY = ("过期", "到期了", "已到期", "已经到期", "到期的", "到期那", "逾期")
_FULL = re.compile(r"(\d{4})[年./-](\d{1,2})[月./-](\d{1,2})[日号]?")
_MONTH_DAY = re.compile(r"(去年|今年|明年)?(\d{1,2})月(\d{1,2})[日号]")
_RELATIVE_MONTH_DAY = re.compile(r"(上个?月|这个?月|本月)(\d{1,2})[日号]")
_MONTH_ONLY = re.compile(r"(?:(\d{4})年|(去年|今年|明年))?(\d{1,2})月份?(初|中|底|末)?")
_PART_OF_MONTH = {"初": (1, 10), "中": (11, 20), "底": (21, 31), "末": (21, 31), None: (1, 31)}


def _day(year: int, month: int, day: int, clamp: bool = False) -> date | None:
    """The date, or None when impossible (「2月30号」); ``clamp`` ends a range at the month's end."""
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        return None
    last = calendar.monthrange(year, month)[1]
    if clamp:
        day = min(day, last)
    return date(year, month, day) if 1 <= day <= last else None


def _latest_past_year(month: int, day: int, today: date) -> int:
    """The year that puts month/day on or before today (a past expiry without a year)."""
    return today.year if (month, day) <= (today.month, today.day) else today.year - 1


def _year_word(word: str | None, today: date) -> int | None:
    return {"去年": today.year - 1, "今年": today.year, "明年": today.year + 1}.get(word or "")


def stated_expiry(text: str, today: date) -> tuple[date, date] | None:
    """The earliest and latest day the question's past expiry date can mean, or None."""
    clean = replace_chinese_numerals(normalize_text(text))
    if not any(word in clean for word in _PAST_EXPIRY):
        return None
    if match := _FULL.search(clean):
        day = _day(int(match[1]), int(match[2]), int(match[3]))
        return (day, day) if day else None
    if match := _MONTH_DAY.search(clean):
        month, dom = int(match[2]), int(match[3])
        year = _year_word(match[1], today) or _latest_past_year(month, dom, today)
        day = _day(year, month, dom)
        return (day, day) if day else None
    if match := _RELATIVE_MONTH_DAY.search(clean):
        shift = 1 if match[1].startswith("上") else 0
        year, month = (today.year, today.month - shift) if today.month > shift else (today.year - 1, 12)
        day = _day(year, month, int(match[2]))
        return (day, day) if day else None
    if match := _MONTH_ONLY.search(clean):
        month = int(match[3])
        first_dom, last_dom = _PART_OF_MONTH[match[4]]
        stated_year = (int(match[1]) if match[1] else None) or _year_word(match[2], today)
        year = stated_year or _latest_past_year(month, first_dom, today)
        first, last = _day(year, month, first_dom), _day(year, month, last_dom, clamp=True)
        return (first, last) if first and last else None
    return None


def days_since_stated_expiry(text: str, today: date) -> tuple[int, int] | None:
    """Fewest and most days since the stated expiry, or None when none is stated or it lies
    ahead (「明年3月到期」 is not overdue)."""
    span = stated_expiry(text, today)
    if span is None or span[0] > today:
        return None
    first, last = span
    return (today - min(last, today)).days, (today - first).days
