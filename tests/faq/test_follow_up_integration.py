"""Follow-up questions through the real Rasa + action server: the previous answer gives the subject."""

from __future__ import annotations

import pytest

from bot.replies import Turn

pytestmark = pytest.mark.integration


def answered(turn: Turn) -> str | None:
    """The FAQ entry the turn answered (the pipeline sets the intent from the action's marker)."""
    return turn.intent[4:] if turn.intent and turn.intent.startswith("faq/") else None


async def test_follow_ups_take_the_subject_of_the_previous_answer(stack_assistant) -> None:
    renewing = "console:follow-up-renewal"
    first = answered(await stack_assistant.handle_text(renewing, "我的居住证下个月就到期了，怎么续签", "console"))
    assert first is not None and first.startswith("renewal_")
    assert answered(await stack_assistant.handle_text(renewing, "要带什么材料", "console")) == "renewal_materials"

    lost = "console:follow-up-lost"
    assert answered(await stack_assistant.handle_text(lost, "居住证丢了怎么办", "console")) == "lost_replace"
    assert answered(await stack_assistant.handle_text(lost, "要带什么", "console")) == "lost_materials"

    # The same words as the first question of a conversation: the first application.
    assert answered(await stack_assistant.handle_text("console:follow-up-fresh", "要带什么材料", "console")) == "materials_general"


async def test_an_overdue_time_said_earlier_decides_a_later_question(stack_assistant) -> None:
    # The action server is sent this turn's events plus the session's earlier typed texts
    # (bot/brain/rasa_tuning.py); without them the second question read as the within-60 one.

    late = "console:follow-up-overdue-late"
    assert answered(await stack_assistant.handle_text(late, "居住证过期三个月了", "console")) == "expiry_after_60"
    assert answered(await stack_assistant.handle_text(late, "年限会清零吗", "console")) == "expiry_after_60"

    early = "console:follow-up-overdue-early"
    await stack_assistant.handle_text(early, "居住证过期二十天了", "console")
    assert answered(await stack_assistant.handle_text(early, "年限会清零吗", "console")) == "expiry_within_60"


async def test_a_past_expiry_date_and_a_doubtful_follow_up_through_the_real_stack(stack_assistant) -> None:
    # 「上个月28号」 is always 1-34 days ago: within the 60-day grace period
    dated = "console:follow-up-dated"
    turn = await stack_assistant.handle_text(dated, "我的居住证上个月28号到期了 忘了续", "console")
    assert answered(turn) == "expiry_within_60"
    assert answered(await stack_assistant.handle_text(dated, "现在还能在网上弄吗", "console")) == "renewal_online"

    # 「我该怎么补」 right after the incomplete-materials answer: asked back, never the scope message
    rejected = "console:follow-up-rejected"
    await stack_assistant.handle_text(rejected, "居住证审核没通过 说材料不全", "console")
    turn = await stack_assistant.handle_text(rejected, "我该怎么补", "console")
    offered = [button.payload for reply in turn.replies for button in reply.buttons]
    assert '/choose_faq{"faq_id":"rejection_resubmit"}' in offered and "/none_of_these" in offered, turn.to_json()


async def test_an_expiry_date_still_ahead_decides_when_to_renew(stack_assistant) -> None:
    # 「下周三」 is always 2-13 days ahead: inside the 30-day renewal window
    ahead = "console:follow-up-ahead"
    await stack_assistant.handle_text(ahead, "我的居住证下周三到期", "console")
    turn = await stack_assistant.handle_text(ahead, "现在能续吗", "console")
    assert answered(turn) == "renewal_window", turn.to_json()
    assert "现在就能办" in turn.replies[0].text


async def test_a_confident_out_of_scope_follow_up_keeps_the_previous_topic_on_offer(stack_assistant) -> None:
    rejected = "console:follow-up-rejected-change"
    assert answered(await stack_assistant.handle_text(rejected, "审核不通过了", "console")) is not None
    turn = await stack_assistant.handle_text(rejected, "怎么改", "console")
    offered = [button.payload for reply in turn.replies for button in reply.buttons]
    assert any(p.startswith('/choose_faq{"faq_id":"rejection_') for p in offered), turn.to_json()
