"""The FAQ actions driven with a real rasa_sdk Tracker (the selector ranking as Rasa sends it)."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.faq import ActionAnswerFaq, ActionClarify, ActionOutOfScope, is_about_the_permit


def tracker(
    text: str,
    intent: str,
    selector: list[tuple[str, float]],
    intents: list[tuple[str, float]],
    previous_entry: str | None = None,
    earlier: tuple[str, ...] = (),
) -> Tracker:
    latest: dict[str, Any] = {
        "text": text,
        "intent": {"name": intent, "confidence": intents[0][1] if intents else 1.0},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in intents],
        "entities": [],
        "response_selector": {
            "faq": {"ranking": [{"intent_response_key": f"faq/{k}", "confidence": c} for k, c in selector]}
        },
    }
    events = [{"event": "session_started"}]
    for said in (*earlier, text):  # oldest first, as Rasa sends them; payloads are not what the user said
        events += [{"event": "user", "text": said}, {"event": "action", "name": "action_listen"}]
    events.insert(1, {"event": "user", "text": "/greet"})
    return Tracker("test", {"faq_id": previous_entry}, latest, events, False, None, {}, "action_listen")


async def run(action: Any, t: Tracker) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, t, {})
    return dispatcher.messages


def answered(messages: list[dict[str, Any]]) -> str | None:
    return next((m["custom"]["faq_id"] for m in messages if (m.get("custom") or {}).get("type") == "faq_answer"), None)


@pytest.mark.parametrize(
    ("text", "about"),
    [
        ("居住证丢了补办要带什么", True),
        ("小卡过期了怎么办", True),
        ("居住证积分怎么算", False),
        ("外国人居住证怎么办", False),
        ("护照丢了怎么补", False),
    ],
)
def test_is_about_the_permit(text: str, about: bool) -> None:
    assert is_about_the_permit(text) is about


async def test_a_permit_question_filed_as_out_of_scope_is_answered_when_both_rankers_agree() -> None:
    text = "居住证丢了补办要带什么材料"
    messages = await run(ActionOutOfScope(), tracker(text, "out_of_scope", [("lost_materials", 0.9)], [("out_of_scope", 0.9)]))
    assert answered(messages) == "lost_materials"


async def test_out_of_scope_questions_get_the_scope_message() -> None:
    for text, selector in [("居住证积分怎么算", [("concepts_permit_vs_points", 0.9)]), ("今天天气怎么样", [("renewal_window", 0.4)])]:
        messages = await run(ActionOutOfScope(), tracker(text, "out_of_scope", selector, [("out_of_scope", 0.9)]))
        assert answered(messages) is None
        assert messages[0]["response"] == "utter_out_of_scope"


def buttons(messages: list[dict[str, Any]]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


async def test_a_question_that_never_names_the_permit_gets_a_button_to_the_agreed_entry() -> None:
    # Users of a permit assistant often leave the permit out; the classifier may then file the
    # question as out of scope. The bot says its scope, and one tap leads to the right entry.
    text = "换了公司要变更吗"
    messages = await run(ActionOutOfScope(), tracker(text, "out_of_scope", [("change_employer", 0.8)], [("out_of_scope", 0.8)]))
    assert answered(messages) is None
    assert len(messages) == 1 and "只回答上海居住证" in messages[0]["text"] and "12345" in messages[0]["text"]
    assert buttons(messages) == ['/choose_faq{"faq_id":"change_employer"}', "/help"]


async def test_no_permit_button_for_neighbour_topics_or_weak_agreement() -> None:
    cases = [
        ("积分换了公司要变更吗", [("change_employer", 0.9)]),  # names 积分: not our topic
        ("今天天气怎么样", [("renewal_window", 0.9)]),  # the linear classifier does not agree
    ]
    for text, selector in cases:
        messages = await run(ActionOutOfScope(), tracker(text, "out_of_scope", selector, [("out_of_scope", 0.9)]))
        assert [m.get("response") for m in messages] == ["utter_out_of_scope"], text


async def test_rankers_that_disagree_leave_the_scope_message() -> None:
    text = "居住证丢了补办要带什么材料"
    messages = await run(ActionOutOfScope(), tracker(text, "out_of_scope", [("renewal_window", 0.9)], [("out_of_scope", 0.9)]))
    assert answered(messages) is None


async def test_clarify_asks_back_with_buttons_when_unsure() -> None:
    text = "那个东西怎么弄"
    messages = await run(ActionClarify(), tracker(text, "nlu_fallback", [("renewal_window", 0.2), ("lost_replace", 0.2)], [("nlu_fallback", 0.45), ("faq", 0.3)]))
    assert answered(messages) is None
    assert (messages[0].get("custom") or {}).get("type") == "clarify"
    assert messages[0]["buttons"][-1]["title"] == "都不是"


async def test_clarify_answers_when_the_faq_rankers_agree() -> None:
    text = "居住证掉了怎么补办"
    messages = await run(ActionClarify(), tracker(text, "nlu_fallback", [("lost_replace", 0.8)], [("nlu_fallback", 0.45), ("faq", 0.4)]))
    assert answered(messages) == "lost_replace"


@pytest.mark.parametrize(
    ("text", "entities", "helpful"),
    [
        ('/feedback{"faq_id":"renewal_window","helpful":"no"}', [{"entity": "helpful", "value": "no"}], False),
        ('/feedback{"faq_id":"renewal_window","helpful":"yes"}', [{"entity": "helpful", "value": "yes"}], True),
        ("这个回答没帮助", [], False),  # typed: DIET seldom tags the Chinese words
        ("答非所问，没用", [], False),
        ("回答得很好", [], True),
    ],
)
async def test_feedback_is_stored_as_the_user_meant_it(
    text: str, entities: list[dict[str, str]], helpful: bool, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import select

    from bot.actions.faq import ActionFeedback
    from bot.storage.db import session_scope
    from bot.storage.models import Feedback

    monkeypatch.setenv("DATABASE_URL", db_url)
    latest = {"text": text, "intent": {"name": "feedback", "confidence": 0.9}, "entities": entities}
    t = Tracker("tg:7", {"faq_id": "renewal_window"}, latest, [], False, None, {}, "action_listen")
    messages = await run(ActionFeedback(), t)
    with session_scope(db_url) as session:
        stored = list(session.scalars(select(Feedback.helpful)))
    assert stored == [helpful]
    assert ("很高兴" in messages[0]["text"]) is helpful


async def test_a_follow_up_question_is_answered_in_the_subject_of_the_previous_answer() -> None:
    # 「我的居住证快到期了怎么续签」 was answered; 「要带什么材料」 now means the renewal materials.
    selector = [("materials_general", 0.5), ("renewal_materials", 0.3)]
    messages = await run(ActionAnswerFaq(), tracker("要带什么材料", "faq", selector, [("faq", 0.9)], "renewal_window"))
    assert answered(messages) == "renewal_materials"
    fresh = await run(ActionAnswerFaq(), tracker("要带什么材料", "faq", selector, [("faq", 0.9)]))
    assert answered(fresh) == "materials_general"


async def test_an_unsure_follow_up_is_answered_when_the_context_decides() -> None:
    # 「网上能办吗」 after a renewal answer: first application or renewal online? The context says.
    selector = [("application_online", 0.2), ("renewal_online", 0.18), ("application_fully_online", 0.15)]
    intents = [("nlu_fallback", 0.45), ("faq", 0.4)]
    messages = await run(ActionClarify(), tracker("网上能办吗", "nlu_fallback", selector, intents, "renewal_window"))
    assert answered(messages) == "renewal_online"
    fresh = await run(ActionClarify(), tracker("网上能办吗", "nlu_fallback", selector, intents))
    assert (fresh[0].get("custom") or {}).get("type") == "clarify"


async def test_an_overdue_time_said_earlier_decides_between_the_sixty_day_entries() -> None:
    selector = [("expiry_within_60", 0.6), ("expiry_after_60", 0.3)]
    earlier = ("居住证过期了怎么办", "已经过了两个多月了")
    messages = await run(ActionAnswerFaq(), tracker("那年限还算连续吗", "faq", selector, [("faq", 0.9)], None, earlier))
    assert answered(messages) == "expiry_after_60"
    fresh = await run(ActionAnswerFaq(), tracker("那年限还算连续吗", "faq", selector, [("faq", 0.9)]))
    assert answered(fresh) == "expiry_within_60"


async def test_a_slot_set_from_a_typed_payload_is_not_trusted_as_the_previous_answer() -> None:
    # /choose_faq{"faq_id":123} typed by a user puts an int into the slot (found by the fuzzer).
    selector = [("materials_general", 0.5), ("renewal_materials", 0.3)]
    for bogus in (123, ["renewal_window"], "no_such_entry"):
        t = tracker("要带什么材料", "faq", selector, [("faq", 0.9)])
        t.slots["faq_id"] = bogus
        assert answered(await run(ActionAnswerFaq(), t)) == "materials_general"


async def test_a_doubtful_out_of_scope_follow_up_asks_back_with_the_previous_answers_next_questions() -> None:
    # 「我该怎么补」 right after the incomplete-materials answer: the classifier says "out of scope"
    # with 0.46; the user is plainly still talking about that answer.
    t = tracker("我该怎么补", "out_of_scope", [("lost_replace", 0.3), ("rejection_incomplete", 0.2)],
                [("out_of_scope", 0.46)], previous_entry="rejection_incomplete")
    messages = await run(ActionOutOfScope(), t)
    assert answered(messages) is None
    assert (messages[0].get("custom") or {}).get("type") == "clarify"
    offered = (messages[0].get("custom") or {})["candidates"]
    from bot.knowledge import faq_base

    assert offered[:2] == list(faq_base().entries["rejection_incomplete"].follow_ups[:2])
    assert "rejection_incomplete" not in offered and len(offered) == 3


async def test_a_neighbour_topic_or_a_self_contained_question_gets_the_plain_scope_message() -> None:
    cases = [
        ("那积分呢", [("out_of_scope", 0.5)]),  # names a topic we do not cover
        ("居住证积分怎么算", [("out_of_scope", 0.5)]),  # names its subject: not a follow-up
        ("落户要几年社保", [("out_of_scope", 0.99)]),
    ]
    for text, intents in cases:
        t = tracker(text, "out_of_scope", [("renewal_window", 0.3)], intents, previous_entry="rejection_incomplete")
        messages = await run(ActionOutOfScope(), t)
        assert [m.get("response") for m in messages] == ["utter_out_of_scope"], text


async def test_a_confident_out_of_scope_follow_up_says_the_scope_but_offers_the_topics_next_to_the_answer() -> None:
    # 「怎么改」 right after the rejection answer: the classifier, reading it alone, is sure (0.79)
    # it is out of scope. The user most likely still means the rejection.
    t = tracker("怎么改", "out_of_scope", [("change_address", 0.4), ("change_identity", 0.2)],
                [("out_of_scope", 0.79)], previous_entry="rejection_new_application")
    messages = await run(ActionOutOfScope(), t)
    assert answered(messages) is None and len(messages) == 1
    assert "审核没通过" in messages[0]["text"] and "12345" in messages[0]["text"]
    offered = [b["payload"] for b in messages[0]["buttons"]]
    # the rejection answer's next questions, in the rankers' order (the linear classifier reads 改 too)
    assert set(offered[:2]) == {'/choose_faq{"faq_id":"rejection_common_causes"}', '/choose_faq{"faq_id":"rejection_resubmit"}'}
    assert offered[2].startswith('/choose_faq{"faq_id":"change_')  # the rankers' own reading stays on offer
    assert offered[-1] == "/help"
    # the same words opening a conversation get the plain scope message
    fresh = await run(ActionOutOfScope(), tracker("怎么改", "out_of_scope", [("change_address", 0.4)], [("out_of_scope", 0.79)]))
    assert [m.get("response") for m in fresh] == ["utter_out_of_scope"]


async def test_a_confident_out_of_scope_follow_up_the_conversation_settles_is_answered() -> None:
    # 「可以让别人帮我补吗」 after the lost-card answer: the proxy entries mean the lost-card materials
    t = tracker("可以让别人帮我补吗", "out_of_scope", [("renewal_by_others", 0.5), ("proxy_friend", 0.2)],
                [("out_of_scope", 0.9)], previous_entry="lost_replace")
    assert answered(await run(ActionOutOfScope(), t)) == "lost_materials"


async def test_unsure_follow_ups_are_asked_back_with_the_topics_next_to_the_previous_answer() -> None:
    # 「为啥」 after the rejection answer: the rankers' guesses are about registration (and disagree)
    selector = [("registration_half_year", 0.2), ("registration_what", 0.15), ("application_fee", 0.1)]
    intents = [("nlu_fallback", 0.45), ("faq", 0.3)]
    messages = await run(ActionClarify(), tracker("为啥", "nlu_fallback", selector, intents, "rejection_new_application"))
    offered = (messages[0].get("custom") or {})["candidates"]
    assert offered[:2] == ["rejection_common_causes", "rejection_resubmit"]
    assert offered[2].startswith("registration_")  # the rankers' best guess stays on offer
    fresh = await run(ActionClarify(), tracker("为啥", "nlu_fallback", selector, intents))
    assert not any(c.startswith("rejection_") for c in (fresh[0].get("custom") or {})["candidates"])


async def test_an_answer_the_conversation_decided_offers_no_second_topic_from_the_overruled_reading() -> None:
    # 「超过30天了怎么办」 after the address-change answer means its 30-day deadline, not an expired permit
    selector = [("expiry_after_60", 0.6), ("expiry_within_60", 0.2)]
    messages = await run(ActionAnswerFaq(), tracker("超过30天了怎么办", "faq", selector, [("faq", 0.9)], "change_address"))
    assert answered(messages) == "change_address"
    assert not any(b["title"].startswith("另外") for b in messages[0]["buttons"])
    assert "过了30天" in messages[0]["text"]
    fresh = await run(ActionAnswerFaq(), tracker("超过30天了怎么办", "faq", selector, [("faq", 0.9)]))
    assert answered(fresh) == "expiry_after_60"


async def test_without_a_previous_answer_a_doubtful_out_of_scope_gets_the_scope_message() -> None:
    t = tracker("我该怎么补", "out_of_scope", [("lost_replace", 0.3)], [("out_of_scope", 0.46)])
    messages = await run(ActionOutOfScope(), t)
    assert [m.get("response") for m in messages] == ["utter_out_of_scope"]


async def test_an_unsure_question_that_states_a_past_expiry_date_is_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    # 「上个月28号到期了」 on 2026-12-07: nine days overdue, so the within-60 entry answers, even
    # though the rankers alone were unsure between it and the renewal window.
    monkeypatch.setenv("BOT_CLOCK", "2026-12-07T02:00:00+00:00")
    selector = [("renewal_window", 0.25), ("expiry_within_60", 0.2), ("expiry_what_now", 0.15)]
    intents = [("nlu_fallback", 0.45), ("faq", 0.1)]
    text = "我的居住证上个月28号到期了 忘了续"
    assert answered(await run(ActionClarify(), tracker(text, "nlu_fallback", selector, intents))) == "expiry_within_60"
    # the same uncertainty without a date is still asked back
    undated = await run(ActionClarify(), tracker("我的居住证到期了 忘了续", "nlu_fallback", selector, intents))
    assert (undated[0].get("custom") or {}).get("type") == "clarify"


async def test_an_expiry_date_said_earlier_answers_can_i_renew_now(monkeypatch: pytest.MonkeyPatch) -> None:
    # 「我的居住证12月20号到期」 then 「现在能续吗」: read alone it looked like an expired permit
    monkeypatch.setenv("BOT_CLOCK", "2026-12-08T02:00:00+00:00")
    selector = [("expiry_within_60", 0.2), ("renewal_window", 0.15), ("materials_contract_only", 0.1)]
    intents = [("nlu_fallback", 0.45), ("faq", 0.06)]
    t = tracker("现在能续吗", "nlu_fallback", selector, intents, None, ("我的居住证12月20号到期",))
    messages = await run(ActionClarify(), t)
    assert answered(messages) == "renewal_window"
    assert messages[0]["text"].startswith("按你说的到期日（12月20日），还剩12天")
    undated = await run(ActionClarify(), tracker("现在能续吗", "nlu_fallback", selector, intents))
    assert answered(undated) != "renewal_window" and "按你说的" not in (undated[0]["text"] or "")


async def test_an_unsure_faq_reading_of_a_follow_up_asks_back_with_the_neighbours_too() -> None:
    # 「办完能立刻用吗」 after the online-renewal-time answer: filed as faq, weakly, rankers disagreeing
    selector = [("materials_e_certificates", 0.12), ("application_fully_online", 0.1), ("lost_damaged", 0.08)]
    t = tracker("办完能立刻用吗", "faq", selector, [("faq", 0.5)], "renewal_online_effect")
    offered = (await run(ActionAnswerFaq(), t))[0]["custom"]["candidates"]
    assert offered[:2] == ["renewal_online", "renewal_offline"], offered
