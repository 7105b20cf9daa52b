"""Button payloads too long for Telegram's 64-byte ``callback_data``, stored under short keys.

The key is derived from the payload (a hash), so the same payload always gets the same key: any
worker or restart can answer a button another one rendered, and rendering a menu twice adds no
rows. The table is bounded: the least recently used rows beyond ``MAX_STORED_PAYLOADS`` are
pruned, and a button whose key was pruned is answered as "expired". Payloads are Rasa intents
with slot values chosen from menus, never free text a user typed.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import DateTime, String, Text, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, utcnow

MAX_STORED_PAYLOADS = 20_000
KEY_CHARS = 16


class CallbackPayload(Base):
    """One long button payload and the short key that stands for it in ``callback_data``."""

    __tablename__ = "callback_payloads"

    key: Mapped[str] = mapped_column(String(KEY_CHARS), primary_key=True)
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


def payload_key(payload: str) -> str:
    """A short, URL-safe key for ``payload`` (96 bits of SHA-256: collisions are not a concern)."""
    digest = hashlib.sha256(payload.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:KEY_CHARS]


def remember_payloads(session: Session, payloads: Iterable[str]) -> dict[str, str]:
    """Store the payloads (idempotent, safe when several workers insert the same one at once)
    and mark them used now; returns payload → key."""
    keys = {payload: payload_key(payload) for payload in payloads}
    if not keys:
        return {}
    now = utcnow()
    rows = [
        {"key": key, "payload": payload, "created_at": now, "last_used_at": now}
        for payload, key in keys.items()
    ]
    dialect = session.get_bind().dialect.name
    if dialect in {"postgresql", "sqlite"}:
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = insert(CallbackPayload).values(rows)
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["key"], set_={"last_used_at": statement.excluded.last_used_at}
            )
        )
    else:  # pragma: no cover - we only deploy on SQLite and PostgreSQL
        existing = set(
            session.scalars(
                select(CallbackPayload.key).where(CallbackPayload.key.in_(keys.values()))
            )
        )
        session.add_all(CallbackPayload(**row) for row in rows if row["key"] not in existing)
    return keys


def lookup_payload(session: Session, key: str) -> str | None:
    """The payload stored under ``key``, or ``None`` for an unknown (forged or pruned) key."""
    if len(key) != KEY_CHARS:
        return None
    return session.scalar(select(CallbackPayload.payload).where(CallbackPayload.key == key))


def prune_payloads(session: Session, keep: int = MAX_STORED_PAYLOADS) -> int:
    """Delete all but the ``keep`` most recently used payloads; returns how many were deleted."""
    stale = list(
        session.scalars(
            select(CallbackPayload.key)
            .order_by(CallbackPayload.last_used_at.desc(), CallbackPayload.key.desc())
            .offset(keep)
        )
    )
    for start in range(0, len(stale), 500):
        batch = stale[start : start + 500]
        session.execute(delete(CallbackPayload).where(CallbackPayload.key.in_(batch)))
    return len(stale)
