"""Chinese numerals → Arabic digits, so the date grammar only has to know one kind of number.

Two styles occur in dates: digit-by-digit years (二〇二七, 二七) and positional values
with units (十二, 二十五, 廿五, 卅一, 三十一). Runs without a unit are read digit by digit.
"""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_TENS_SHORTHAND = {"廿": 20, "卅": 30}
_NUMERAL_RUN = re.compile("[零〇○一二两三四五六七八九十百千廿卅]+")


def chinese_numeral_value(run: str) -> int:
    """The integer a run of Chinese numerals stands for (``"二十五"`` → 25, ``"二〇二七"`` → 2027)."""
    if not any(ch in _UNITS or ch in _TENS_SHORTHAND for ch in run):
        return int("".join(str(_DIGITS[ch]) for ch in run))
    total = 0
    pending = 0
    for ch in run:
        if ch in _DIGITS:
            pending = _DIGITS[ch]
        elif ch in _TENS_SHORTHAND:
            total += _TENS_SHORTHAND[ch]
            pending = 0
        else:
            # A bare unit at the start means one of it: 十五 = 15.
            total += (pending or 1) * _UNITS[ch]
            pending = 0
    return total + pending


def replace_chinese_numerals(text: str) -> str:
    """Rewrite every run of Chinese numerals in ``text`` as Arabic digits."""
    return _NUMERAL_RUN.sub(lambda m: str(chinese_numeral_value(m.group(0))), text)
