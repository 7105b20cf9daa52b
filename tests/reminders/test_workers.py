"""Worker processes against one database and a fake Telegram Bot API over real HTTP.

Each test runs on SQLite and on a throw-away PostgreSQL database. Workers are real
``python -m bot.reminders.cli sweep`` processes; messages are counted where Telegram would see
them, at the fake server.
"""

from __future__ import annotations

import collections
import signal
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.reminders.schedule import Stage, stage_due_at
from bot.storage.db import engine_for
from bot.storage.models import User
from bot.storage.reminders import DeliveryStatus, Reminder, ReminderDelivery
from tests.conftest import postgres_available
from tests.fakes.telegram_api import FakeTelegramServer
from tests.reminders.helpers import (
    SWEEP_AT,
    delivery_counts,
    load_due_reminders,
    start_worker,
)

pytestmark = pytest.mark.slow


def messages_per_chat(fake: FakeTelegramServer) -> collections.Counter[int]:
    return collections.Counter(call["chat_id"] for call in fake.calls("sendMessage"))


def finish(worker, timeout: float = 300) -> str:  # type: ignore[no-untyped-def]
    _, err = worker.communicate(timeout=timeout)
    assert worker.returncode == 0, err.decode()[-2000:]
    return err.decode()


def unclaimed_and_advanced(url: str) -> tuple[int, int]:
    with engine_for(url).begin() as conn:
        still_claimed = conn.scalar(
            select(func.count()).select_from(Reminder).where(Reminder.claimed_by.is_not(None)))
        not_advanced = conn.scalar(
            select(func.count()).select_from(Reminder).where(Reminder.stage == Stage.WINDOW_OPEN.value))
    return int(still_claimed or 0), int(not_advanced or 0)


def test_two_workers_send_each_of_10000_reminders_exactly_once(
    db_url: str, fake_tg: FakeTelegramServer
) -> None:
    chats = load_due_reminders(db_url, 10_000)

    workers = [
        start_worker(db_url, fake_tg.base_url, fake_tg.token, f"worker-{n}", SWEEP_AT,
                     "--concurrency", "16")
        for n in (1, 2)
    ]
    logs = [finish(w) for w in workers]

    counts = messages_per_chat(fake_tg)
    assert set(counts) == set(chats), "every reminder reached its chat"
    assert max(counts.values()) == 1, "no chat got a message twice"
    assert delivery_counts(db_url) == {"sent": 10_000}
    assert unclaimed_and_advanced(db_url) == (0, 0)
    # Both workers did part of the work (the claim really was shared).
    assert all('"sent": 0,' not in log for log in logs), logs


def busiest_second(fake: FakeTelegramServer) -> int:
    times = sorted(call["t"] for call in fake.calls("sendMessage"))
    busiest = start = 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        busiest = max(busiest, end - start + 1)
    return busiest


@pytest.mark.skipif(not postgres_available(), reason="PostgreSQL is not running")
def test_rate_limited_workers_together_stay_within_the_bots_rate(
    pg_url: str, fake_tg: FakeTelegramServer
) -> None:
    """Telegram counts messages per bot, not per process: two rate-limited workers started
    together must not send at twice the rate. One holds the send lock; the other stands back."""
    chats = load_due_reminders(pg_url, 240)
    workers = [
        start_worker(pg_url, fake_tg.base_url, fake_tg.token, f"paced-{n}", SWEEP_AT, rate="20")
        for n in (1, 2)
    ]
    logs = [finish(w) for w in workers]
    counts = messages_per_chat(fake_tg)
    assert set(counts) == set(chats) and max(counts.values()) == 1
    assert busiest_second(fake_tg) <= 20, logs


TOTAL = 400


def kill_mid_sweep(url: str, fake: FakeTelegramServer, after_sends: int, *options: str,
                   rate: str) -> tuple[int, set[int], set[str], str]:
    """Start a worker, SIGKILL it the moment Telegram has received ``after_sends`` messages,
    let its leases (3 s) expire, finish with another worker. Returns (messages received before
    the kill, chats that never got their message, chats whose delivery is unconfirmed, log)."""
    chats = load_due_reminders(url, TOTAL)
    doomed = start_worker(url, fake.base_url, fake.token, "doomed", SWEEP_AT,
                          "--lease-seconds", "3", *options, rate=rate)
    fake.wait_for(lambda: len(fake.sent) >= after_sends or None, timeout=120)
    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    received_before_kill = len(fake.sent)
    assert received_before_kill < len(chats), "the worker must die mid-sweep"
    time.sleep(3.5)  # let the dead worker's leases expire
    log = finish(start_worker(url, fake.base_url, fake.token, "rescuer", SWEEP_AT,
                              "--concurrency", "16"))
    counts = messages_per_chat(fake)
    assert max(counts.values()) == 1, "no message was sent twice"
    with engine_for(url).begin() as conn:
        unconfirmed = set(conn.execute(
            select(User.sender_id)
            .join(Reminder, Reminder.user_id == User.id)
            .join(ReminderDelivery, ReminderDelivery.reminder_id == Reminder.id)
            .where(ReminderDelivery.status == DeliveryStatus.UNCONFIRMED.value)
        ).scalars())
    assert f'"unconfirmed": {len(unconfirmed)}' in log
    assert delivery_counts(url) == {"sent": TOTAL - len(unconfirmed),
                                    **({"unconfirmed": len(unconfirmed)} if unconfirmed else {})}
    assert unclaimed_and_advanced(url) == (0, 0), "every leased row was picked up again"
    return received_before_kill, set(chats) - set(counts), unconfirmed, log


def test_a_worker_killed_mid_sweep_loses_nothing_and_duplicates_nothing(
    db_url: str, fake_tg: FakeTelegramServer
) -> None:
    # Paced at 4 messages a second, one at a time, like a rate-limited production sweep: the
    # kill lands while message 5 is in flight or while the worker waits for its next slot.
    # It holds a lease on 200 rows; 200 are unclaimed.
    _, lost, unconfirmed, _ = kill_mid_sweep(db_url, fake_tg, 5, "--concurrency", "1", rate="4")
    assert lost == set()
    assert len(unconfirmed) <= 1  # the message in flight, which Telegram did receive


@pytest.mark.skipif(not postgres_available(), reason="PostgreSQL is not running")
def test_a_kill_while_several_messages_are_in_flight_never_duplicates(
    pg_url: str, fake_tg: FakeTelegramServer
) -> None:
    """The adversarial case: killed exactly as Telegram receives a message while 4 are in
    flight. A message reserved but not yet written when the process dies cannot be told apart
    from one that was sent, so it is not re-sent: nothing is ever duplicated, and whatever is
    lost is among the few recorded as unconfirmed."""
    received, lost, unconfirmed, _ = kill_mid_sweep(pg_url, fake_tg, 150, "--concurrency", "4",
                                                    rate="200")
    assert {str(chat) for chat in lost} <= unconfirmed
    assert len(unconfirmed) <= 2 * 4  # in flight + sent but not yet recorded
    print(f"killed after {received} received; unconfirmed {len(unconfirmed)}, lost {len(lost)}")


def test_a_restart_after_two_days_down_sends_each_missed_reminder_once(
    db_url: str, fake_tg: FakeTelegramServer
) -> None:
    went_down = SWEEP_AT  # 2027-03-01 10:00 Shanghai
    back_up = went_down + timedelta(days=2, hours=1)  # 2027-03-03 11:00 Shanghai
    day = date(2027, 3, 1)
    # Due on time, just before the outage.
    on_time = load_due_reminders(db_url, 100, day + timedelta(days=30), Stage.WINDOW_OPEN, 10_000)
    # Window opened during the outage.
    missed_window = load_due_reminders(db_url, 100, day + timedelta(days=31), Stage.WINDOW_OPEN, 20_000)
    # The 7-day nudge was due at 09:00 on the morning the bot came back.
    two_due = load_due_reminders(db_url, 100, day + timedelta(days=9), Stage.NUDGE_7D, 30_000)
    # The 1-day nudge fell into the outage; today is the expiry day.
    last_nudge = load_due_reminders(db_url, 100, day + timedelta(days=2), Stage.NUDGE_1D, 40_000)

    finish(start_worker(db_url, fake_tg.base_url, fake_tg.token, "before", went_down))
    assert set(messages_per_chat(fake_tg)) == set(on_time)
    fake_tg.sent.clear()

    log = finish(start_worker(db_url, fake_tg.base_url, fake_tg.token, "after", back_up))
    finish(start_worker(db_url, fake_tg.base_url, fake_tg.token, "again", back_up))

    counts = messages_per_chat(fake_tg)
    assert set(counts) == set(missed_window) | set(two_due) | set(last_nudge)
    assert max(counts.values()) == 1, "one message per missed reminder, no burst"
    texts = {call["chat_id"]: call["params"]["text"] for call in fake_tg.calls("sendMessage")}
    assert all("晚到了" in text for text in texts.values())
    assert all("可以续签了" in texts[c] for c in missed_window)
    assert all("还有7天" in texts[c] for c in two_due)
    assert all("今天" in texts[c] for c in last_nudge)  # the day-before nudge, corrected to today
    assert '"late": 300' in log
    with engine_for(db_url).begin() as conn:
        stages = dict(conn.execute(
            select(Reminder.stage, func.count()).group_by(Reminder.stage)).all())
        first_two_due = conn.scalar(select(func.min(Reminder.next_due_at)).where(
            Reminder.stage == Stage.NUDGE_1D.value))
    assert stages == {Stage.NUDGE_7D.value: 200, Stage.NUDGE_1D.value: 100, Stage.GRACE.value: 100}
    assert first_two_due is not None
    assert first_two_due.replace(tzinfo=None) == stage_due_at(
        day + timedelta(days=9), Stage.NUDGE_1D).replace(tzinfo=None)
