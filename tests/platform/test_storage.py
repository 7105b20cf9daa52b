"""Storage runs the same on SQLite and PostgreSQL (``db_url`` is parametrised over both)."""

from sqlalchemy import inspect, select

from bot.storage.db import engine_for, session_scope
from bot.storage.models import FallbackQuestion, User
from bot.storage.users import get_or_create_user


def test_migrations_create_core_tables(db_url: str) -> None:
    tables = set(inspect(engine_for(db_url)).get_table_names())
    assert {"users", "feedback", "fallback_questions", "alembic_version"} <= tables


def test_get_or_create_user_is_idempotent(db_url: str) -> None:
    with session_scope(db_url) as s:
        first = get_or_create_user(s, "tg:42").id
    with session_scope(db_url) as s:
        again = get_or_create_user(s, "tg:42").id
        assert first == again
        assert s.scalar(select(User).where(User.sender_id == "tg:42")).channel == "tg"


def test_deleting_a_user_cascades_to_their_rows(db_url: str) -> None:
    with session_scope(db_url) as s:
        user = get_or_create_user(s, "tg:7")
        s.add(FallbackQuestion(user_id=user.id, text="x", top_intent="faq/x", confidence=0.1))
    with session_scope(db_url) as s:
        s.delete(s.scalar(select(User).where(User.sender_id == "tg:7")))
    with session_scope(db_url) as s:
        assert s.scalars(select(FallbackQuestion)).all() == []
