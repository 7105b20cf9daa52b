"""FAQ actions: answer from knowledge/, ask back when unsure, sources, feedback, topic menus."""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.brain.conversation_context import EARLIER_TURNS, follow_up_candidates, is_follow_up
from bot.brain.faq_ranking import FaqChoice, choose_faq, warm_up_in_background
from bot.knowledge import FaqEntry, faq_base
from bot.text import normalize_text

log = logging.getLogger(__name__)

# Below this fused confidence (the mean of the two rankers' probabilities), and unless both rankers
# put the same entry first, an answer would be a guess: ask back instead (benchmarks/README.md).
ANSWER_THRESHOLD = 0.3
# A second topic this likely is offered as a button (multi-part questions).
SECOND_TOPIC_THRESHOLD = 0.15
# A question filed as out of scope that never names the permit still gets a button to the entry
# both rankers agree on, at this fused confidence (elliptical permit questions: 0.7-0.9).
SUGGESTION_THRESHOLD = 0.6
# An out-of-scope verdict this unsure, on a message that leans on the previous answer
# (「我该怎么补」 after the incomplete-materials answer), more likely continues the conversation.
FOLLOW_UP_DOUBT = 0.6

warm_up_in_background()
CERTAINTY_NOTE = {
    "uncertain": "（这一点各来源说法不一，办理前请在随申办或社区事务受理服务中心确认。）",
}


def payload(intent: str, **entities: str) -> str:
    """A Rasa button payload such as /choose_faq{"faq_id":"x"}."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))


def selector_ranking(tracker: Tracker) -> list[tuple[str, float]]:
    """(entry id, confidence) pairs from the ResponseSelector, best first."""
    selector = (tracker.latest_message or {}).get("response_selector", {}).get("faq", {})
    ranking = selector.get("ranking") or []
    out: list[tuple[str, float]] = []
    for item in ranking:
        key = str(item.get("intent_response_key", ""))
        if key.startswith("faq/"):
            out.append((key[4:], float(item.get("confidence", 0.0))))
    return out


def entity_value(tracker: Tracker, name: str) -> str | None:
    for ent in (tracker.latest_message or {}).get("entities", []) or []:
        if ent.get("entity") == name and ent.get("value"):
            return str(ent["value"])
    return None


def answer_buttons(entry: FaqEntry, second: str | None) -> list[dict[str, str]]:
    base = faq_base()
    buttons: list[dict[str, str]] = []
    if second and (other := base.get(second)):
        buttons.append({"title": f"另外：{other.short}", "payload": payload("choose_faq", faq_id=other.id)})
    for ref in entry.follow_ups[:3]:
        if ref != second and (other := base.get(ref)):
            buttons.append({"title": other.short, "payload": payload("choose_faq", faq_id=other.id)})
    if entry.topic == "materials":
        buttons.insert(0, {"title": "按我的情况列清单", "payload": payload("start_materials")})
    buttons.append({"title": "来源", "payload": payload("faq_source", faq_id=entry.id)})
    buttons.append({"title": "👍 有用", "payload": payload("feedback", faq_id=entry.id, helpful="yes")})
    buttons.append({"title": "👎 没用", "payload": payload("feedback", faq_id=entry.id, helpful="no")})
    return buttons


def answer_text(entry: FaqEntry) -> str:
    note = CERTAINTY_NOTE.get(entry.certainty, "")
    return f"{entry.answer}\n{note}" if note and note not in entry.answer else entry.answer


def clarify_buttons(candidates: list[str]) -> list[dict[str, str]]:
    base = faq_base()
    buttons = [
        {"title": base.entries[c].short, "payload": payload("choose_faq", faq_id=c)}
        for c in candidates
        if c in base.entries
    ]
    buttons.append({"title": "都不是", "payload": payload("none_of_these")})
    return buttons


def ask_back(dispatcher: CollectingDispatcher, candidates: list[str]) -> None:
    """Offer the likeliest topics as buttons; the "clarify" marker lets channels count fallbacks."""
    dispatcher.utter_message(
        text="我不太确定你想问的是哪一个，是下面这些吗？",
        buttons=clarify_buttons(candidates),
        json_message={"type": "clarify", "candidates": candidates},
    )


def log_fallback(tracker: Tracker, top: str, confidence: float) -> None:
    """Keep the unsure question (masked) for the next round of training data."""
    from bot.storage.fallbacks import record_fallback_question

    try:
        record_fallback_question(tracker.sender_id, (tracker.latest_message or {}).get("text") or "", top, confidence)
    except Exception:  # noqa: BLE001 — storing a log row must never break the answer
        log.warning("could not store fallback question", exc_info=True)


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        base = faq_base()
        chosen = entity_value(tracker, "faq_id")
        if chosen and chosen in base.entries:
            return answer(dispatcher, chosen, 1.0, None)
        choice = choose_for(tracker)
        ranked = [(rid, conf) for rid, conf in choice.ranking if rid in base.entries]
        if not ranked:
            dispatcher.utter_message(response="utter_none_of_these")
            return []
        entry_id, confidence = ranked[0]
        if confidence < ANSWER_THRESHOLD and not (choice.rankers_agree or choice.settled_by_context):
            log_fallback(tracker, f"faq/{entry_id}", confidence)
            ask_back(dispatcher, candidates_for(tracker, choice))
            return []
        # a reading the conversation decided leaves the rankers' other reading out: it is the
        # context-free one the context just overruled (「超过30天了」 after the address answer)
        second = None if choice.settled_by_context else next(
            (rid for rid, conf in ranked[1:3] if conf >= SECOND_TOPIC_THRESHOLD and base.entries[rid].topic != base.entries[entry_id].topic),
            None,
        )
        return answer(dispatcher, entry_id, confidence, second, choice)


def agreed_entry(choice: FaqChoice) -> tuple[str, float] | None:
    """The entry both rankers put first, when the fused confidence backs it: enough to answer
    even where the intent classifier was unsure or misfiled the question."""
    best = choice.best
    if best and choice.rankers_agree and best[1] >= ANSWER_THRESHOLD and best[0] in faq_base().entries:
        return best
    return None


def candidates_for(tracker: Tracker, choice: FaqChoice) -> list[str]:
    """Up to three topics to ask back with; a follow-up gets the previous answer's neighbours."""
    previous = previous_entry(tracker)
    if previous and is_follow_up(latest_text(tracker)):
        return follow_up_candidates(previous, choice.ranking)
    return [rid for rid, _ in choice.ranking if rid in faq_base().entries][:3]


def latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def earlier_texts(tracker: Tracker) -> list[str]:
    """What the user typed before the latest message in this session, latest first (buttons
    and other payloads left out)."""
    texts: list[str] = []
    user_events = 0
    for event in reversed(tracker.events or []):
        if event.get("event") == "session_started":
            break
        if event.get("event") != "user":
            continue
        user_events += 1
        text = str(event.get("text") or "")
        if user_events > 1 and text and not text.startswith("/"):  # the first one is the latest message
            texts.append(text)
            if len(texts) == EARLIER_TURNS:
                break
    return texts


def previous_entry(tracker: Tracker) -> str | None:
    """The entry answered last in this session, if the slot names one."""
    previous = tracker.get_slot("faq_id")  # a typed payload can put anything in a slot
    return previous if isinstance(previous, str) and previous in faq_base().entries else None


def choose_for(tracker: Tracker) -> FaqChoice:
    """The FAQ ranking for the latest message, read in the light of the conversation."""
    return choose_faq(latest_text(tracker), selector_ranking(tracker), previous_entry(tracker), earlier_texts(tracker))


def intent_confidence(tracker: Tracker) -> float:
    try:
        return float(((tracker.latest_message or {}).get("intent") or {}).get("confidence") or 0.0)
    except (TypeError, ValueError):
        return 0.0


def answer(
    dispatcher: CollectingDispatcher, entry_id: str, confidence: float, second: str | None, choice: FaqChoice | None = None
) -> list[dict[str, Any]]:
    """Answer ``entry_id``; the ``choice`` it was chosen from may add the user's own dates first."""
    entry = faq_base().entries[entry_id]
    note = choice.note if choice and choice.best and choice.best[0] == entry_id else ""
    text = f"{note}\n\n{answer_text(entry)}" if note else answer_text(entry)
    dispatcher.utter_message(text=text, buttons=answer_buttons(entry, second))
    # tells the channels (and `ask --json`) which entry was answered
    dispatcher.utter_message(json_message={"type": "faq_answer", "faq_id": entry.id, "confidence": round(confidence, 4)})
    return [SlotSet("faq_id", entry.id)]


class ActionClarify(Action):
    """NLU fallback: offer the 2-3 likeliest topics as buttons instead of guessing.

    One exception: the intent classifier was unsure, but its best guess is an FAQ question and
    both FAQ rankers (the response selector and the linear classifier, which fail on different
    questions) put the same entry first — that agreement is evidence enough to answer.
    """

    def name(self) -> str:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        intents = (tracker.latest_message or {}).get("intent_ranking") or []
        top_intent = next((i.get("name") for i in intents if i.get("name") != "nlu_fallback"), "") or ""
        top_conf = next((float(i.get("confidence", 0)) for i in intents if i.get("name") != "nlu_fallback"), 0.0)
        choice = choose_for(tracker)
        if top_intent == "faq" and (agreed := agreed_entry(choice)):
            return answer(dispatcher, agreed[0], agreed[1], None, choice)
        if top_intent == "faq" and choice.settled_by_context and (best := choice.best) and best[0] in faq_base().entries:
            return answer(dispatcher, best[0], best[1], None, choice)
        candidates = candidates_for(tracker, choice)
        log_fallback(tracker, str(top_intent), top_conf)
        if not candidates:
            dispatcher.utter_message(response="utter_none_of_these")
            return []
        ask_back(dispatcher, candidates)
        return []


class ActionOutOfScope(Action):
    """The scope message — unless the question is plainly about the residence permit itself.

    The intent classifier sometimes files a permit question under "out of scope" because it
    resembles questions about other documents (「…丢了补办要带什么」). When the question names
    the permit or its registration, mentions none of the neighbouring topics we do not cover,
    and both FAQ rankers agree on one entry, that entry answers instead. On a follow-up (no
    subject named, just after an answer) the door stays open: a doubtful verdict asks back, a
    confident one says the scope but offers the previous answer's neighbouring topics.
    """

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        text = latest_text(tracker)
        previous = previous_entry(tracker)
        if previous and is_follow_up(text) and not names_a_neighbour_topic(text):
            return continue_conversation(dispatcher, tracker, previous)
        agreed = agreed_entry(choose_faq(text, selector_ranking(tracker)))
        if agreed and is_about_the_permit(text):
            return answer(dispatcher, agreed[0], agreed[1], None)
        if agreed and agreed[1] >= SUGGESTION_THRESHOLD and not names_a_neighbour_topic(text):
            suggest_permit_reading(dispatcher, agreed[0])
        else:
            dispatcher.utter_message(response="utter_out_of_scope")
        return []


def continue_conversation(dispatcher: CollectingDispatcher, tracker: Tracker, previous: str) -> list[dict[str, Any]]:
    """"Out of scope" on a follow-up: the model read it alone, without the answer before. Answer
    when the conversation settles it; else a doubtful verdict asks back, and a confident one says
    the scope but still offers the topics next to the previous answer, in case the user is on it."""
    choice = choose_for(tracker)
    best = choice.best
    if best and best[0] in faq_base().entries and choice.settled_by_context:
        return answer(dispatcher, best[0], best[1], None, choice)
    candidates = follow_up_candidates(previous, choice.ranking)
    if intent_confidence(tracker) < FOLLOW_UP_DOUBT:
        log_fallback(tracker, "out_of_scope", intent_confidence(tracker))
        ask_back(dispatcher, candidates)
        return []
    base = faq_base()
    dispatcher.utter_message(
        text=(
            f"这句我没看出是不是在问居住证。如果你是接着刚才「{base.entries[previous].short}」问的，"
            "可能是下面这几条；问别的事（积分、落户、其他证件等）的话，请查随申办、一网通办，"
            "或拨打 12345 市民服务热线。"
        ),
        buttons=[
            *({"title": base.entries[c].short, "payload": payload("choose_faq", faq_id=c)} for c in candidates),
            {"title": "我能问什么", "payload": payload("help")},
        ],
    )
    return []


def suggest_permit_reading(dispatcher: CollectingDispatcher, entry_id: str) -> None:
    """A question that never names the permit (「换了公司要变更吗」) may still be about it: instead
    of the plain scope message, say the scope and offer the entry the rankers agree on."""
    entry = faq_base().entries[entry_id]
    dispatcher.utter_message(
        text=(
            "我只回答上海居住证本身的问题，没看出这句是不是在问居住证。\n"
            "如果是，你可能想问下面这条；如果问的是别的事（积分、落户、其他证件等），"
            "请查随申办、一网通办，或拨打 12345 市民服务热线。"
        ),
        buttons=[
            {"title": entry.short, "payload": payload("choose_faq", faq_id=entry.id)},
            {"title": "我能问什么", "payload": payload("help")},
        ],
    )


PERMIT_WORDS = ("居住证", "居住登记", "小卡", "签注", "续签")
NEIGHBOUR_TOPICS = (
    "积分", "落户", "居转户", "户口", "外国", "外籍", "老外", "签证", "visa", "护照", "港澳", "台湾", "台胞",
    "驾驶证", "驾照", "社保卡", "公积金", "医保", "工作许可", "人才", "身份证办理", "临时身份证",
)


def names_a_neighbour_topic(text: str) -> bool:
    clean = normalize_text(text).lower()
    return any(w in clean for w in NEIGHBOUR_TOPICS)


def is_about_the_permit(text: str) -> bool:
    clean = normalize_text(text).lower()
    return any(w in clean for w in PERMIT_WORDS) and not names_a_neighbour_topic(clean)


class ActionFaqSource(Action):
    def name(self) -> str:
        return "action_faq_source"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        entry_id = entity_value(tracker, "faq_id") or tracker.get_slot("faq_id")
        entry = faq_base().get(entry_id or "")
        if entry is None:
            dispatcher.utter_message(text="先问我一个问题，我再告诉你这条答案的来源。")
            return []
        lines = [f"「{entry.question}」的依据："]
        lines += [f"• {s.title}：{s.url}" if s.title else f"• {s.url}" for s in entry.sources]
        label = {"official": "官方文件", "consistent": "多个公开来源一致", "uncertain": "来源说法不一，请向官方确认"}
        lines.append(f"可信度：{label[entry.certainty]}；最后核对：{entry.last_verified.isoformat()}")
        dispatcher.utter_message(text="\n".join(lines))
        return [SlotSet("faq_id", entry.id)]


NEGATIVE_FEEDBACK = ("没用", "没帮助", "没有帮助", "不准确", "不对", "答非所问", "差评", "没看懂", "不清楚", "错", "👎")


def was_helpful(helpful_entity: str | None, text: str) -> bool:
    """The button's value; typed feedback (DIET rarely tags it) is negative when it says so."""
    if helpful_entity in ("yes", "no"):
        return helpful_entity == "yes"
    return not any(marker in text for marker in NEGATIVE_FEEDBACK)


class ActionFeedback(Action):
    def name(self) -> str:
        return "action_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        from bot.storage.fallbacks import record_feedback

        entry_id = entity_value(tracker, "faq_id") or tracker.get_slot("faq_id") or ""
        helpful = was_helpful(entity_value(tracker, "helpful"), (tracker.latest_message or {}).get("text") or "")
        if faq_base().get(entry_id) is None:
            dispatcher.utter_message(text="谢谢你的反馈！")
            return []
        try:
            record_feedback(tracker.sender_id, entry_id, helpful)
        except Exception:  # noqa: BLE001
            log.warning("could not store feedback", exc_info=True)
        if helpful:
            dispatcher.utter_message(text="谢谢！很高兴能帮上忙。")
        else:
            dispatcher.utter_message(
                text="抱歉没帮上忙，我们会改进这条回答。情况特殊的话，可以拨打 12345 市民服务热线或到社区事务受理服务中心问问。",
                buttons=[{"title": "看看其他问题", "payload": payload("faq_menu")}],
            )
        return []


class ActionFaqMenu(Action):
    def name(self) -> str:
        return "action_faq_menu"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        topics = faq_base().topics.values()
        dispatcher.utter_message(
            text="想了解哪方面？点一个分类，或者直接打字问我。",
            buttons=[{"title": t.title, "payload": payload("faq_topic", topic=t.key)} for t in topics],
        )
        return []


class ActionFaqTopic(Action):
    def name(self) -> str:
        return "action_faq_topic"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[dict[str, Any]]:
        base = faq_base()
        topic = base.topics.get(entity_value(tracker, "topic") or tracker.get_slot("topic") or "")
        if topic is None:
            return await ActionFaqMenu().run(dispatcher, tracker, domain)
        dispatcher.utter_message(
            text=f"「{topic.title}」常见问题：",
            buttons=[{"title": base.entries[i].short, "payload": payload("choose_faq", faq_id=i)} for i in topic.entry_ids],
        )
        return []
