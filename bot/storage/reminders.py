"""Reminder tables: one row per permit to watch, one delivery row per message sent.

``reminders`` is the dispatcher's source of truth: ``stage`` is the next message of the current
cycle, ``next_due_at`` when it is due, ``state`` whether the row is still live. Workers claim
due rows with a lease (``claimed_by`` / ``claimed_until``); an expired lease makes the row
claimable again, so a crashed worker loses nothing.

``reminder_deliveries`` makes a double send impossible: a worker writes the delivery row (unique
per reminder, cycle and stage) *before* it calls Telegram. A row left in ``sending`` by a worker
that died mid-call becomes ``unconfirmed`` and is not sent again (see bot.reminders.engine).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, utcnow


class ReminderState(StrEnum):
    ACTIVE = "active"  # has a next message due at next_due_at
    DONE = "done"  # the cycle is over, nothing more to send
    FAILED = "failed"  # sending kept failing; kept for the operator
    INACTIVE = "inactive"  # the user blocked the bot or switched reminders off


class DeliveryStatus(StrEnum):
    SENDING = "sending"  # reserved; the worker is calling Telegram
    SENT = "sent"  # Telegram accepted it
    UNCONFIRMED = "unconfirmed"  # the worker died during the call; never sent again


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_state_next_due_at", "state", "next_due_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(32), default="本人")
    expiry_date: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(16))
    next_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    state: Mapped[str] = mapped_column(String(12), default=ReminderState.ACTIVE.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_stage_sent: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class ReminderDelivery(Base):
    __tablename__ = "reminder_deliveries"
    __table_args__ = (
        UniqueConstraint(
            "reminder_id", "expiry_date", "stage", name="uq_reminder_deliveries_cycle_stage"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reminder_id: Mapped[int] = mapped_column(
        ForeignKey("reminders.id", ondelete="CASCADE"), index=True
    )
    expiry_date: Mapped[date] = mapped_column(Date)  # identifies the cycle
    stage: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12), default=DeliveryStatus.SENDING.value)
    worker_id: Mapped[str] = mapped_column(String(64))
    takeovers: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    message_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
