"""The dispatcher in one process, against a fake Telegram Bot API over HTTP, on SQLite and
PostgreSQL: delivery, typed failures, renewal, quiet hours, cascade on user deletion."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, select

from bot.reminders import service
from bot.reminders.engine import sweep_due
from bot.reminders.schedule import Stage, stage_due_at
from bot.reminders.telegram_sender import TelegramSender
from bot.storage.db import engine_for, session_scope
from bot.storage.models import User
from bot.storage.reminders import Reminder, ReminderDelivery
from tests.fakes.telegram_api import FakeTelegramServer

EXPIRY = date(2027, 3, 31)
CREATED = datetime(2027, 2, 1, 2, 0, tzinfo=UTC)
WINDOW_OPENS = stage_due_at(EXPIRY, Stage.WINDOW_OPEN)  # 2027-03-01 09:00 Shanghai
ON_TIME = WINDOW_OPENS + timedelta(minutes=1)


def reminder_row(url: str, reminder_id: int) -> Reminder:
    with session_scope(url) as session:
        row = session.get(Reminder, reminder_id)
        assert row is not None
        return row


async def test_a_due_reminder_is_sent_once_with_buttons_and_moves_on(
    db_url: str, fake_tg: FakeTelegramServer, telegram_sender: TelegramSender
) -> None:
    created = service.create_reminder("4242", EXPIRY, CREATED, channel="telegram", database_url=db_url)
    assert created.stage == Stage.WINDOW_OPEN

    stats = await sweep_due(ON_TIME, telegram_sender, "w1", database_url=db_url, send_hour=9)
    again = await sweep_due(ON_TIME, telegram_sender, "w1", database_url=db_url, send_hour=9)

    assert (stats.sent, again.claimed) == (1, 0)
    [message] = fake_tg.messages_to(4242)
    assert "可以续签" in message["params"]["text"] and "2027年3月31日" in message["params"]["text"]
    assert "晚到" not in message["params"]["text"]
    callbacks = [b["callback_data"] for row in message["params"]["reply_markup"]["inline_keyboard"] for b in row]
    assert f'p:/reminder_done{{"reminder_id":"{created.id}"}}' in callbacks
    row = reminder_row(db_url, created.id)
    assert row.stage == Stage.NUDGE_7D and row.claimed_by is None and row.attempts == 0
    assert row.next_due_at is not None
    assert row.next_due_at.replace(tzinfo=UTC) == stage_due_at(EXPIRY, Stage.NUDGE_7D)


async def test_a_user_who_blocked_the_bot_has_all_reminders_switched_off(
    db_url: str, fake_tg: FakeTelegramServer, telegram_sender: TelegramSender
) -> None:
    own = service.create_reminder("5001", EXPIRY, CREATED, database_url=db_url)
    spouse = service.create_reminder("5001", date(2027, 9, 1), CREATED, label="配偶", database_url=db_url)
    other = service.create_reminder("5002", EXPIRY, CREATED, database_url=db_url)
    fake_tg.block_chat(5001)

    stats = await sweep_due(ON_TIME, telegram_sender, "w1", database_url=db_url, send_hour=9)

    assert (stats.sent, stats.deactivated) == (1, 1)
    assert reminder_row(db_url, own.id).state == "inactive"
    assert reminder_row(db_url, spouse.id).state == "inactive"  # not even due yet
    assert reminder_row(db_url, other.id).state == "active"
    assert "Forbidden" in reminder_row(db_url, own.id).last_error
    with session_scope(db_url) as session:
        blocked = dict(session.execute(select(User.sender_id, User.blocked)).all())
    assert blocked == {"5001": True, "5002": False}


async def test_network_errors_are_retried_with_backoff_then_marked_failed(
    db_url: str, fake_tg: FakeTelegramServer, telegram_sender: TelegramSender
) -> None:
    created = service.create_reminder("6001", EXPIRY, CREATED, database_url=db_url)
    fake_tg.fail_next("sendMessage", 502, "Bad Gateway", count=4)
    real = datetime.now(UTC)

    first = await sweep_due(ON_TIME, telegram_sender, "w1", database_url=db_url, max_attempts=2)
    row = reminder_row(db_url, created.id)
    assert (first.retried, row.attempts, row.state) == (1, 1, "active")
    assert row.claimed_until is not None and row.claimed_until.replace(tzinfo=UTC) > real
    # Within the back-off nobody picks it up …
    assert (await sweep_due(ON_TIME, telegram_sender, "w1", database_url=db_url)).claimed == 0
    # … after it, the second failure is the last one allowed.
    later = await sweep_due(ON_TIME, telegram_sender, "w1", database_url=db_url, max_attempts=2,
                            wall_clock=lambda: datetime.now(UTC) + timedelta(hours=1))
    assert later.failed == 1
    assert reminder_row(db_url, created.id).state == "failed"
    assert fake_tg.messages_to(6001) == []
    with engine_for(db_url).begin() as conn:
        assert conn.execute(select(ReminderDelivery.id)).all() == []


async def test_retry_after_is_waited_out_and_the_message_sent_once(
    sqlite_url: str, fake_tg: FakeTelegramServer, telegram_sender: TelegramSender
) -> None:
    service.create_reminder("7001", EXPIRY, CREATED, database_url=sqlite_url)
    fake_tg.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)

    started = time.monotonic()
    stats = await sweep_due(ON_TIME, telegram_sender, "w1", database_url=sqlite_url)

    assert stats.sent == 1 and time.monotonic() - started >= 1.0
    assert len(fake_tg.messages_to(7001)) == 1


async def test_after_done_the_nudges_of_that_cycle_are_not_sent(
    sqlite_url: str, fake_tg: FakeTelegramServer, telegram_sender: TelegramSender
) -> None:
    created = service.create_reminder("8001", EXPIRY, CREATED, database_url=sqlite_url)
    await sweep_due(ON_TIME, telegram_sender, "w1", database_url=sqlite_url, send_hour=9)
    renewed = service.mark_renewed("8001", created.id, ON_TIME + timedelta(days=2),
                                   database_url=sqlite_url, send_hour=9)
    assert renewed is not None and renewed.expiry_date == date(2028, 3, 31)

    for stage in (Stage.NUDGE_7D, Stage.NUDGE_1D, Stage.GRACE):
        moment = stage_due_at(EXPIRY, stage) + timedelta(minutes=1)
        assert (await sweep_due(moment, telegram_sender, "w1", database_url=sqlite_url)).sent == 0
    assert len(fake_tg.messages_to(8001)) == 1  # only the window-open message before renewal
    assert reminder_row(sqlite_url, created.id).stage == Stage.WINDOW_OPEN


async def test_nothing_is_sent_at_night(
    sqlite_url: str, fake_tg: FakeTelegramServer, telegram_sender: TelegramSender
) -> None:
    service.create_reminder("9001", EXPIRY, CREATED, database_url=sqlite_url)
    night = datetime(2027, 3, 1, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai, reminder overdue
    stats = await sweep_due(night, telegram_sender, "w1", database_url=sqlite_url)
    assert stats.quiet and stats.claimed == 0 and fake_tg.sent == []


def test_a_forged_reminder_id_finds_nothing(sqlite_url: str) -> None:
    mine = service.create_reminder("111", EXPIRY, CREATED, database_url=sqlite_url)
    assert service.owned_reminder("222", mine.id, database_url=sqlite_url) is None
    assert service.mark_renewed("222", mine.id, CREATED, database_url=sqlite_url) is None
    assert not service.delete_reminder("222", mine.id, database_url=sqlite_url)
    assert service.owned_reminder("111", mine.id, database_url=sqlite_url) is not None


def test_deleting_a_user_deletes_their_reminders_and_deliveries(db_url: str) -> None:
    created = service.create_reminder("1234", EXPIRY, CREATED, database_url=db_url)
    with session_scope(db_url) as session:
        session.add(ReminderDelivery(reminder_id=created.id, expiry_date=EXPIRY, stage="window_open",
                                     status="sent", worker_id="w", takeovers=0, late=False))
    with session_scope(db_url) as session:
        session.execute(delete(User).where(User.sender_id == "1234"))
    with session_scope(db_url) as session:
        assert session.scalars(select(Reminder)).all() == []
        assert session.scalars(select(ReminderDelivery)).all() == []


def test_the_same_label_twice_updates_instead_of_duplicating(sqlite_url: str) -> None:
    first = service.create_reminder("333", EXPIRY, CREATED, database_url=sqlite_url)
    second = service.create_reminder("333", date(2027, 6, 1), CREATED, database_url=sqlite_url)
    spouse = service.create_reminder("333", date(2027, 6, 1), CREATED, label="配偶", database_url=sqlite_url)
    assert first.id == second.id != spouse.id
    assert [r.label for r in service.reminders_of("333", database_url=sqlite_url)] == ["本人", "配偶"]


async def test_a_long_outage_sends_only_the_latest_stage_with_a_late_note(
    sqlite_url: str, fake_tg: FakeTelegramServer, telegram_sender: TelegramSender
) -> None:
    created = service.create_reminder("9101", EXPIRY, CREATED, database_url=sqlite_url)
    back = stage_due_at(EXPIRY, Stage.NUDGE_1D) + timedelta(hours=3)  # window and 7-day missed

    stats = await sweep_due(back, telegram_sender, "w1", database_url=sqlite_url, send_hour=9)

    assert (stats.sent, stats.late, stats.skipped_stages) == (1, 1, 2)
    [message] = fake_tg.messages_to(9101)
    assert "明天" in message["params"]["text"] and "晚到了" in message["params"]["text"]
    assert reminder_row(sqlite_url, created.id).stage == Stage.GRACE


async def test_telegram_sender_ids_reach_their_chat_and_console_users_fail_cleanly(
    sqlite_url: str, fake_tg: FakeTelegramServer, telegram_sender: TelegramSender
) -> None:
    service.create_reminder("tg:4343", EXPIRY, CREATED, channel="telegram", database_url=sqlite_url)
    console = service.create_reminder("console:1", EXPIRY, CREATED, channel="console",
                                      database_url=sqlite_url)
    stats = await sweep_due(ON_TIME, telegram_sender, "w1", database_url=sqlite_url)
    assert (stats.sent, stats.failed) == (1, 1)
    assert len(fake_tg.messages_to(4343)) == 1
    assert reminder_row(sqlite_url, console.id).state == "failed"


async def test_a_batch_longer_than_its_lease_keeps_renewing_it(
    sqlite_url: str, fake_tg: FakeTelegramServer, telegram_sender: TelegramSender
) -> None:
    for n in range(12):
        service.create_reminder(f"tg:{7100 + n}", EXPIRY, CREATED, database_url=sqlite_url)
    # 12 messages at 10 per second take ~1.2 s; the lease is 0.4 s.
    stats = await sweep_due(ON_TIME, telegram_sender, "w1", database_url=sqlite_url, rate=10,
                            lease=timedelta(seconds=0.4), concurrency=2)
    assert (stats.sent, stats.lost_lease) == (12, 0)
    assert len(fake_tg.calls("sendMessage")) == 12
