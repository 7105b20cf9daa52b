"""User rows: looked up by the channel's sender id, created on first contact."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.storage.base import utcnow
from bot.storage.models import User


def channel_of(sender_id: str) -> str:
    return sender_id.split(":", 1)[0] if ":" in sender_id else "console"


def get_user(session: Session, sender_id: str) -> User | None:
    return session.scalar(select(User).where(User.sender_id == sender_id))


def get_or_create_user(session: Session, sender_id: str) -> User:
    """Return the user for ``sender_id``, creating it (race-safe across workers)."""
    user = get_user(session, sender_id)
    if user is not None:
        return user
    try:
        with session.begin_nested():
            user = User(
                sender_id=sender_id,
                channel=channel_of(sender_id),
                language="zh",
                privacy_notice_shown=False,
                reminder_consent=False,
                blocked=False,
                created_at=utcnow(),
                last_seen_at=utcnow(),
                message_count=0,
            )
            session.add(user)
    except IntegrityError:
        user = get_user(session, sender_id)
        assert user is not None
    return user
