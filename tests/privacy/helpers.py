"""Fill a database with one user's rows in every table that can hold them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import inspect, select, text

from bot.privacy.consent import give_reminder_consent, note_activity
from bot.storage.checklists import save_checklist
from bot.storage.db import engine_for, session_scope
from bot.storage.fallbacks import record_fallback_question, record_feedback
from bot.storage.reminders import Reminder, ReminderDelivery
from bot.storage.users import get_user

ID_NUMBER = "310101199001011234"
MOBILE = "13812345678"


def populate(url: str, sender_id: str) -> None:
    """Rows for ``sender_id`` in users, feedback, fallback_questions, reminders (+ a delivery)
    and checklists. ``DATABASE_URL`` must point at ``url`` (the storage writers read it)."""
    note_activity(sender_id, url)
    give_reminder_consent(sender_id, url)
    record_feedback(sender_id, "renewal_window", True, f"我的身份证 {ID_NUMBER} 能续签吗")
    record_fallback_question(sender_id, f"电话 {MOBILE}，身份证{ID_NUMBER}怎么办", "faq/x", 0.2)
    with session_scope(url) as session:
        user = get_user(session, sender_id)
        assert user is not None
        reminder = Reminder(user_id=user.id, label="本人", expiry_date=date(2027, 3, 1), stage="window_open")
        session.add(reminder)
        session.flush()
        session.add(ReminderDelivery(reminder_id=reminder.id, expiry_date=date(2027, 3, 1), stage="window_open", worker_id="w1"))
        save_checklist(session, user.id, {"purpose": "新办", "housing": "租房"})


def rows_referring_to(url: str, sender_id: str, user_id: int) -> dict[str, int]:
    """Count rows in ANY table of the database (introspected, not from our models) that hold
    this user's id in a user_id column or their sender id in a sender_id column."""
    engine = engine_for(url)
    found: dict[str, int] = {}
    with engine.connect() as conn:
        inspector = inspect(conn)
        for table in inspector.get_table_names():
            columns = {c["name"] for c in inspector.get_columns(table)}
            for column, value in (("user_id", user_id), ("sender_id", sender_id)):
                if column in columns:
                    n = conn.scalar(text(f'SELECT count(*) FROM "{table}" WHERE {column} = :v'), {"v": value})
                    if n:
                        found[f"{table}.{column}"] = int(n)
        if "reminder_deliveries" in inspector.get_table_names():
            n = conn.scalar(text("SELECT count(*) FROM reminder_deliveries d LEFT JOIN reminders r ON r.id = d.reminder_id WHERE r.id IS NULL"))
            if n:
                found["reminder_deliveries(orphans)"] = int(n)
    return found


def user_id_of(url: str, sender_id: str) -> int:
    with session_scope(url) as session:
        user_id = session.scalar(select(text("id")).select_from(text("users")).where(text("sender_id = :s")).params(s=sender_id))
    assert user_id is not None
    return int(user_id)
