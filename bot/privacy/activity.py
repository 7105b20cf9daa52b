"""The pipeline's per-message bookkeeping: count the message, show the privacy notice once.

Best-effort by design: the answer never waits more than ``ACTIVITY_TIMEOUT_S`` for the
database, and a database that stays down only costs the counters (retried writes cover brief
outages). One-shot evaluation channels (``ask``) are not people and are not recorded.
"""

from __future__ import annotations

import asyncio
import logging

from bot.config import Settings
from bot.privacy.consent import PRIVACY_FIRST_USE_TEXT, note_activity
from bot.replies import Reply, Turn

log = logging.getLogger(__name__)

RECORDED_CHANNELS = frozenset({"telegram", "console"})
ACTIVITY_TIMEOUT_S = 3.0


async def note_user_activity(settings: Settings, sender_id: str, channel: str) -> bool:
    """True when this was the user's first message (the notice should be shown)."""
    if channel not in RECORDED_CHANNELS:
        return False
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(note_activity, sender_id, settings.database_url), ACTIVITY_TIMEOUT_S
        )
    except Exception as exc:  # noqa: BLE001 — bookkeeping must never cost the answer
        log.warning("could not record user activity (%s: %s)", type(exc).__name__, exc)
        return False


def with_first_use_notice(turn: Turn, first_use: bool) -> Turn:
    """Append the short privacy notice to the last text of the turn (no extra message)."""
    if not first_use:
        return turn
    for reply in reversed(turn.replies):
        if reply.text and reply.image is None and reply.document is None:
            reply.text = f"{reply.text}\n\n{PRIVACY_FIRST_USE_TEXT}"
            return turn
    turn.replies.append(Reply(PRIVACY_FIRST_USE_TEXT))
    return turn
