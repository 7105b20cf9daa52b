"""Renewal-reminder actions: the capture form, the list, 「✅ 已办好」, calendar export, delete.

Thin on purpose: dates are understood by bot.reminders.dates, replies are written by
bot.reminders.chat, storage goes through bot.reminders.service. Every action that names a
reminder (button payloads such as ``/reminder_done{"reminder_id":"12"}``) looks it up *for
tracker.sender_id only*, so a forged payload naming someone else's reminder is refused politely.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from datetime import date
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.actions.faq import ActionAnswerFaq, latest_text
from bot.reminders import chat, service
from bot.reminders.dates import DateError, parse_expiry_date
from bot.reminders.done_statement import says_renewed
from bot.reminders.schedule import shanghai_today
from bot.replies import Reply
from bot.storage.db import with_db_retry

log = logging.getLogger(__name__)

FORM = "reminder_form"
FORM_SLOTS = ("reminder_expiry", "reminder_date_ok", "reminder_label", "reminder_consent",
              "reminder_pick_partial")
CALENDAR_MESSAGE_TYPE = "reminder_calendar"
FALLBACK_CONSENT_TEXT = "设置提醒需要保存你的居住证到期日和聊天账号，只用来按时提醒你。同意保存吗？"


def utter(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    dispatcher.utter_message(
        text=reply.text, buttons=[{"title": b.title, "payload": b.payload} for b in reply.buttons]
    )


def reset_form_slots() -> list[EventType]:
    return [SlotSet(slot, None) for slot in FORM_SLOTS]


def _latest_intent(tracker: Tracker) -> str:
    return str(((tracker.latest_message or {}).get("intent") or {}).get("name") or "")


def _latest_entity(tracker: Tracker, entity: str) -> str | None:
    for item in (tracker.latest_message or {}).get("entities") or []:
        if item.get("entity") == entity and item.get("value") not in (None, ""):
            return str(item["value"])
    return None


def _reminder_id(tracker: Tracker) -> int | None:
    raw = _latest_entity(tracker, "reminder_id") or tracker.get_slot("reminder_id")
    try:
        return int(str(raw))
    except (TypeError, ValueError):
        return None


def _send_hour() -> int:
    from bot.config import load_settings

    return load_settings().reminder_send_hour


def _channel(tracker: Tracker) -> str:
    metadata = tracker.get_slot("session_started_metadata") or {}
    latest = (tracker.latest_message or {}).get("metadata") or {}
    channel = latest.get("channel") or (metadata.get("channel") if isinstance(metadata, dict) else None)
    if channel:
        return str(channel)
    return "telegram" if tracker.sender_id.startswith("tg:") else "console"


def _has_consent(sender_id: str) -> bool:
    try:
        from bot.privacy import has_reminder_consent
    except ImportError:
        return False
    return has_reminder_consent(sender_id)


def _consent_text() -> str:
    try:
        from bot.privacy import REMINDER_CONSENT_TEXT
    except ImportError:
        return FALLBACK_CONSENT_TEXT
    return REMINDER_CONSENT_TEXT


class ValidateReminderForm(FormValidationAction):
    """Reads the typed or picked date, the confirmation, the label and the consent.

    When the form starts, Rasa also validates the slots an action reset just before (value None);
    those are not answers, so they are kept empty and nothing is said about them.
    """

    def name(self) -> str:
        return "validate_reminder_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot("reminder_consent") is True or _has_consent(tracker.sender_id):
            return [slot for slot in domain_slots if slot != "reminder_consent"]
        return list(domain_slots)

    def validate_reminder_expiry(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        pick = _latest_entity(tracker, "pick")
        if slot_value is None and not pick:  # a reset before the form starts, not an answer
            return {"reminder_expiry": None}
        if _latest_intent(tracker) == "reminder_pick" and pick:
            text, partial = chat.picked_text(pick)
            if text is None:
                return {"reminder_expiry": None, "reminder_pick_partial": partial}
        else:
            text = str(slot_value or "").strip()
            if text.startswith("/"):  # some other button pressed mid-form: ask again
                return {"reminder_expiry": None}
        result = parse_expiry_date(text, shanghai_today(chat.now_utc()))
        if result.ok and result.value is not None:
            return {"reminder_expiry": result.value.isoformat(), "reminder_pick_partial": None}
        utter(dispatcher, chat.refusal(result))
        return {"reminder_expiry": None, "reminder_pick_partial": None}

    def validate_reminder_date_ok(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if slot_value is None:  # a reset before the form starts, not an answer
            return {"reminder_date_ok": None}
        if slot_value is True:
            return {"reminder_date_ok": True}
        # 「不对，是3月6号」: the right date came with the no, so confirm that one instead
        said = str(tracker.latest_message.get("text") or "")
        result = parse_expiry_date(said, shanghai_today(chat.now_utc()))
        if result.ok and result.value is not None:
            return {"reminder_date_ok": None, "reminder_expiry": result.value.isoformat()}
        if result.error is not None and result.error is not DateError.UNRECOGNISED:
            utter(dispatcher, chat.refusal(result))
        else:
            dispatcher.utter_message(text="好的，那请重新告诉我到期日。")
        return {"reminder_date_ok": None, "reminder_expiry": None}

    def validate_reminder_label(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if slot_value is None:  # a reset before the form starts, not an answer
            return {"reminder_label": None}
        said = str(_latest_entity(tracker, "reminder_label") or slot_value or "")
        label = chat.normalise_label(said)
        if label is None and not said.startswith("/"):  # a button from elsewhere: just ask again
            dispatcher.utter_message(text=f"称呼请写短一点（{chat.MAX_LABEL_CHARS}个字以内），比如「本人」「配偶」「孩子」。")
        return {"reminder_label": label}

    def validate_reminder_consent(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        # None is a reset before the form starts: ask, never read it as a no
        return {"reminder_consent": None if slot_value is None else slot_value is True}


class AskReminderExpiry(Action):
    def name(self) -> str:
        return "action_ask_reminder_expiry"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        today = shanghai_today(chat.now_utc())
        utter(dispatcher, chat.ask_expiry(today, tracker.get_slot("reminder_pick_partial")))
        return []


class AskReminderDateOk(Action):
    def name(self) -> str:
        return "action_ask_reminder_date_ok"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        expiry = date.fromisoformat(str(tracker.get_slot("reminder_expiry")))
        utter(dispatcher, chat.confirm_date(expiry, shanghai_today(chat.now_utc())))
        return []


class AskReminderLabel(Action):
    def name(self) -> str:
        return "action_ask_reminder_label"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        utter(dispatcher, chat.ask_label())
        return []


class AskReminderConsent(Action):
    def name(self) -> str:
        return "action_ask_reminder_consent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        utter(dispatcher, chat.ask_consent(_consent_text()))
        return []


class ActionSaveReminder(Action):
    """The form is complete: store the reminder (only with consent) and show its schedule."""

    def name(self) -> str:
        return "action_save_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        sender_id = tracker.sender_id
        consent = tracker.get_slot("reminder_consent")
        if consent is False or (consent is None and not _has_consent(sender_id)):
            utter(dispatcher, chat.not_saved())
            return reset_form_slots()
        expiry_text = tracker.get_slot("reminder_expiry")
        if not expiry_text:
            utter(dispatcher, chat.cancelled())
            return reset_form_slots()
        if consent is True:
            try:
                from bot.privacy import give_reminder_consent

                give_reminder_consent(sender_id)
            except ImportError:
                pass
        now = chat.now_utc()
        label = str(tracker.get_slot("reminder_label") or "本人")
        try:
            view = with_db_retry(lambda: service.create_reminder(
                sender_id, date.fromisoformat(str(expiry_text)), now, label, channel=_channel(tracker)))
        except ValueError:
            dispatcher.utter_message(text=f"每个人最多设{service.MAX_REMINDERS_PER_USER}个提醒，请先删掉不用的。")
            return reset_form_slots()
        utter(dispatcher, chat.saved(view, now, _send_hour()))
        return reset_form_slots()


class ActionReminderFromDate(Action):
    """Start the form with the date the message already holds, so it is given only once.

    A date typed outside any form (「我的居住证2027年3月5日到期」) and a request that names it
    (「下个月20号到期，到时候提醒我」) skip the date question. A request without a date
    (「到期前提醒我」) just starts the form; an impossible date is explained first.
    """

    def name(self) -> str:
        return "action_reminder_from_date"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        text = str((tracker.latest_message or {}).get("text") or "")
        result = parse_expiry_date(text, shanghai_today(chat.now_utc()))
        events: list[EventType] = reset_form_slots()
        if result.ok and result.value is not None:
            events.append(SlotSet("reminder_expiry", result.value.isoformat()))
        elif result.error is not DateError.UNRECOGNISED or _latest_intent(tracker) == "give_date":
            utter(dispatcher, Reply(result.reason))
        return events  # the rules run the form next


class ActionReminderLabelOutsideForm(Action):
    """「本人」 typed (or an old label button pressed) while no reminder is being set up.

    It used to start the reminder form, so a user answering something else was asked for an
    expiry date out of the blue and stayed stuck at that question.
    """

    def name(self) -> str:
        return "action_reminder_label_outside_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        said = _latest_entity(tracker, "reminder_label") or str((tracker.latest_message or {}).get("text") or "")
        utter(dispatcher, chat.label_outside_form(chat.normalise_label(said)))
        return []


class ActionReminderCancelled(Action):
    def name(self) -> str:
        return "action_reminder_cancelled"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        utter(dispatcher, chat.cancelled())
        return reset_form_slots()


class ActionListReminders(Action):
    def name(self) -> str:
        return "action_list_reminders"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reminders = with_db_retry(lambda: service.reminders_of(tracker.sender_id))
        utter(dispatcher, chat.reminder_list(reminders, chat.now_utc()))
        return []


class _OwnedReminderAction(Action, ABC):
    """Base for button actions naming one reminder: refuses ids the sender does not own."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        reminder_id = _reminder_id(tracker)
        view = None
        if reminder_id is not None:
            view = with_db_retry(lambda: service.owned_reminder(tracker.sender_id, reminder_id))
        else:  # typed (「已经续签好了」) rather than pressed: obvious only with a single reminder
            mine = with_db_retry(lambda: service.reminders_of(tracker.sender_id))
            if len(mine) == 1:
                view = mine[0]
            else:
                utter(dispatcher, chat.reminder_list(mine, chat.now_utc()))
                return []
        if view is None:
            log.info("refused %s for reminder %r of another or no user", self.name(), reminder_id)
            utter(dispatcher, chat.not_yours())
            return [SlotSet("reminder_id", None)]
        return [SlotSet("reminder_id", None), *self.act(dispatcher, tracker, view)]

    @abstractmethod
    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            view: service.ReminderView) -> list[EventType]:
        """The action proper, on a reminder the sender owns."""


class ActionReminderDone(_OwnedReminderAction):
    """「✅ 已办好」: next cycle, new expiry one year later by default (changeable)."""

    def name(self) -> str:
        return "action_reminder_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if _reminder_id(tracker) is None and not says_renewed(latest_text(tracker)):
            # typed words that do not say "done" (「已经过了两个多月了」): answered as a question
            return await ActionAnswerFaq().run(dispatcher, tracker, domain)
        return await super().run(dispatcher, tracker, domain)

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            view: service.ReminderView) -> list[EventType]:
        renewed = with_db_retry(lambda: service.mark_renewed(tracker.sender_id, view.id, chat.now_utc()))
        utter(dispatcher, chat.renewed(renewed) if renewed else chat.not_yours())
        return []


class ActionReminderCalendar(_OwnedReminderAction):
    def name(self) -> str:
        return "action_reminder_calendar"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            view: service.ReminderView) -> list[EventType]:
        utter(dispatcher, chat.calendar_intro())
        dispatcher.utter_message(json_message={"type": CALENDAR_MESSAGE_TYPE, "reminder_id": view.id})
        return []


class ActionReminderDelete(_OwnedReminderAction):
    def name(self) -> str:
        return "action_reminder_delete"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            view: service.ReminderView) -> list[EventType]:
        with_db_retry(lambda: service.delete_reminder(tracker.sender_id, view.id))
        utter(dispatcher, chat.deleted(view.label))
        return []


class ActionReminderChange(_OwnedReminderAction):
    """「✏️ 改日期」: the form again, with the label and consent already known."""

    def name(self) -> str:
        return "action_reminder_change"

    def act(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            view: service.ReminderView) -> list[EventType]:
        utter(dispatcher, chat.change_intro(view))
        return [*reset_form_slots(), SlotSet("reminder_label", view.label),
                SlotSet("reminder_consent", True), FollowupAction(FORM)]
