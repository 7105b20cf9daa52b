"""Writes for feedback and unsure questions; text is masked before it is stored."""

from __future__ import annotations

from bot.storage.base import utcnow
from bot.storage.db import session_scope, with_db_retry
from bot.storage.models import FallbackQuestion, Feedback
from bot.storage.users import get_or_create_user
from bot.text import mask_personal_numbers


def record_fallback_question(sender_id: str, text: str, top_intent: str, confidence: float) -> None:
    def work() -> None:
        with session_scope() as session:
            user = get_or_create_user(session, sender_id)
            session.add(
                FallbackQuestion(
                    user_id=user.id,
                    text=mask_personal_numbers(text)[:1000],
                    top_intent=top_intent[:120],
                    confidence=float(confidence),
                    created_at=utcnow(),
                )
            )

    with_db_retry(work)


def record_feedback(sender_id: str, faq_id: str, helpful: bool, question: str = "") -> None:
    def work() -> None:
        with session_scope() as session:
            user = get_or_create_user(session, sender_id)
            session.add(
                Feedback(
                    user_id=user.id,
                    faq_id=faq_id,
                    helpful=helpful,
                    question=mask_personal_numbers(question)[:1000],
                    created_at=utcnow(),
                )
            )

    with_db_retry(work)
