"""Checklists per user: save the answers, load the latest, render a saved one as a card.

Channels call ``render_card_for(checklist_id)`` when the action server emits
``{"type": "checklist_card", "checklist_id": …}``; /mylist calls ``latest_checklist_for``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.config import TIMEZONE, load_settings
from bot.materials.card import render_card
from bot.materials.rules import Checklist, MaterialsAnswers, build_checklist
from bot.storage.checklists import checklist_by_id, latest_checklist, save_checklist
from bot.storage.db import session_scope, with_db_retry
from bot.storage.users import get_or_create_user, get_user

CARD_MESSAGE_TYPE = "checklist_card"


class ChecklistNotFound(LookupError):
    """No saved checklist with that id."""


@dataclass(frozen=True)
class SavedChecklistView:
    checklist_id: int
    created_at: datetime
    checklist: Checklist


def shanghai_today() -> date:
    """Today in Shanghai; BOT_CLOCK (settings.clock_override) pins it for tests and demos."""
    override = load_settings().clock_override
    if override:
        moment = datetime.fromisoformat(override)
        return (moment.astimezone(TIMEZONE) if moment.tzinfo else moment).date()
    return datetime.now(TIMEZONE).date()


def save_answers(sender_id: str, answers: MaterialsAnswers, url: str | None = None) -> int:
    """Store the answers as this user's newest checklist; returns the checklist id."""

    def work() -> int:
        with session_scope(url) as session:
            user = get_or_create_user(session, sender_id)
            return save_checklist(session, user.id, answers.to_json()).id

    return with_db_retry(work)


def latest_checklist_for(
    sender_id: str, url: str | None = None, today: date | None = None
) -> SavedChecklistView | None:
    """The user's newest checklist, rebuilt from the current rules (None if they have none)."""
    with session_scope(url) as session:
        user = get_user(session, sender_id)
        row = latest_checklist(session, user.id) if user is not None else None
        if row is None:
            return None
        answers = MaterialsAnswers.from_json(row.answers)
        return SavedChecklistView(
            checklist_id=row.id,
            created_at=row.created_at,
            checklist=build_checklist(answers, today=today or shanghai_today()),
        )


def checklist_for_id(
    checklist_id: int, url: str | None = None, today: date | None = None
) -> Checklist:
    with session_scope(url) as session:
        row = checklist_by_id(session, checklist_id)
        if row is None:
            raise ChecklistNotFound(checklist_id)
        answers = MaterialsAnswers.from_json(row.answers)
    return build_checklist(answers, today=today or shanghai_today())


def render_card_for(checklist_id: int, url: str | None = None) -> bytes:
    """PNG bytes of a saved checklist (raises ChecklistNotFound)."""
    today = shanghai_today()
    return render_card(checklist_for_id(checklist_id, url, today), today=today)


def card_message(checklist_id: int) -> dict[str, object]:
    """The custom JSON message channels turn into the card picture."""
    return {"type": CARD_MESSAGE_TYPE, "checklist_id": checklist_id}
