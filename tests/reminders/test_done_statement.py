"""A typed message marks a reminder renewed only when its words say the renewal is done."""

from __future__ import annotations

import pytest

from bot.reminders.done_statement import says_renewed


@pytest.mark.parametrize("text", [
    "已办好", "已经续签好了", "签注办好了", "我已经签注了", "续签已经办完了", "办好了，不用再提醒了",
    "我签过了", "今年的签注搞定了", "刚在随申办上签完", "不用提醒了，已经续好了", "renewed, thanks",
])
def test_statements_of_a_finished_renewal(text: str) -> None:
    assert says_renewed(text)


@pytest.mark.parametrize("text", [
    "已经过了两个多月了", "还没办好", "没有续好怎么办", "签注还未完成", "签注办好了吗", "续了没有",
    "办完了？", "到期了", "", "   ", "提醒我续签",
])
def test_overdue_statements_negations_and_questions_are_not(text: str) -> None:
    assert not says_renewed(text)
