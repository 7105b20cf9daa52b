"""Does a typed message say that this year's renewal is done?

A typed 「已经续签好了」 marks the user's only reminder as renewed, so the intent alone is too weak
a reason: the classifier also files statements such as 「已经过了两个多月了」 (the permit is two
months *overdue*) as "done". The action acts only when the words say so — a completion word that
is not negated and not asked about.
"""

from __future__ import annotations

import re

from bot.text import normalize_text

_DONE_WORDS = (
    "办好", "办完", "弄好", "搞定", "续好", "续完", "签好", "签完", "签过", "续过", "已签", "已续", "已办",
    "已经签", "已经续", "已经办", "完成", "办了", "签了", "续了", "done", "renewed", "finished",
)
_NEGATED = re.compile(r"(没|未|不|别|还没|没有|尚未)\S{0,3}$")
_QUESTION = re.compile(r"(吗|么|嘛|没有?|呢|\?|？)[\s。.!！~～]*$")


def says_renewed(text: str) -> bool:
    """True when the text states the renewal as done: 「签注办好了」「我签过了」, not 「还没办好」
    or 「办好了吗」."""
    clean = normalize_text(text).lower()
    if not clean or _QUESTION.search(clean):
        return False
    for word in _DONE_WORDS:
        start = clean.find(word)
        while start != -1:
            if not _NEGATED.search(clean[:start]):
                return True
            start = clean.find(word, start + 1)
    return False
