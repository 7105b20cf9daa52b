"""Reminder actions with real rasa_sdk trackers and a real database (no Rasa server needed)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.actions import reminders as actions
from bot.reminders import service
from bot.reminders.expanders import reminder_calendar_replies

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture(autouse=True)
def database(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("BOT_CLOCK", NOW.isoformat())
    return sqlite_url


def tracker(sender: str, text: str = "", intent: str = "", entities: list[dict[str, Any]] | None = None,
            slots: dict[str, Any] | None = None, requested: str | None = None) -> Tracker:
    all_slots = {slot: None for slot in actions.FORM_SLOTS} | {"reminder_id": None,
                                                              "requested_slot": requested}
    return Tracker(
        sender_id=sender,
        slots=all_slots | (slots or {}),
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0},
                        "entities": entities or [], "metadata": {"channel": "telegram"}},
        events=[], paused=False, followup_action=None,
        active_loop={"name": "reminder_form"} if requested else {}, latest_action_name="action_listen",
    )


def texts(dispatcher: CollectingDispatcher) -> str:
    return "\n".join(str(m.get("text") or "") for m in dispatcher.messages)


def payloads(dispatcher: CollectingDispatcher) -> list[str]:
    return [b["payload"] for m in dispatcher.messages for b in m.get("buttons") or []]


async def run(action: Any, t: Tracker) -> tuple[CollectingDispatcher, list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return dispatcher, events


def test_a_typed_date_is_understood_and_an_impossible_one_explained() -> None:
    form = actions.ValidateReminderForm()
    d = CollectingDispatcher()
    ok = form.validate_reminder_expiry("明年三月五号", d, tracker("tg:1", "明年三月五号", "give_date"), {})
    assert ok == {"reminder_expiry": "2027-03-05", "reminder_pick_partial": None}
    bad = form.validate_reminder_expiry("2月30日", d, tracker("tg:1", "2月30日", "give_date"), {})
    assert bad["reminder_expiry"] is None and "只有28天" in texts(d)


def test_an_expired_permit_is_told_to_renew_first_not_just_to_type_the_date_again() -> None:
    form = actions.ValidateReminderForm()
    d = CollectingDispatcher()
    said = "上个月28号到期了"
    result = form.validate_reminder_expiry(said, d, tracker("tg:1", said, "give_date"), {})
    assert result["reminder_expiry"] is None
    assert "已经过去" in texts(d) and "办好签注后，把新的到期日发给我" in texts(d)
    assert "请重新告诉我到期日" not in texts(d)


def test_the_date_picker_goes_year_then_month_then_day() -> None:
    form = actions.ValidateReminderForm()
    d = CollectingDispatcher()

    def pressed(pick: str) -> dict[str, Any]:
        payload = f'/reminder_pick{{"pick":"{pick}"}}'
        return form.validate_reminder_expiry(
            payload, d, tracker("tg:1", payload, "reminder_pick", [{"entity": "pick", "value": pick}]), {})

    assert pressed("2027") == {"reminder_expiry": None, "reminder_pick_partial": "2027"}
    assert pressed("2027-03") == {"reminder_expiry": None, "reminder_pick_partial": "2027-03"}
    assert pressed("2027-03-05")["reminder_expiry"] == "2027-03-05"


async def test_the_picker_offers_only_months_and_days_still_ahead() -> None:
    d, _ = await run(actions.AskReminderExpiry(),
                     tracker("tg:1", slots={"reminder_pick_partial": "2026"}, requested="reminder_expiry"))
    assert [p for p in payloads(d) if "2026-" in p] == [
        '/reminder_pick{"pick":"2026-11"}', '/reminder_pick{"pick":"2026-12"}']
    d, _ = await run(actions.AskReminderExpiry(),
                     tracker("tg:1", slots={"reminder_pick_partial": "2026-11"}, requested="reminder_expiry"))
    assert [p for p in payloads(d) if "2026-11-" in p][0] == '/reminder_pick{"pick":"2026-11-27"}'


async def test_the_parsed_date_is_confirmed_back_with_buttons() -> None:
    d, _ = await run(actions.AskReminderDateOk(), tracker("tg:1", slots={"reminder_expiry": "2027-03-05"}))
    assert "2027年3月5日（星期五）" in texts(d) and payloads(d) == ["/affirm", "/deny"]


async def test_nothing_is_stored_without_consent(database: str) -> None:
    t = tracker("tg:7", slots={"reminder_expiry": "2027-03-05", "reminder_date_ok": True,
                               "reminder_label": "本人", "reminder_consent": False})
    d, events = await run(actions.ActionSaveReminder(), t)
    assert "没有保存" in texts(d)
    assert service.reminders_of("tg:7", database_url=database) == []
    assert SlotSet("reminder_expiry", None) in events


async def test_with_consent_the_reminder_is_stored_and_consent_not_asked_again(database: str) -> None:
    t = tracker("tg:8", slots={"reminder_expiry": "2027-03-05", "reminder_date_ok": True,
                               "reminder_label": "配偶", "reminder_consent": True})
    d, _ = await run(actions.ActionSaveReminder(), t)
    [stored] = service.reminders_of("tg:8", database_url=database)
    assert (stored.label, stored.expiry_date, stored.stage) == ("配偶", date(2027, 3, 5), "window_open")
    assert "2027年2月3日 9点" in texts(d)  # window opens 30 days before
    assert f'/reminder_calendar{{"reminder_id":"{stored.id}"}}' in payloads(d)
    slots = await actions.ValidateReminderForm().required_slots(
        ["reminder_expiry", "reminder_date_ok", "reminder_label", "reminder_consent"],
        CollectingDispatcher(), tracker("tg:8"), {})
    assert "reminder_consent" not in slots


async def test_a_forged_button_for_someone_elses_reminder_is_refused(database: str) -> None:
    victim = service.create_reminder("tg:100", date(2027, 3, 5), NOW, database_url=database)
    forged = [{"entity": "reminder_id", "value": str(victim.id)}]
    for action in (actions.ActionReminderDone(), actions.ActionReminderDelete(),
                   actions.ActionReminderCalendar(), actions.ActionReminderChange()):
        d, events = await run(action, tracker("tg:666", f"/x{{\"reminder_id\":\"{victim.id}\"}}",
                                              "reminder_done", forged))
        assert "找不到" in texts(d), action.name()
        assert not any(isinstance(e, dict) and e.get("event") == "followup" for e in events)
    unchanged = service.owned_reminder("tg:100", victim.id, database_url=database)
    assert unchanged is not None and unchanged.expiry_date == date(2027, 3, 5)
    assert await reminder_calendar_replies({"reminder_id": victim.id}, "tg:666") == []


async def test_done_by_the_owner_starts_the_next_cycle_one_year_later(database: str) -> None:
    mine = service.create_reminder("tg:200", date(2027, 3, 5), NOW, database_url=database)
    d, _ = await run(actions.ActionReminderDone(),
                     tracker("tg:200", "", "reminder_done", [{"entity": "reminder_id", "value": str(mine.id)}]))
    assert "2028年3月5日" in texts(d)
    renewed = service.owned_reminder("tg:200", mine.id, database_url=database)
    assert renewed is not None and renewed.expiry_date == date(2028, 3, 5)


async def test_typed_done_with_several_reminders_shows_the_list(database: str) -> None:
    service.create_reminder("tg:300", date(2027, 3, 5), NOW, database_url=database)
    service.create_reminder("tg:300", date(2027, 6, 1), NOW, label="孩子", database_url=database)
    d, _ = await run(actions.ActionReminderDone(), tracker("tg:300", "已经续签好了", "reminder_done"))
    assert "你的续签提醒" in texts(d) and "孩子" in texts(d)


async def test_typed_done_with_one_reminder_starts_its_next_cycle(database: str) -> None:
    mine = service.create_reminder("tg:310", date(2027, 3, 5), NOW, database_url=database)
    d, _ = await run(actions.ActionReminderDone(), tracker("tg:310", "今年的签注搞定了", "reminder_done"))
    assert "2028年3月5日" in texts(d)
    renewed = service.owned_reminder("tg:310", mine.id, database_url=database)
    assert renewed is not None and renewed.expiry_date == date(2028, 3, 5)


@pytest.mark.parametrize("typed", ["已经过了两个多月了", "还没办好呢", "签注办好了吗"])
async def test_typed_words_that_do_not_say_done_are_answered_and_change_nothing(database: str, typed: str) -> None:
    mine = service.create_reminder("tg:320", date(2027, 3, 5), NOW, database_url=database)
    d, _ = await run(actions.ActionReminderDone(), tracker("tg:320", typed, "reminder_done"))
    kinds = [(m.get("custom") or {}).get("type") for m in d.messages]
    assert "faq_answer" in kinds or "clarify" in kinds, d.messages
    assert "2028" not in texts(d)
    unchanged = service.owned_reminder("tg:320", mine.id, database_url=database)
    assert unchanged is not None and unchanged.expiry_date == date(2027, 3, 5)


async def test_change_restarts_the_form_with_the_label_kept(database: str) -> None:
    mine = service.create_reminder("tg:400", date(2027, 3, 5), NOW, label="父母", database_url=database)
    _, events = await run(actions.ActionReminderChange(),
                          tracker("tg:400", "", "reminder_change", [{"entity": "reminder_id", "value": str(mine.id)}]))
    assert SlotSet("reminder_label", "父母") in events and FollowupAction("reminder_form") in events


async def test_the_calendar_expander_returns_an_ics_document_for_the_owner(database: str) -> None:
    mine = service.create_reminder("tg:500", date(2027, 3, 5), NOW, database_url=database)
    [reply] = await reminder_calendar_replies({"reminder_id": mine.id}, "tg:500")
    assert reply.document is not None and reply.document.startswith(b"BEGIN:VCALENDAR\r\n")
    assert reply.document_name == "juzhuzheng-20270305.ics"


@pytest.mark.parametrize(("typed", "label"), [("老婆的", "配偶"), ("我自己", "本人"), ("儿子", "孩子"),
                                              ("小王", "小王"), ("这是一个非常长的称呼不行", None)])
def test_labels_are_normalised(typed: str, label: str | None) -> None:
    from bot.reminders.chat import normalise_label

    assert normalise_label(typed) == label


def test_a_no_that_brings_the_right_date_confirms_that_date_instead() -> None:
    form = actions.ValidateReminderForm()
    d = CollectingDispatcher()
    said = "不对，是2027年3月6日"
    t = tracker("tg:1", said, "deny", slots={"reminder_expiry": "2027-03-05"}, requested="reminder_date_ok")
    assert form.validate_reminder_date_ok(False, d, t, {}) == {"reminder_date_ok": None, "reminder_expiry": "2027-03-06"}
    assert texts(d) == ""  # the form asks 「对吗？」 again with the new date


@pytest.mark.parametrize(("said", "expected"), [("不对", "请重新告诉我到期日"), ("不对，是2027年2月30日", "只有28天")])
def test_a_plain_no_or_an_impossible_new_date_asks_for_the_date_again(said: str, expected: str) -> None:
    form = actions.ValidateReminderForm()
    d = CollectingDispatcher()
    t = tracker("tg:1", said, "deny", slots={"reminder_expiry": "2027-03-05"}, requested="reminder_date_ok")
    assert form.validate_reminder_date_ok(False, d, t, {}) == {"reminder_date_ok": None, "reminder_expiry": None}
    assert expected in texts(d)


def test_a_button_from_elsewhere_at_the_label_question_just_asks_again() -> None:
    form = actions.ValidateReminderForm()
    d = CollectingDispatcher()
    t = tracker("tg:1", "/greet", "greet", requested="reminder_label")
    assert form.validate_reminder_label("/greet", d, t, {}) == {"reminder_label": None}
    assert texts(d) == ""  # not 「称呼请写短一点」: nothing long was typed
    long_label = "我和我老婆还有孩子三个人的"
    t = tracker("tg:1", long_label, "inform_reminder_label", requested="reminder_label")
    assert form.validate_reminder_label(long_label, d, t, {}) == {"reminder_label": None}
    assert "写短一点" in texts(d)


@pytest.mark.parametrize(
    ("text", "intent", "expiry", "said"),
    [
        ("明年三月五号到期，到时候提醒我", "remind_me", "2027-03-05", ""),
        ("到期前提醒我续签", "remind_me", None, ""),  # no date: the form simply asks
        ("/remind_me", "remind_me", None, ""),
        ("2月30号到期提醒我", "remind_me", None, "没有30日"),
        ("三月吧", "give_date", None, "没看懂这个日期"),
    ],
)
async def test_the_form_starts_with_the_date_the_message_already_holds(
    text: str, intent: str, expiry: str | None, said: str
) -> None:
    dispatcher, events = await run(actions.ActionReminderFromDate(), tracker("tg:1", text, intent))
    assert not any(e.get("event") == "followup" for e in events)  # the rules run the form next
    assert [e for e in events if e.get("name") == "reminder_expiry"][-1]["value"] == expiry
    assert (said in texts(dispatcher)) if said else texts(dispatcher) == ""


def test_slots_reset_before_the_form_starts_are_not_read_as_answers() -> None:
    """At activation Rasa validates the None values action_reminder_from_date reset; a None
    consent once became a no, and the form ended with 「没有保存任何信息」 after the label."""
    form = actions.ValidateReminderForm()
    dispatcher = CollectingDispatcher()
    t = tracker("tg:1", "/remind_me", "remind_me")
    assert form.validate_reminder_expiry(None, dispatcher, t, {}) == {"reminder_expiry": None}
    assert form.validate_reminder_date_ok(None, dispatcher, t, {}) == {"reminder_date_ok": None}
    assert form.validate_reminder_label(None, dispatcher, t, {}) == {"reminder_label": None}
    assert form.validate_reminder_consent(None, dispatcher, t, {}) == {"reminder_consent": None}
    assert dispatcher.messages == []
    assert form.validate_reminder_consent(False, dispatcher, t, {}) == {"reminder_consent": False}


@pytest.mark.parametrize(("said", "label"), [("本人", "本人"), ("老婆的", "配偶"), ("/inform_reminder_label", None)])
async def test_a_label_outside_the_form_is_asked_about_and_starts_nothing(said: str, label: str | None) -> None:
    dispatcher, events = await run(actions.ActionReminderLabelOutsideForm(), tracker("tg:1", said, "inform_reminder_label"))
    assert events == []  # no form, no slot: the user was not asked anything
    assert (f"「{label}」" in texts(dispatcher)) if label else texts(dispatcher).startswith("收到。")
    assert {"/remind_me", "/start_materials", "/help"} <= set(payloads(dispatcher))
