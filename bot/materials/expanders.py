"""Turns the action server's {"type": "checklist_card", "checklist_id": id} into a PNG reply.

Imported by bot.pipeline at start-up; channels then only see Reply.image.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.materials.service import CARD_MESSAGE_TYPE, ChecklistNotFound, render_card_for
from bot.pipeline import register_custom_expander
from bot.replies import Reply

log = logging.getLogger(__name__)


async def checklist_card_replies(custom: dict[str, Any], sender_id: str) -> list[Reply]:
    """The card as an image reply; nothing when the id is unknown (the text was already sent)."""
    try:
        checklist_id = int(custom["checklist_id"])
        png = await asyncio.to_thread(render_card_for, checklist_id)
    except (KeyError, ValueError, ChecklistNotFound):
        log.warning("checklist card requested for an unknown checklist: %r", custom)
        return []
    return [Reply(image=png, image_name=f"checklist-{checklist_id}.png")]


register_custom_expander(CARD_MESSAGE_TYPE, checklist_card_replies)
