"""The reminder form through real Rasa: typed yes/no replies and a corrected date are understood."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.replies import Turn

pytestmark = pytest.mark.integration


def texts(turn: Turn) -> str:
    return "\n".join(r.text for r in turn.replies)


def chinese(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


async def test_typed_yes_and_no_and_a_corrected_date(rasa_stack, stack_assistant) -> None:
    from bot.reminders.service import reminders_of

    me = "console:reminder-yes-no"
    first, second = date.today() + timedelta(days=100), date.today() + timedelta(days=101)
    turn = await stack_assistant.handle_text(me, "/remind_me", "console")
    assert "哪天到期" in texts(turn)
    # a greeting or thanks at the date question is answered, then the question comes again
    for social, answer in [("在吗", "你好"), ("谢谢", "不客气")]:
        turn = await stack_assistant.handle_text(me, social, "console")
        assert answer in texts(turn) and "哪天到期" in texts(turn), texts(turn)
        assert "没看懂" not in texts(turn), texts(turn)
    turn = await stack_assistant.handle_text(me, chinese(first), "console")
    assert chinese(first) in texts(turn) and "对吗" in texts(turn)

    # a no with the right date in it: that date is confirmed instead
    turn = await stack_assistant.handle_text(me, f"不对，是{chinese(second)}", "console")
    assert chinese(second) in texts(turn) and "对吗" in texts(turn), texts(turn)

    # a plain no (words the intent model used to miss): asked for the date again
    turn = await stack_assistant.handle_text(me, "日期不对", "console")
    assert "哪天到期" in texts(turn) and "不太确定" not in texts(turn), texts(turn)
    turn = await stack_assistant.handle_text(me, chinese(second), "console")
    assert "对吗" in texts(turn)

    # a typed yes moves on instead of falling back to FAQ topics
    turn = await stack_assistant.handle_text(me, "同意", "console")
    assert "谁的" in texts(turn) and "不太确定" not in texts(turn), texts(turn)
    turn = await stack_assistant.handle_text(me, "谢谢", "console")  # not taken as the label
    assert "不客气" in texts(turn) and "谁的" in texts(turn), texts(turn)
    turn = await stack_assistant.handle_text(me, "本人", "console")
    assert "同意保存吗" in texts(turn), texts(turn)
    await stack_assistant.handle_text(me, "确认", "console")

    [reminder] = reminders_of(me, rasa_stack.settings.database_url)
    assert reminder.expiry_date == second


async def test_a_request_that_names_the_date_is_not_asked_for_it_again(stack_assistant) -> None:
    expiry = date.today() + timedelta(days=120)
    turn = await stack_assistant.handle_text("console:reminder-dated", f"我的居住证{chinese(expiry)}到期，到时候提醒我一下", "console")
    assert turn.intent in {"remind_me", "give_date"}, turn.intent
    assert chinese(expiry) in texts(turn) and "对吗" in texts(turn), texts(turn)
    assert "哪天到期" not in texts(turn)
    # without a date the form just asks, with no complaint about a missing date
    turn = await stack_assistant.handle_text("console:reminder-undated", "到期前提醒我续签", "console")
    assert "哪天到期" in texts(turn) and "没看懂" not in texts(turn), texts(turn)
    # an impossible date is explained, then asked for
    turn = await stack_assistant.handle_text("console:reminder-impossible", "2月30号到期，到时候提醒我", "console")
    assert "没有30日" in texts(turn) and "哪天到期" in texts(turn), texts(turn)
