"""Reminder operations the chat actions need: create, list, renew, change, delete.

Every operation that names a reminder takes the caller's ``sender_id`` and only touches that
user's rows, so a forged button payload naming someone else's reminder finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.reminders.schedule import default_next_expiry, first_stage_after
from bot.storage.db import session_scope
from bot.storage.models import User
from bot.storage.reminders import Reminder, ReminderState

MAX_REMINDERS_PER_USER = 10


@dataclass(frozen=True)
class ReminderView:
    id: int
    label: str
    expiry_date: date
    state: str
    stage: str
    next_due_at: datetime | None


def _view(reminder: Reminder) -> ReminderView:
    return ReminderView(reminder.id, reminder.label, reminder.expiry_date, reminder.state,
                        reminder.stage, reminder.next_due_at)


def _user(session: Session, sender_id: str, channel: str | None = None) -> User:
    user = session.scalar(select(User).where(User.sender_id == str(sender_id)))
    if user is None:
        user = User(sender_id=str(sender_id), channel=channel or "console")
        session.add(user)
        session.flush()
    return user


def _schedule(reminder: Reminder, expiry: date, now: datetime, send_hour: int) -> None:
    """Point ``reminder`` at the first stage of ``expiry``'s cycle that is still ahead."""
    reminder.expiry_date = expiry
    first = first_stage_after(expiry, now, send_hour)
    reminder.attempts = 0
    reminder.claimed_by = None
    reminder.claimed_until = None
    reminder.last_error = ""
    if first is None:
        reminder.state = ReminderState.DONE.value
        reminder.next_due_at = None
        reminder.stage = reminder.stage or "window_open"
    else:
        reminder.state = ReminderState.ACTIVE.value
        reminder.stage = first.stage.value
        reminder.next_due_at = first.due_at


def _send_hour(send_hour: int | None) -> int:
    if send_hour is not None:
        return send_hour
    from bot.config import load_settings

    return load_settings().reminder_send_hour


def create_reminder(
    sender_id: str,
    expiry: date,
    now: datetime,
    label: str = "本人",
    channel: str | None = None,
    send_hour: int | None = None,
    database_url: str | None = None,
) -> ReminderView:
    """Store a reminder for ``sender_id`` (creating the user row if needed).

    The same label twice replaces the old date instead of adding a duplicate reminder.
    """
    with session_scope(database_url) as session:
        user = _user(session, sender_id, channel)
        user.reminder_consent = True
        reminder = session.scalar(
            select(Reminder).where(Reminder.user_id == user.id, Reminder.label == label)
        )
        if reminder is None:
            count = len(session.scalars(select(Reminder.id).where(Reminder.user_id == user.id)).all())
            if count >= MAX_REMINDERS_PER_USER:
                raise ValueError("too many reminders")
            reminder = Reminder(user_id=user.id, label=label, stage="window_open")
            session.add(reminder)
        _schedule(reminder, expiry, now, _send_hour(send_hour))
        session.flush()
        return _view(reminder)


def reminders_of(sender_id: str, database_url: str | None = None) -> list[ReminderView]:
    with session_scope(database_url) as session:
        rows = session.scalars(
            select(Reminder)
            .join(User, User.id == Reminder.user_id)
            .where(User.sender_id == str(sender_id))
            .order_by(Reminder.expiry_date, Reminder.id)
        ).all()
        return [_view(r) for r in rows]


MAX_ID = 2**31 - 1  # ids come from buttons, i.e. from users: anything else is forged


def _owned(session: Session, sender_id: str, reminder_id: int) -> Reminder | None:
    if not 0 < reminder_id <= MAX_ID:
        return None
    return session.scalar(
        select(Reminder)
        .join(User, User.id == Reminder.user_id)
        .where(Reminder.id == reminder_id, User.sender_id == str(sender_id))
    )


def owned_reminder(sender_id: str, reminder_id: int, database_url: str | None = None) -> ReminderView | None:
    """The reminder if it belongs to ``sender_id``, else ``None``."""
    with session_scope(database_url) as session:
        reminder = _owned(session, sender_id, reminder_id)
        return _view(reminder) if reminder else None


def mark_renewed(
    sender_id: str,
    reminder_id: int,
    now: datetime,
    new_expiry: date | None = None,
    send_hour: int | None = None,
    database_url: str | None = None,
) -> ReminderView | None:
    """「✅ 已办好」: start the next cycle (default one year after the old expiry).

    The old cycle's remaining nudges disappear with it.
    """
    with session_scope(database_url) as session:
        reminder = _owned(session, sender_id, reminder_id)
        if reminder is None:
            return None
        expiry = new_expiry or default_next_expiry(reminder.expiry_date)
        _schedule(reminder, expiry, now, _send_hour(send_hour))
        return _view(reminder)


def change_expiry(
    sender_id: str,
    reminder_id: int,
    new_expiry: date,
    now: datetime,
    send_hour: int | None = None,
    database_url: str | None = None,
) -> ReminderView | None:
    with session_scope(database_url) as session:
        reminder = _owned(session, sender_id, reminder_id)
        if reminder is None:
            return None
        _schedule(reminder, new_expiry, now, _send_hour(send_hour))
        return _view(reminder)


def delete_reminder(sender_id: str, reminder_id: int, database_url: str | None = None) -> bool:
    with session_scope(database_url) as session:
        reminder = _owned(session, sender_id, reminder_id)
        if reminder is None:
            return False
        session.delete(reminder)
        return True
