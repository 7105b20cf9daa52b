"""Saved materials checklists: the latest answers per user, so /mylist can show them again.

Only the answers are stored; the checklist itself is rebuilt from knowledge/materials, so a
corrected rule reaches old checklists too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.storage.base import Base, utcnow


class SavedChecklist(Base):
    __tablename__ = "checklists"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def save_checklist(session: Session, user_id: int, answers: dict[str, Any]) -> SavedChecklist:
    row = SavedChecklist(user_id=user_id, answers=dict(answers), created_at=utcnow())
    session.add(row)
    session.flush()
    return row


def latest_checklist(session: Session, user_id: int) -> SavedChecklist | None:
    return session.scalar(
        select(SavedChecklist)
        .where(SavedChecklist.user_id == user_id)
        .order_by(SavedChecklist.created_at.desc(), SavedChecklist.id.desc())
        .limit(1)
    )


def checklist_by_id(session: Session, checklist_id: int) -> SavedChecklist | None:
    return session.get(SavedChecklist, checklist_id)
