"""The materials dialog end to end: real Rasa + action server, free text and buttons, one user."""

from __future__ import annotations

import pytest

from bot.replies import Turn

pytestmark = pytest.mark.integration


def texts(turn: Turn) -> str:
    return "\n".join(r.text for r in turn.replies)


def payloads(turn: Turn) -> list[str]:
    return [b.payload for r in turn.replies for b in r.buttons]


async def test_guided_dialog_builds_saves_and_shows_the_checklist(stack_assistant) -> None:
    me = "console:materials-e2e"
    turn = await stack_assistant.handle_text(me, "/start_materials", "console")
    assert "哪一种业务" in texts(turn)
    assert '/inform_materials{"mat_application":"first"}' in payloads(turn)

    turn = await stack_assistant.handle_text(me, "第一次办", "console")
    assert "给谁办" in texts(turn)
    turn = await stack_assistant.handle_text(me, "给我自己办", "console")
    assert "居住登记" in texts(turn)

    turn = await stack_assistant.handle_text(me, "/ask_why", "console")
    assert "问这个是因为" in texts(turn) and "居住登记" in texts(turn)

    turn = await stack_assistant.handle_text(
        me, '/inform_materials{"mat_registration":"over_6m"}', "console"
    )
    assert "房子" in texts(turn)
    turn = await stack_assistant.handle_text(me, "租的，房东还没备案", "console")
    assert "主要是做什么" in texts(turn)
    turn = await stack_assistant.handle_text(me, "我在读研", "console")

    body = texts(turn)
    assert "租赁合同还没有网签备案" in body and "在读证明" in body
    assert any(r.image and r.image.startswith(b"\x89PNG") for r in turn.replies)
    assert {"/precheck_start", "/remind_me"} <= set(payloads(turn))

    turn = await stack_assistant.handle_text(
        me, '/correct_materials{"mat_slot":"housing"}', "console"
    )
    assert "房子" in texts(turn)
    turn = await stack_assistant.handle_text(me, '/inform_materials{"mat_housing":"dorm"}', "console")
    assert "集体宿舍证明" in texts(turn) and "网签备案" not in texts(turn).split("💡")[0]

    turn = await stack_assistant.handle_text(me, "/mylist", "console")
    assert "集体宿舍证明" in texts(turn)

    turn = await stack_assistant.handle_text(me, "/start_materials", "console")
    assert "哪一种业务" in texts(turn)  # a new start begins with fresh answers


async def test_cancel_stops_the_form(stack_assistant) -> None:
    me = "console:materials-cancel"
    await stack_assistant.handle_text(me, "/start_materials", "console")
    turn = await stack_assistant.handle_text(me, "/cancel", "console")
    assert "先不做了" in texts(turn)
    turn = await stack_assistant.handle_text(me, "/start_materials", "console")
    assert "哪一种业务" in texts(turn)
