"""/mydata shows everything stored about a user; /forget deletes all of it (and only it)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from bot.privacy import describe_user_data, forget_user, user_row_counts
from bot.storage.db import engine_for
from tests.privacy.helpers import ID_NUMBER, MOBILE, populate, rows_referring_to, user_id_of

RASA_EVENTS_DDL = (
    "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
    "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
    "action_name VARCHAR(255), data TEXT)"
)


@pytest.fixture
def url(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def add_tracker_events(url: str, sender_id: str) -> None:
    """Rows shaped like Rasa's SQL tracker store (the real one is covered by the Rasa test)."""
    with engine_for(url).begin() as conn:
        ddl = RASA_EVENTS_DDL.replace("CREATE TABLE", "CREATE TABLE IF NOT EXISTS")
        if url.startswith("postgresql"):
            ddl = ddl.replace("id INTEGER PRIMARY KEY", "id SERIAL PRIMARY KEY")
        conn.execute(text(ddl))
        for i, (kind, said) in enumerate([("user", "续签要多久"), ("bot", "一般……"), ("user", "谢谢")]):
            conn.execute(
                text("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, :k, :t, :d)"),
                {"s": sender_id, "k": kind, "t": 1_790_000_000 + i, "d": json.dumps({"text": said})},
            )


def test_mydata_lists_every_kind_of_stored_data(url: str) -> None:
    populate(url, "tg:100")
    add_tracker_events(url, "tg:100")
    described = describe_user_data("tg:100", url)
    for part in ("基本信息", "tg:100", "续签提醒", "到期日 2027-03-01", "材料清单", "评价",
                 "没答好的问题", "对话记录", "续签要多久", "已发出的提醒记录", "/forget"):
        assert part in described, part
    assert ID_NUMBER not in described and MOBILE not in described


def test_mydata_for_an_unknown_user_says_nothing_is_stored(url: str) -> None:
    assert describe_user_data("tg:nobody", url) == "我们没有保存任何关于你的数据。"


def test_forget_deletes_every_row_of_the_user_and_nothing_else(url: str) -> None:
    populate(url, "tg:100")
    populate(url, "tg:200")
    add_tracker_events(url, "tg:100")
    add_tracker_events(url, "tg:200")
    uid, other_uid = user_id_of(url, "tg:100"), user_id_of(url, "tg:200")
    before = user_row_counts("tg:100", url)
    assert set(before) >= {"users", "feedback", "fallback_questions", "reminders",
                           "reminder_deliveries", "checklists", "events"}

    deleted = forget_user("tg:100", url)

    assert deleted == before
    assert rows_referring_to(url, "tg:100", uid) == {}
    assert user_row_counts("tg:100", url) == {}
    assert user_row_counts("tg:200", url) == before  # the other user keeps everything
    assert rows_referring_to(url, "tg:200", other_uid)


def test_forget_twice_is_harmless(url: str) -> None:
    populate(url, "tg:100")
    forget_user("tg:100", url)
    assert forget_user("tg:100", url) == {}
