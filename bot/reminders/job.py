"""The JobQueue job that sweeps due reminders every minute inside the Telegram bot process."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram.ext import Application, ContextTypes

from bot.config import Settings, load_settings
from bot.reminders.engine import default_worker_id, sweep_due
from bot.reminders.telegram_sender import TelegramSender

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 60
JOB_NAME = "reminder_sweep"


def _settings_of(application: Application) -> Settings:
    """The settings the application was built with (its database), else the environment's."""
    state = application.bot_data.get("channel")
    settings = getattr(state, "settings", None)
    return settings if isinstance(settings, Settings) else load_settings()


async def sweep_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the reminders that are due now through the application's own bot."""
    settings = _settings_of(context.application)
    now = datetime.fromisoformat(settings.clock_override) if settings.clock_override else datetime.now(UTC)
    try:
        stats = await sweep_due(
            now, TelegramSender(context.bot), default_worker_id(),
            database_url=settings.database_url, send_hour=settings.reminder_send_hour,
        )  # fmt: skip
    except Exception:  # a database hiccup must not kill the job; the next minute retries
        log.exception("reminder sweep failed")
        return
    if stats.claimed:
        log.info("reminder sweep: %s", stats.as_dict())


def register_reminder_job(application: Application) -> None:
    """Run :func:`sweep_reminders` every minute (first run 10 s after start).

    The application's bot should be built with ``AIORateLimiter`` so reminders share the flood
    limits with ordinary replies.
    """
    if application.job_queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is required for reminders")
    application.job_queue.run_repeating(
        sweep_reminders, interval=SWEEP_INTERVAL_S, first=10, name=JOB_NAME
    )
