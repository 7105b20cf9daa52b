"""Collecting the finished card is not applying for someone (bot/brain/pickup_cue.py)."""

from __future__ import annotations

import pytest

from bot.brain.faq_ranking import choose_faq
from bot.brain.pickup_cue import prefer_pickup
from bot.knowledge import faq_base

PROXY_FIRST = [("renewal_by_others", 0.5), ("proxy_friend", 0.2), ("renewal_materials", 0.1)]


@pytest.mark.parametrize("text", ["可以别人帮我领吗", "证做好了能让家人代领吗", "我没空去领证 朋友去行不行"])
def test_a_proxy_question_about_collecting_the_card_gets_the_pickup_entry(text: str) -> None:
    assert prefer_pickup(text, PROXY_FIRST)[0] == ("delivery_pickup", 0.5)  # the leader's score stays
    assert choose_faq(text, PROXY_FIRST).best[0] == "delivery_pickup"


@pytest.mark.parametrize("text", ["朋友能帮我申领吗", "可以让同事帮我签注吗", "别人能帮我申领证件吗", "家人能帮我补领证吗"])
def test_applying_or_renewing_through_someone_is_left_alone(text: str) -> None:
    assert prefer_pickup(text, PROXY_FIRST) == PROXY_FIRST


def test_only_a_proxy_leader_is_changed() -> None:
    ranking = [("delivery_notice", 0.6), ("delivery_pickup", 0.2)]
    assert prefer_pickup("什么时候可以去领证", ranking) == ranking


def test_the_pickup_answer_says_what_is_known_about_someone_else_collecting() -> None:
    assert "代领" in faq_base().entries["delivery_pickup"].answer
