"""Stored feedback / fallback texts are masked; consent and first-use notice bookkeeping."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.privacy import (
    PRIVACY_FIRST_USE_TEXT,
    give_reminder_consent,
    has_reminder_consent,
    note_activity,
    withdraw_reminder_consent,
)
from bot.privacy.activity import with_first_use_notice
from bot.replies import Reply, Turn
from bot.storage.db import session_scope
from bot.storage.fallbacks import record_fallback_question, record_feedback
from bot.storage.models import FallbackQuestion, Feedback
from bot.text import contains_personal_number

HOSTILE_TEXTS = [
    "身份证310101199001011234，手机13812345678",
    "ID 31010119900101123X phone +86 138-1234-5678",
    "旧证 310101900101123 电话 8613812345678",
    "号码：4403011990010112 34 and 139 1234 5678",
]


@pytest.fixture
def url(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def test_feedback_and_fallback_texts_are_stored_masked(url: str) -> None:
    for i, hostile in enumerate(HOSTILE_TEXTS):
        record_fallback_question(f"tg:{i}", hostile, "faq/x", 0.1)
        record_feedback(f"tg:{i}", "renewal_window", False, hostile)
    with session_scope(url) as session:
        stored = list(session.scalars(select(FallbackQuestion.text)))
        stored += list(session.scalars(select(Feedback.question)))
    assert len(stored) == 2 * len(HOSTILE_TEXTS)
    for value in stored:
        assert not contains_personal_number(value), value
        assert "310101199001011234" not in value and "13812345678" not in value


def test_reminder_consent_round_trip(url: str) -> None:
    assert has_reminder_consent("tg:1", url) is False
    give_reminder_consent("tg:1", url)
    assert has_reminder_consent("tg:1", url) is True
    withdraw_reminder_consent("tg:1", url)
    assert has_reminder_consent("tg:1", url) is False


def test_the_notice_is_shown_on_first_use_only(url: str) -> None:
    assert note_activity("tg:9", url) is True
    assert note_activity("tg:9", url) is False
    assert note_activity("tg:10", url) is True


def test_every_message_is_counted_and_a_privacy_read_suppresses_the_notice(url: str) -> None:
    from sqlalchemy import select

    from bot.privacy.consent import mark_notice_shown
    from bot.storage.db import session_scope
    from bot.storage.models import User

    def counted(sender_id: str) -> int:
        with session_scope(url) as session:
            return int(session.scalar(select(User.message_count).where(User.sender_id == sender_id)) or 0)

    assert [note_activity("tg:21", url) for _ in range(3)] == [True, False, False]
    assert counted("tg:21") == 3
    mark_notice_shown("tg:22", url)  # /privacy read before the first question
    assert note_activity("tg:22", url) is False
    assert counted("tg:22") == 1


def test_notice_goes_into_the_last_text_not_into_an_image_caption() -> None:
    turn = Turn(text="x", replies=[Reply("答案"), Reply("卡片", image=b"png")])
    with_first_use_notice(turn, True)
    assert turn.replies[0].text.endswith(PRIVACY_FIRST_USE_TEXT)
    assert turn.replies[1].text == "卡片"
    untouched = Turn(text="x", replies=[Reply("答案")])
    assert with_first_use_notice(untouched, False).replies[0].text == "答案"
