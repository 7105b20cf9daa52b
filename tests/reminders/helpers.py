"""Shared helpers for reminder tests: bulk-loading due reminders, running worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime

from sqlalchemy import func, insert, select

from bot.config import PROJECT_ROOT
from bot.reminders.schedule import Stage, stage_due_at
from bot.storage.db import engine_for
from bot.storage.models import User
from bot.storage.reminders import Reminder, ReminderDelivery

# A weekday morning in Shanghai: 2027-03-01 10:00 (+08:00) = 02:00 UTC.
SWEEP_AT = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
EXPIRY = date(2027, 3, 31)  # its window opens 2027-03-01 09:00 Shanghai time
FIRST_CHAT = 100_000


def load_due_reminders(
    url: str,
    count: int,
    expiry: date = EXPIRY,
    stage: Stage = Stage.WINDOW_OPEN,
    first_chat: int = FIRST_CHAT,
) -> list[int]:
    """Insert ``count`` users, each with one reminder due at ``stage`` of ``expiry``.
    Returns the chat ids."""
    engine = engine_for(url)
    now = datetime.now(UTC)
    chats = list(range(first_chat, first_chat + count))
    due = stage_due_at(expiry, stage)
    if engine.dialect.name == "sqlite":
        due = due.replace(tzinfo=None)
    with engine.begin() as conn:
        conn.execute(
            insert(User.__table__),
            [
                {
                    "sender_id": str(c),
                    "channel": "telegram",
                    "language": "zh",
                    "privacy_notice_shown": True,
                    "reminder_consent": True,
                    "blocked": False,
                    "created_at": now,
                    "last_seen_at": now,
                    "message_count": 0,
                }
                for c in chats
            ],
        )
        ids = dict(
            conn.execute(
                select(User.sender_id, User.id).where(User.sender_id.in_([str(c) for c in chats]))
            ).all()
        )
        conn.execute(
            insert(Reminder.__table__),
            [
                {
                    "user_id": ids[str(c)],
                    "label": "本人",
                    "expiry_date": expiry,
                    "stage": stage.value,
                    "next_due_at": due,
                    "state": "active",
                    "attempts": 0,
                    "last_error": "",
                    "created_at": now,
                    "updated_at": now,
                }
                for c in chats
            ],
        )
    return chats


def delivery_counts(url: str) -> dict[str, int]:
    with engine_for(url).begin() as conn:
        return dict(
            conn.execute(
                select(ReminderDelivery.status, func.count()).group_by(ReminderDelivery.status)
            ).all()
        )


def worker_env(url: str, base_url: str, token: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=base_url,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(PROJECT_ROOT),
    )
    return env


def start_worker(
    url: str, base_url: str, token: str, worker_id: str, now: datetime, *extra: str,
    rate: str = "0",
) -> subprocess.Popen[bytes]:
    """A separate worker process running the real CLI sweep (by default without a rate limit:
    the fake API has none, and the tests would otherwise take minutes)."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.reminders.cli",
            "sweep",
            "--now",
            now.isoformat(),
            "--worker-id",
            worker_id,
            "--rate",
            rate,
            *extra,
        ],
        cwd=PROJECT_ROOT,
        env=worker_env(url, base_url, token),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
