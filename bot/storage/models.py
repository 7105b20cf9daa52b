"""Core tables: users (settings, consent) and feedback / fallback logs.

Feature modules add their own tables (``bot.storage.reminders`` …); importing
``all_models`` registers every table on ``Base.metadata``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, utcnow


class User(Base):
    """One person talking to the bot; ``sender_id`` is the channel's id (Telegram chat id or console id)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    channel: Mapped[str] = mapped_column(String(16), default="console")
    language: Mapped[str] = mapped_column(String(8), default="zh")
    privacy_notice_shown: Mapped[bool] = mapped_column(Boolean, default=False)
    reminder_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    message_count: Mapped[int] = mapped_column(BigInteger, default=0)


class Feedback(Base):
    """A 👍/👎 on an answer. ``question`` is stored masked."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    faq_id: Mapped[str] = mapped_column(String(80))
    helpful: Mapped[bool] = mapped_column(Boolean)
    question: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FallbackQuestion(Base):
    """A question the assistant was unsure about — masked, exported by ``python -m bot review``."""

    __tablename__ = "fallback_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=True
    )
    text: Mapped[str] = mapped_column(Text)
    top_intent: Mapped[str] = mapped_column(String(120), default="")
    confidence: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
