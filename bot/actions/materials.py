"""Materials dialog actions: the form's questions, validation and the final checklist.

Thin on purpose: questions, buttons and explanations come from knowledge/materials
(bot.materials.rules); free text is understood by bot.materials.understanding; the checklist
is built, rendered and saved by bot.materials. Rasa entities from buttons and synonyms are the
first pass; free text that Rasa did not turn into an entity is interpreted here.
"""

from __future__ import annotations

import asyncio
import json
import logging
from abc import ABC, abstractmethod
from datetime import date
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.materials.render_text import render_checklist_text
from bot.materials.rules import (
    FREE_VALUE_SLOTS,
    SLOT_PREFIX,
    Checklist,
    MaterialsAnswers,
    build_checklist,
    default_materials,
    relevant_answers,
    slots_to_ask,
)
from bot.materials.service import card_message, latest_checklist_for, save_answers, shanghai_today
from bot.materials.understanding import (
    clarification_for,
    extract_past_date,
    interpret_answer,
    looks_like_question,
    registration_status_for,
    warm_up,
)

log = logging.getLogger(__name__)

# The action server imports this module at start-up: pay for jieba and the YAML there, because
# Rasa gives an action only a couple of seconds before the channel gives up waiting.
warm_up()

QUESTION_SLOTS = tuple(q.slot for q in default_materials().questions)
RASA_SLOTS = tuple(SLOT_PREFIX + slot for slot in QUESTION_SLOTS)

# Intents that interrupt the form rather than answer it: the form rejects and a rule runs.
INTERRUPTING_INTENTS = frozenset(
    {
        "ask_why",
        "correct_materials",
        "cancel",
        "mylist",
        "greet",
        "thank",
        "goodbye",
        "help",
        "bot_challenge",
        "faq_menu",
        "faq_topic",
        "choose_faq",
        "faq_source",
        "feedback",
        "precheck_start",
        "remind_me",
    }
)
ALREADY_RUNNING = "我们正在列材料清单，回答下面这一题就能继续；想从头来可以先点“取消”。"
NOT_UNDERSTOOD = "抱歉，这个回答我没太看懂。点下面的按钮选一个最接近的就行，或者换个说法告诉我。"
SLOT_TITLES = {
    "application": "业务类型",
    "applicant": "给谁办",
    "registration": "居住登记",
    "registered_on": "登记日期",
    "address_changed": "住址有没有变",
    "housing": "住房情况",
    "activity": "在沪情况",
}


def payload(intent: str, **entities: str) -> str:
    """A Rasa button payload such as /inform_materials{"mat_housing":"own"}."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}" + json.dumps(entities, ensure_ascii=False, separators=(",", ":"))


def answers_from(tracker: Tracker) -> dict[str, str]:
    """The form's answers so far, by plain slot name (no ``mat_`` prefix)."""
    out: dict[str, str] = {}
    for slot in QUESTION_SLOTS:
        value = tracker.get_slot(SLOT_PREFIX + slot)
        if value not in (None, ""):
            out[slot] = str(value)
    return out


# Questions a reply may answer ahead of time: choices, not dates or yes/no.
EARLY_ANSWER_SLOTS = ("application", "applicant", "registration", "housing", "activity")


def answer_to_a_later_question(current: str, text: str, answers: dict[str, str]) -> tuple[str, str] | None:
    """The (slot, value) a reply answers when it does not answer the question asked but plainly
    answers one still to come (「上班」 while asked who the application is for)."""
    for slot in slots_to_ask(answers):
        if slot == current or slot in answers or slot not in EARLY_ANSWER_SLOTS:
            continue
        value = interpret_answer(slot, text, today=_today())
        if value is not None:
            return slot, value
    return None


def later_question_touched(current: str, text: str, answers: dict[str, str]) -> tuple[str, bool] | None:
    """A question still to come (or already answered) that the reply speaks to without settling
    it: 「租的房子」 while asked who the application is for (renting needs the filing question),
    or 「有劳动合同」 once work is already noted. Returns the slot and whether it is already answered."""
    for slot in slots_to_ask(answers):
        if slot == current or slot not in EARLY_ANSWER_SLOTS:
            continue
        if slot in answers:
            if interpret_answer(slot, text, today=_today()) == answers[slot]:
                return slot, True
        elif clarification_for(slot, text) is not None:
            return slot, False
    return None


def option_label(slot: str, value: str) -> str:
    return next((o.label for o in default_materials().question(slot).options if o.value == value), value)


def _today() -> date:
    return shanghai_today()


def _latest_intent(tracker: Tracker) -> str:
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def _latest_text(tracker: Tracker) -> str:
    return str((tracker.latest_message or {}).get("text") or "")


def _question_buttons(slot: str) -> list[dict[str, str]]:
    question = default_materials().question(slot)
    buttons = [
        {
            "title": option.button,
            "payload": payload("inform_materials", **{question.rasa_slot: option.value}),
        }
        for option in question.options
    ]
    buttons.append({"title": "为什么问这个？", "payload": payload("ask_why")})
    buttons.append({"title": "取消", "payload": payload("cancel")})
    return buttons


class ValidateMaterialsForm(FormValidationAction):
    """Asks only what matters, and understands button presses and free text alike."""

    def name(self) -> str:
        return "validate_materials_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return [SLOT_PREFIX + slot for slot in slots_to_ask(answers_from(tracker))]

    # ── extraction of free text ────────────────────────────────────────────

    def _free_text_value(
        self, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        rasa_slot = SLOT_PREFIX + slot
        if (
            tracker.get_slot("requested_slot") != rasa_slot
            or tracker.get_slot(rasa_slot) is not None
        ):
            return {}
        text, intent = _latest_text(tracker), _latest_intent(tracker)
        if intent == "start_materials":
            # Already in the form: keep going with the current question instead of stalling.
            dispatcher.utter_message(text=ALREADY_RUNNING)
            return {rasa_slot: None}
        if not text or text.startswith("/") or intent in INTERRUPTING_INTENTS:
            return {}
        value = interpret_answer(slot, text, today=_today())
        if intent == "faq" or (
            intent not in ("inform_materials", "affirm", "deny") and looks_like_question(text)
        ):
            # A question mid-form: let the FAQ rule answer it, unless it plainly is an answer.
            return {rasa_slot: value} if value is not None and not looks_like_question(text) else {}
        if value is None:
            clarification = clarification_for(slot, text)
            if clarification is None and (early := answer_to_a_later_question(slot, text, answers_from(tracker))):
                # 「上班」 typed while asked who the application is for: keep it, ask this one again
                later_slot, later_value = early
                label = option_label(later_slot, later_value)
                dispatcher.utter_message(text=f"好的，{SLOT_TITLES[later_slot]}先记下：{label}。先回答这一题：")
                return {rasa_slot: None, SLOT_PREFIX + later_slot: later_value}
            if clarification is None and (touched := later_question_touched(slot, text, answers_from(tracker))):
                later_slot, noted = touched
                later = f"{SLOT_TITLES[later_slot]}已经记下了" if noted else f"{SLOT_TITLES[later_slot]}等问到那一题再细说"
                dispatcher.utter_message(text=f"好的，{later}。先回答这一题：")
                return {rasa_slot: None}
            dispatcher.utter_message(text=clarification or NOT_UNDERSTOOD)
            return {rasa_slot: None}
        extra: dict[str, Any] = {}
        if slot == "registration" and (when := extract_past_date(text, _today())) is not None:
            extra[SLOT_PREFIX + "registered_on"] = when.isoformat()
        return {rasa_slot: value, **extra}

    async def extract_mat_application(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._free_text_value("application", dispatcher, tracker)

    async def extract_mat_applicant(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._free_text_value("applicant", dispatcher, tracker)

    async def extract_mat_registration(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._free_text_value("registration", dispatcher, tracker)

    async def extract_mat_registered_on(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._free_text_value("registered_on", dispatcher, tracker)

    async def extract_mat_address_changed(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._free_text_value("address_changed", dispatcher, tracker)

    async def extract_mat_housing(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._free_text_value("housing", dispatcher, tracker)

    async def extract_mat_activity(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._free_text_value("activity", dispatcher, tracker)

    # ── validation of whatever was extracted ───────────────────────────────

    def _validated(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        rasa_slot = SLOT_PREFIX + slot
        if value in (None, ""):
            return {rasa_slot: None}
        value = str(value)
        if slot in FREE_VALUE_SLOTS:
            if value == "unknown":
                return {rasa_slot: value}
            day: date | None
            try:
                day = date.fromisoformat(value)
            except ValueError:
                day = extract_past_date(value, _today())
            if day is None or day > _today():
                dispatcher.utter_message(
                    text="这个日期我没读懂，可以写成 2026-08-15 或“今年8月”。记不清就点“记不清了”。"
                )
                return {rasa_slot: None}
            out: dict[str, Any] = {rasa_slot: day.isoformat()}
            out[SLOT_PREFIX + "registration"] = registration_status_for(day, _today())
            return out
        options = {o.value for o in default_materials().question(slot).options}
        if value in options:
            return {rasa_slot: value}
        # An entity Rasa extracted without a synonym: read it, then the whole message.
        understood = interpret_answer(slot, value, today=_today()) or interpret_answer(
            slot, _latest_text(tracker), today=_today()
        )
        if understood in options:
            return {rasa_slot: understood}
        dispatcher.utter_message(text=NOT_UNDERSTOOD)
        return {rasa_slot: None}

    async def validate_mat_application(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validated("application", value, dispatcher, tracker)

    async def validate_mat_applicant(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validated("applicant", value, dispatcher, tracker)

    async def validate_mat_registration(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validated("registration", value, dispatcher, tracker)

    async def validate_mat_registered_on(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validated("registered_on", value, dispatcher, tracker)

    async def validate_mat_address_changed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validated("address_changed", value, dispatcher, tracker)

    async def validate_mat_housing(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validated("housing", value, dispatcher, tracker)

    async def validate_mat_activity(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._validated("activity", value, dispatcher, tracker)


class _AskQuestion(Action, ABC):
    """Base of action_ask_mat_<slot>: the prompt and buttons of questions.yml.

    Abstract (rasa_sdk registers every concrete Action) and subclassed by name below, because
    the action server pickles its executor: every action class must be importable.
    """

    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{SLOT_PREFIX}{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        question = default_materials().question(self.slot)
        dispatcher.utter_message(text=question.prompt, buttons=_question_buttons(self.slot))
        return []


class AskMatApplication(_AskQuestion):
    slot = "application"


class AskMatApplicant(_AskQuestion):
    slot = "applicant"


class AskMatRegistration(_AskQuestion):
    slot = "registration"


class AskMatRegisteredOn(_AskQuestion):
    slot = "registered_on"


class AskMatAddressChanged(_AskQuestion):
    slot = "address_changed"


class AskMatHousing(_AskQuestion):
    slot = "housing"


class AskMatActivity(_AskQuestion):
    slot = "activity"


ASK_ACTIONS: dict[str, type[_AskQuestion]] = {
    cls.slot: cls
    for cls in (
        AskMatApplication,
        AskMatApplicant,
        AskMatRegistration,
        AskMatRegisteredOn,
        AskMatAddressChanged,
        AskMatHousing,
        AskMatActivity,
    )
}
if set(ASK_ACTIONS) != set(QUESTION_SLOTS):  # a question added to questions.yml needs its class
    raise RuntimeError(f"ask actions {sorted(ASK_ACTIONS)} != questions {sorted(QUESTION_SLOTS)}")


class ActionExplainMaterialsQuestion(Action):
    """「为什么问这个？」: the reason for the question being asked; the form then asks again."""

    def name(self) -> str:
        return "action_explain_materials_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = str(tracker.get_slot("requested_slot") or "")
        if requested.startswith(SLOT_PREFIX):
            why = default_materials().question(requested).why
            dispatcher.utter_message(text=f"问这个是因为：{why}")
        else:
            dispatcher.utter_message(
                text="这几个问题用来确定你需要哪些材料，只问和你的情况有关的。"
            )
        return []


def _slot_to_correct(tracker: Tracker) -> str | None:
    raw = None
    for entity in (tracker.latest_message or {}).get("entities") or []:
        if entity.get("entity") == "mat_slot" and entity.get("value"):
            raw = str(entity["value"])
    raw = raw or tracker.get_slot("mat_slot")
    if not raw:
        return None
    slot = str(raw).removeprefix(SLOT_PREFIX)
    return slot if slot in QUESTION_SLOTS else None


class ActionCorrectMaterialsAnswer(Action):
    """「住房情况说错了」: clears that one answer so the form asks it again; keeps the rest."""

    def name(self) -> str:
        return "action_correct_materials_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        slot = _slot_to_correct(tracker)
        if slot is None:
            answered = [
                s for s in slots_to_ask(answers_from(tracker)) if s in answers_from(tracker)
            ]
            choices = answered or ["application", "housing", "activity"]
            dispatcher.utter_message(
                text="你想改哪一项？",
                buttons=[
                    {"title": SLOT_TITLES[s], "payload": payload("correct_materials", mat_slot=s)}
                    for s in choices
                ],
            )
            return [SlotSet("mat_slot", None)]
        dispatcher.utter_message(
            text=f"好的，我们重新回答“{SLOT_TITLES[slot]}”，其他回答保持不变。"
        )
        events: list[EventType] = [SlotSet("mat_slot", None), SlotSet(SLOT_PREFIX + slot, None)]
        if slot == "registration":
            events.append(SlotSet(SLOT_PREFIX + "registered_on", None))
        return events


class ActionResetMaterials(Action):
    """/cancel: forget the half-finished answers."""

    def name(self) -> str:
        return "action_reset_materials"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [SlotSet(slot, None) for slot in RASA_SLOTS]
        return [*events, SlotSet("mat_slot", None), SlotSet("requested_slot", None)]


def next_step_buttons(checklist: Checklist) -> list[dict[str, str]]:
    buttons = [
        {"title": "检查这些材料的照片", "payload": payload("precheck_start")},
        {"title": "设置续签提醒", "payload": payload("remind_me")},
    ]
    if any(b.offer_reminder for b in checklist.blockers):
        buttons[1] = {"title": "到可以申领时提醒我", "payload": payload("remind_me")}
    buttons.append({"title": "改一个回答", "payload": payload("correct_materials")})
    return buttons


async def _send_checklist(
    dispatcher: CollectingDispatcher, checklist: Checklist, checklist_id: int | None
) -> None:
    dispatcher.utter_message(text=render_checklist_text(checklist))
    if checklist_id is not None:
        dispatcher.utter_message(json_message=card_message(checklist_id))
    saved = "清单已保存，随时发 /mylist 再看。" if checklist_id is not None else ""
    dispatcher.utter_message(text=f"{saved}接下来你可以：", buttons=next_step_buttons(checklist))


class ActionShowChecklist(Action):
    """End of the form: save the answers, send the checklist text, the card and next steps."""

    def name(self) -> str:
        return "action_show_checklist"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answers = relevant_answers(answers_from(tracker))
        if "application" not in answers:
            dispatcher.utter_message(
                text="还缺少业务类型，我们从头来一次吧。",
                buttons=[{"title": "开始", "payload": payload("start_materials")}],
            )
            return []
        materials_answers = MaterialsAnswers.from_json(answers)
        checklist = build_checklist(materials_answers, today=_today())
        checklist_id: int | None
        try:
            checklist_id = await asyncio.to_thread(
                save_answers, tracker.sender_id, materials_answers
            )
        except Exception:  # noqa: BLE001 — the user still gets the text checklist
            log.exception("could not save the checklist")
            checklist_id = None
        await _send_checklist(dispatcher, checklist, checklist_id)
        return []


class ActionShowLatestChecklist(Action):
    """/mylist: the newest saved checklist, rebuilt from the current rules."""

    def name(self) -> str:
        return "action_show_latest_checklist"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            view = await asyncio.to_thread(latest_checklist_for, tracker.sender_id)
        except Exception:  # noqa: BLE001
            log.exception("could not load the checklist")
            dispatcher.utter_message(text="暂时读不到你保存的清单，请稍后再试。")
            return []
        if view is None:
            dispatcher.utter_message(
                text="你还没有生成过材料清单。回答几个问题，我帮你列一份。",
                buttons=[{"title": "开始列清单", "payload": payload("start_materials")}],
            )
            return []
        dispatcher.utter_message(
            text=f"这是你 {view.created_at:%Y-%m-%d} 生成的清单（已按最新规则更新）："
        )
        await _send_checklist(dispatcher, view.checklist, view.checklist_id)
        return []
