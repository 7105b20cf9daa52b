"""The JobQueue job that sweeps due reminders every minute inside the Telegram bot process."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram.ext import Application, ContextTypes

from bot.reminders.engine import default_worker_id, sweep_due
from bot.reminders.telegram_sender import TelegramSender

log = logging.getLogger(__name__)

SWEEP_INTERVAL_S = 60
JOB_NAME = "reminder_sweep"


async def sweep_reminders(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the reminders that are due now through the application's own bot."""
    from bot.config import load_settings

    settings = load_settings()
    now = datetime.fromisoformat(settings.clock_override) if settings.clock_override else datetime.now(UTC)
    try:
        stats = await sweep_due(now, TelegramSender(context.bot), default_worker_id())
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
