"""Follow-up questions are read in the light of the previous answer (bot/brain/conversation_context.py)."""

from __future__ import annotations

import pytest

from bot.brain.conversation_context import (
    FOLLOW_UPS,
    follow_previous_answer,
    follow_up_candidates,
    is_follow_up,
)
from bot.knowledge import faq_base

GENERIC_FIRST = [("materials_general", 0.6), ("renewal_materials", 0.2), ("lost_materials", 0.1)]
LEADERS = {"可以让别人帮我补吗": "renewal_by_others", "超过30天了怎么办": "expiry_after_60"}


@pytest.mark.parametrize(
    ("previous", "text", "expected"),
    [
        ("renewal_window", "要带什么材料", "renewal_materials"),
        ("expiry_what_now", "要带什么材料", "renewal_materials"),
        ("lost_replace", "要带什么", "lost_materials"),
        ("registration_what", "要准备什么材料", "registration_materials"),
        ("eligibility_conditions", "要带什么材料", "materials_general"),
        ("lost_replace", "可以让别人帮我补吗", "lost_materials"),
        ("change_address", "超过30天了怎么办", "change_address"),
        ("delivery_pickup", "要带什么", "delivery_pickup"),
        ("delivery_notice", "要带什么材料", "delivery_pickup"),
    ],
)
def test_a_follow_up_takes_the_subject_of_the_previous_answer(previous: str, text: str, expected: str) -> None:
    given = [(LEADERS[text], 0.6), *GENERIC_FIRST[1:]] if text in LEADERS else GENERIC_FIRST
    ranking, decided = follow_previous_answer(text, given, previous)
    assert ranking[0][0] == expected
    assert decided
    assert ranking[0][1] == 0.6  # the confidence stays the rankers' own


def test_the_wanted_entry_is_put_first_even_when_the_rankers_left_it_out() -> None:
    ranking, decided = follow_previous_answer("要带什么", [("materials_general", 0.5), ("proxy_friend", 0.1)], "lost_replace")
    assert decided and [e for e, _ in ranking] == ["lost_materials", "materials_general", "proxy_friend"]


@pytest.mark.parametrize(
    "text",
    [
        "第一次办要带什么材料",  # names its stage
        "办居住证要带什么材料",  # names the permit: a question that stands on its own
        "签注要带什么",
    ],
)
def test_a_question_that_says_what_it_is_about_is_left_alone(text: str) -> None:
    assert not is_follow_up(text)
    ranking, decided = follow_previous_answer(text, GENERIC_FIRST, "lost_replace")
    assert ranking == GENERIC_FIRST and not decided


def test_a_leader_already_in_the_subject_is_backed_by_the_context() -> None:
    ranking = [("renewal_online", 0.25), ("application_online", 0.2)]
    assert follow_previous_answer("网上能办吗", ranking, "renewal_auto") == (ranking, True)
    assert follow_previous_answer("网上能办吗", ranking, None) == (ranking, False)


def test_no_previous_answer_or_an_unrelated_leader_changes_nothing() -> None:
    assert follow_previous_answer("要带什么材料", GENERIC_FIRST, None) == (GENERIC_FIRST, False)
    assert follow_previous_answer("要带什么材料", GENERIC_FIRST, "photo_background") == (GENERIC_FIRST, False)
    rental = [("materials_rental_filing", 0.7), ("materials_general", 0.1)]
    assert follow_previous_answer("要带什么材料", rental, "renewal_window") == (rental, False)


def test_every_entry_named_in_the_follow_up_tables_exists() -> None:
    entries = faq_base().entries
    named = {e for table in FOLLOW_UPS.values() for pair in table.items() for e in pair}
    assert named <= set(entries), named - set(entries)


def test_follow_up_candidates_put_the_previous_answers_neighbours_first_in_the_rankers_order() -> None:
    ranking = [("processing_time", 0.3), ("delivery_notice", 0.1), ("registration_what", 0.05)]
    # 「多久到」 after the courier answer: the delivery entries the rankers like best, then their best guess
    assert follow_up_candidates("delivery_courier", ranking) == ["delivery_notice", "delivery_pickup", "processing_time"]
    # with nothing ranked, the answer's own next questions in its order
    own = list(faq_base().entries["rejection_new_application"].follow_ups)
    assert follow_up_candidates("rejection_new_application", []) == own[:3]
    # the previous entry itself is never offered again
    assert "delivery_courier" not in follow_up_candidates("delivery_courier", [("delivery_courier", 0.9)])


def test_a_leader_too_weak_to_trust_is_not_settled_by_the_subject_alone() -> None:
    # 「要是网上不行呢」 after the online-renewal answer: the rankers barely guess (0.10)
    weak = [("application_online", 0.1), ("renewal_offline", 0.08)]
    assert follow_previous_answer("要是网上不行呢", weak, "renewal_online") == (weak, False)


def test_an_expiry_leader_stays_when_the_question_speaks_of_expiry() -> None:
    # 「超过30天了」 after the address answer is its deadline; 「过期20天了」 is the permit's expiry
    grace = [("expiry_within_60", 0.6), ("change_address", 0.1)]
    assert follow_previous_answer("过期20天了怎么办", grace, "change_address") == (grace, False)
    assert follow_previous_answer("超过30天了怎么办", grace, "change_address")[0][0][0] == "change_address"
