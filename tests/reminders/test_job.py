"""The bot's JobQueue sweep uses the database the application was built with, not the environment's."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from telegram.ext import CallbackContext

from bot.config import load_settings
from bot.reminders import service
from bot.reminders.job import JOB_NAME, sweep_reminders
from bot.reminders.schedule import Stage, stage_due_at
from tests.fakes.telegram_api import FakeTelegramServer

EXPIRY = date(2027, 3, 31)
CREATED = datetime(2027, 2, 1, 2, 0, tzinfo=UTC)
ON_TIME = stage_due_at(EXPIRY, Stage.WINDOW_OPEN) + timedelta(minutes=1)


async def test_the_job_sweeps_the_applications_database(
    db_url: str, fake_tg: FakeTelegramServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    from bot.channels.telegram import build_application

    # The process environment points at a database nobody created: the job must not use it.
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}")
    monkeypatch.delenv("BOT_CLOCK", raising=False)
    settings = replace(
        load_settings(), database_url=db_url, telegram_token=fake_tg.token,
        telegram_api_base_url=fake_tg.base_url, telegram_file_base_url=fake_tg.file_base_url,
        clock_override=ON_TIME.isoformat(), reminder_send_hour=9,
    )  # fmt: skip
    service.create_reminder("4343", EXPIRY, CREATED, channel="telegram", database_url=db_url)
    application = build_application(settings, assistant=None)
    assert application.job_queue is not None and application.job_queue.get_jobs_by_name(JOB_NAME)

    async with application:
        await sweep_reminders(CallbackContext(application))

    assert not [r for r in caplog.records if r.levelname == "ERROR"], caplog.text
    [message] = fake_tg.messages_to(4343)
    assert "可以续签" in message["params"]["text"]
    assert not (tmp_path / "never-migrated.sqlite3").exists()
