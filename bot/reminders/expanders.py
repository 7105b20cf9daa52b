"""Turns the action server's {"type": "reminder_calendar", "reminder_id": id} into an .ics reply.

Imported by bot.pipeline at start-up. The reminder is looked up for the *sender* of the turn,
so a custom message can never export someone else's reminder.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.pipeline import register_custom_expander
from bot.reminders.ics import calendar_file_name, reminder_calendar
from bot.reminders.service import owned_reminder
from bot.replies import Reply

log = logging.getLogger(__name__)

CALENDAR_MESSAGE_TYPE = "reminder_calendar"


async def reminder_calendar_replies(custom: dict[str, Any], sender_id: str) -> list[Reply]:
    try:
        reminder_id = int(custom["reminder_id"])
    except (KeyError, TypeError, ValueError):
        return []
    view = await asyncio.to_thread(owned_reminder, sender_id, reminder_id)
    if view is None:
        log.warning("calendar requested for a reminder the sender does not own: %r", custom)
        return []
    data = reminder_calendar(view.id, view.label, view.expiry_date)
    return [Reply(document=data, document_name=calendar_file_name(view.expiry_date))]


register_custom_expander(CALENDAR_MESSAGE_TYPE, reminder_calendar_replies)
