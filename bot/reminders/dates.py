"""Understanding the permit's expiry date from free Chinese text.

Pipeline: normalise the text (full-width → half-width, Traditional → Simplified, Chinese
numerals → digits, one spelling per date word), segment it with spaCy's blank ``zh``
pipeline and the jieba segmenter, re-cut the segments around date vocabulary (jieba splits
``后年3月`` as 后 / 年3 … depending on context), then let a ``Matcher`` find and label date
phrases. Each label has a small interpreter that turns the matched tokens into a ``date``.

The result is checked against what a residence permit can carry: a real calendar date, not
more than one year and 60 days ahead (an endorsement adds one year), and not in the past —
past dates get the grace-period explanation instead of a flat "no".
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

from spacy.language import Language
from spacy.matcher import Matcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from bot.reminders.numerals import replace_chinese_numerals
from bot.reminders.schedule import GRACE_DAYS, add_years

MAX_DAYS_BEYOND_ONE_YEAR = 60


class DateError(StrEnum):
    UNRECOGNISED = "unrecognised"
    INCOMPLETE = "incomplete"
    IMPOSSIBLE = "impossible"
    TOO_FAR = "too_far"
    EXPIRED_IN_GRACE = "expired_in_grace"
    EXPIRED_LAPSED = "expired_lapsed"


@dataclass(frozen=True)
class DateParse:
    """Outcome of reading an expiry date.

    ``value`` is set whenever a calendar date was understood, even if it is refused
    (too far, past) — the caller may still want to show it. ``reason`` is user-facing Chinese.
    """

    value: date | None
    error: DateError | None = None
    reason: str = ""
    matched_text: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and self.value is not None


class _Impossible(ValueError):
    """A phrase named a day that does not exist (2月30日, 13月)."""


class _Incomplete(ValueError):
    """A phrase named a month but no day."""


# --- normalisation -------------------------------------------------------------------------

_SPELLINGS: list[tuple[str, str]] = [
    (r"星期|礼拜", "周"),
    (r"周[日天末]", "周7"),
    (r"下个周|下一周", "下周"),
    (r"这个?周|本周", "本周"),
    (r"下下个月", "下下月"),
    (r"下个月|下一个月", "下月"),
    (r"上个月|上一个月", "上月"),
    (r"这个月|这月|当月|本月", "本月"),
    (r"[号號]", "日"),
    (r"[以之]后", "后"),
    (r"(\d)\s*[./／\\－—–]\s*(?=\d)", r"\1-"),
    (r"(\d)\s+(?=\d)", r"\1-"),
    (r"\s+", ""),
]


def normalise_date_text(text: str) -> str:
    """One spelling for every date word, Arabic digits, no spaces."""
    import unicodedata

    from bot.text import normalize_text

    text = normalize_text(unicodedata.normalize("NFKC", text)).lower()
    text = replace_chinese_numerals(text)
    for pattern, replacement in _SPELLINGS:
        text = re.sub(pattern, replacement, text)
    return text


# --- segmentation --------------------------------------------------------------------------

_DATE_VOCABULARY = re.compile(
    r"大后天|后天|明天|今天|昨天|前天|下下月|下月|上月|本月|月底|年底|去年|明年|后年|今年|下下周|下周|本周"
    r"|\d+|[年月日周天后个半底-]"
)


@Language.component("date_vocabulary_segments")
def date_vocabulary_segments(doc: Doc) -> Doc:
    """Re-cut jieba's segments so that every date word and digit run is exactly one token.

    jieba keeps the surrounding free text (「我的居住证是…到期的」) sensible; this step only
    moves boundaries inside and around date vocabulary.
    """
    text = doc.text
    cuts = {0, len(text)}
    for token in doc:
        cuts.update((token.idx, token.idx + len(token.text)))
    for match in _DATE_VOCABULARY.finditer(text):
        cuts.difference_update(range(match.start() + 1, match.end()))
        cuts.update((match.start(), match.end()))
    bounds = sorted(cuts)
    words = [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if text[a:b]]
    return Doc(doc.vocab, words=words, spaces=[False] * len(words))


NUM = {"TEXT": {"REGEX": r"^\d{1,2}$"}}
YEAR = {"TEXT": {"REGEX": r"^(\d{2}|\d{4})$"}}
DAY_SUFFIX = {"TEXT": "日", "OP": "?"}
REL_YEAR = {"TEXT": {"IN": ["去年", "今年", "明年", "后年"]}}
REL_MONTH = {"TEXT": {"IN": ["上月", "本月", "下月", "下下月"]}}
REL_WEEK = {"TEXT": {"IN": ["本周", "下周", "下下周"]}}
UNIT = {"TEXT": {"IN": ["天", "日", "周", "月", "年"]}}

_PATTERNS: dict[str, list[list[dict]]] = {
    "YMD": [
        [YEAR, {"TEXT": "年"}, NUM, {"TEXT": "月"}, NUM, DAY_SUFFIX],
        [YEAR, {"TEXT": "-"}, NUM, {"TEXT": "-"}, NUM, DAY_SUFFIX],
    ],
    "COMPACT": [[{"TEXT": {"REGEX": r"^\d{8}$"}}]],
    "REL_YEAR_MD": [
        [REL_YEAR, NUM, {"TEXT": "月"}, NUM, DAY_SUFFIX],
        [REL_YEAR, NUM, {"TEXT": "-"}, NUM],
    ],
    "MD": [[NUM, {"TEXT": "月"}, NUM, DAY_SUFFIX], [NUM, {"TEXT": "-"}, NUM]],
    "YM": [[YEAR, {"TEXT": "年"}, NUM, {"TEXT": "月"}], [REL_YEAR, NUM, {"TEXT": "月"}],
           [{"TEXT": {"REGEX": r"^\d{4}$"}}, {"TEXT": "-"}, NUM], [REL_MONTH]],
    "REL_MONTH_DAY": [[REL_MONTH, NUM, {"TEXT": "日"}]],
    "MONTH_END": [[REL_MONTH, {"TEXT": "底"}], [{"TEXT": "月底"}]],
    "YEAR_END": [[REL_YEAR, {"TEXT": "年底"}], [{"TEXT": "年底"}]],
    "DAY": [[NUM, {"TEXT": "日"}]],
    "WEEKDAY": [[REL_WEEK, {"TEXT": {"REGEX": r"^[1-7]$"}}],
                [{"TEXT": "周"}, {"TEXT": {"REGEX": r"^[1-7]$"}}]],
    "REL_DAY": [[{"TEXT": {"IN": ["前天", "昨天", "今天", "明天", "后天", "大后天"]}}]],
    "OFFSET": [
        [{"TEXT": {"REGEX": r"^(\d{1,3}|半)$"}}, {"TEXT": "个", "OP": "?"}, UNIT, {"TEXT": "后"}],
    ],
}


@lru_cache(maxsize=1)
def date_pipeline() -> tuple[Language, Matcher]:
    """The spaCy pipeline and matcher (built once; jieba's dictionary takes ~1 s to load)."""
    import spacy

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("date_vocabulary_segments")
    matcher = Matcher(nlp.vocab)
    for label, patterns in _PATTERNS.items():
        matcher.add(label, patterns)
    return nlp, matcher


# --- interpretation ------------------------------------------------------------------------

def _numbers(span: Span) -> list[int]:
    return [int(t.text) for t in span if t.text.isdigit()]


def _make_date(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise _Impossible(f"一年只有12个月，没有{month}月。")
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise _Impossible(f"{year}年{month}月只有{last}天，没有{day}日。")
    return date(year, month, day)


def _full_year(year: int) -> int:
    return 2000 + year if year < 100 else year


def _next_occurrence_of_month_day(month: int, day: int, today: date) -> date:
    if not 1 <= month <= 12:
        raise _Impossible(f"一年只有12个月，没有{month}月。")
    year = today.year if (month, day) >= (today.month, today.day) else today.year + 1
    return _make_date(year, month, day)


def _month_shift(today: date, months: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 + months
    return index // 12, index % 12 + 1


def _relative_year(word: str, today: date) -> int:
    return today.year + {"去年": -1, "今年": 0, "明年": 1, "后年": 2}[word]


def _relative_months(word: str) -> int:
    return {"上月": -1, "本月": 0, "下月": 1, "下下月": 2}[word]


def _read_ymd(span: Span, today: date) -> date:
    year, month, day = _numbers(span)
    return _make_date(_full_year(year), month, day)


def _read_compact(span: Span, today: date) -> date:
    raw = span.text
    return _make_date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))


def _read_rel_year_md(span: Span, today: date) -> date:
    month, day = _numbers(span)
    return _make_date(_relative_year(span[0].text, today), month, day)


def _read_md(span: Span, today: date) -> date:
    month, day = _numbers(span)
    return _next_occurrence_of_month_day(month, day, today)


def _read_ym(span: Span, today: date) -> date:
    raise _Incomplete(span.text)


def _read_rel_month_day(span: Span, today: date) -> date:
    year, month = _month_shift(today, _relative_months(span[0].text))
    return _make_date(year, month, _numbers(span)[0])


def _read_month_end(span: Span, today: date) -> date:
    shift = _relative_months(span[0].text) if len(span) == 2 else 0
    year, month = _month_shift(today, shift)
    return date(year, month, calendar.monthrange(year, month)[1])


def _read_year_end(span: Span, today: date) -> date:
    year = _relative_year(span[0].text, today) if len(span) == 2 else today.year
    return date(year, 12, 31)


def _read_day(span: Span, today: date) -> date:
    day = _numbers(span)[0]
    if not 1 <= day <= 31:
        raise _Impossible(f"一个月最多31天，没有{day}日。")
    year, month = today.year, today.month
    if day < today.day:
        year, month = _month_shift(today, 1)
    # 31日 in a 30-day month means the next month that has a 31st.
    while day > calendar.monthrange(year, month)[1]:
        year, month = _month_shift(date(year, month, 1), 1)
    return date(year, month, day)


def _read_weekday(span: Span, today: date) -> date:
    weekday = int(span[-1].text) - 1
    prefix = span[0].text
    if prefix == "周":
        return today + timedelta(days=(weekday - today.weekday()) % 7)
    monday = today - timedelta(days=today.weekday())
    weeks = {"本周": 0, "下周": 1, "下下周": 2}[prefix]
    return monday + timedelta(days=7 * weeks + weekday)


def _read_rel_day(span: Span, today: date) -> date:
    return today + timedelta(days={"前天": -2, "昨天": -1, "今天": 0, "明天": 1, "后天": 2, "大后天": 3}[span.text])


def _read_offset(span: Span, today: date) -> date:
    amount_text = span[0].text
    unit = next(t.text for t in span if t.text in {"天", "日", "周", "月", "年"})
    if amount_text == "半":
        half_units = {"天": timedelta(0), "日": timedelta(0), "周": timedelta(days=3),
                      "月": timedelta(days=15)}
        if unit in half_units:
            return today + half_units[unit]
        return _same_day_months_later(today, 6)
    amount = int(amount_text)
    if unit in {"天", "日"}:
        return today + timedelta(days=amount)
    if unit == "周":
        return today + timedelta(weeks=amount)
    return _same_day_months_later(today, amount * (12 if unit == "年" else 1))


def _same_day_months_later(today: date, months: int) -> date:
    """Same day of month ``months`` later, clipped to the month's end (1月31日 + 1个月 → 2月底)."""
    year, month = _month_shift(today, months)
    return date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


_READERS: dict[str, Callable[[Span, date], date]] = {
    "YMD": _read_ymd,
    "COMPACT": _read_compact,
    "REL_YEAR_MD": _read_rel_year_md,
    "MD": _read_md,
    "YM": _read_ym,
    "REL_MONTH_DAY": _read_rel_month_day,
    "MONTH_END": _read_month_end,
    "YEAR_END": _read_year_end,
    "DAY": _read_day,
    "WEEKDAY": _read_weekday,
    "REL_DAY": _read_rel_day,
    "OFFSET": _read_offset,
}


# 「12月1号就到期了」「已经过期」: the date lies behind; 「快到期了」「马上到期了」 is still ahead
_SAID_PAST = re.compile(r"(已经?|早就?|早已)(到期|过期)|(?<![快要将就上])(到期|过期)了")
# readers that take the next time a date comes round, which a date said in the past tense is not
_ROUND_DATES = {"MD", "DAY"}


def says_past(text: str) -> bool:
    """Whether the text says the expiry has already passed."""
    return bool(_SAID_PAST.search(normalise_date_text(text)))


def _previous_occurrence(label: str, value: date, today: date) -> date:
    """The same month/day (MD) or day of month (DAY) the last time it came round before today."""
    if value <= today:
        return value
    if label == "MD":
        return _make_date(value.year - 1, value.month, value.day)
    year, month = _month_shift(today, 0 if value.day <= today.day else -1)
    while value.day > calendar.monthrange(year, month)[1]:  # 31日 back to a month that has one
        year, month = _month_shift(date(year, month, 1), -1)
    return date(year, month, value.day)


def find_date_phrases(text: str) -> list[Span]:
    """Date phrases in ``text`` (longest wins where they overlap), each labelled by its grammar."""
    nlp, matcher = date_pipeline()
    doc = nlp(normalise_date_text(text))
    spans = [Span(doc, start, end, label=match_id) for match_id, start, end in matcher(doc)]
    return filter_spans(spans)


# --- validation ----------------------------------------------------------------------------

def _fmt(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def check_expiry_date(value: date, today: date, matched_text: str = "") -> DateParse:
    """Accept ``value`` as a permit expiry date, or say why not (in Chinese)."""
    latest = add_years(today, 1) + timedelta(days=MAX_DAYS_BEYOND_ONE_YEAR)
    if value > latest:
        return DateParse(
            value, DateError.TOO_FAR,
            f"{_fmt(value)}离今天超过一年零两个月。居住证每签注一次只延长一年，"
            "到期日不会这么远。请再看一眼卡面或随申办里显示的有效期限。",
            matched_text,
        )
    if value < today:
        overdue = (today - value).days
        if overdue <= GRACE_DAYS:
            left = GRACE_DAYS - overdue
            return DateParse(
                value, DateError.EXPIRED_IN_GRACE,
                f"{_fmt(value)}已经过去{overdue}天了。别着急：过期后{GRACE_DAYS}天内补办签注，"
                f"居住年限还能接着算，你还有大约{left}天。建议现在就通过随申办或就近的"
                "社区事务受理服务中心办理签注。",
                matched_text,
            )
        return DateParse(
            value, DateError.EXPIRED_LAPSED,
            f"{_fmt(value)}已经过去{overdue}天，超过了{GRACE_DAYS}天的补办期。"
            "这时再补办签注，居住年限一般要从补办那天起重新计算，对积分、子女入学和居转户都有影响。"
            "具体还能怎么办，请先问一下社区事务受理服务中心或拨打12345。",
            matched_text,
        )
    return DateParse(value, None, "", matched_text)


def parse_expiry_date(text: str, today: date) -> DateParse:
    """Read the permit's expiry date from ``text`` as of ``today`` (Shanghai calendar day).

    When the text holds several full dates (a card's validity range 「2026.03.05-2027.03.05」),
    the latest one is the expiry.
    """
    spans = find_date_phrases(text)
    if not spans:
        return DateParse(
            None, DateError.UNRECOGNISED,
            "没看懂这个日期。可以这样写：2027年3月5日、2027-03-05 或 明年三月五号。",
        )
    results: list[tuple[date, str]] = []
    problem: DateParse | None = None
    past = says_past(text)
    for span in spans:
        label = span.label_
        try:
            value = _READERS[label](span, today)
            if past and label in _ROUND_DATES:
                value = _previous_occurrence(label, value, today)
            results.append((value, span.text))
        except _Impossible as exc:
            problem = problem or DateParse(
                None, DateError.IMPOSSIBLE, f"{exc}请再核对一下居住证上的有效期限。", span.text
            )
        except _Incomplete:
            problem = problem or DateParse(
                None, DateError.INCOMPLETE,
                f"「{span.text}」还缺具体是几号，请把日子也告诉我，比如 {span.text}5日。", span.text,
            )
    if not results:
        assert problem is not None
        return problem
    value, matched = max(results)
    return check_expiry_date(value, today, matched)
