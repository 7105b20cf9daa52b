"""A brief database outage costs retries, not answers: PostgreSQL behind a proxy we cut."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import create_engine, select, text

from bot.brain.rasa_client import RasaClient
from bot.config import load_settings
from bot.pipeline import Assistant
from bot.storage.db import session_scope
from bot.storage.fallbacks import record_fallback_question, record_feedback
from bot.storage.models import FallbackQuestion, Feedback, User
from tests.conftest import PG_ADMIN_URL, free_port
from tests.resilience.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxied(pg_url: str) -> Iterator[tuple[str, TcpProxy]]:
    proxy = TcpProxy("127.0.0.1", 5432).start()
    url = pg_url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{proxy.port}/")
    assert url != pg_url
    try:
        yield url, proxy
    finally:
        proxy.stop()


def messages_counted(pg_url: str, sender_id: str) -> int:
    with session_scope(pg_url) as session:
        return int(session.scalar(select(User.message_count).where(User.sender_id == sender_id)) or 0)


def restore_later(proxy: TcpProxy, after_s: float) -> threading.Timer:
    timer = threading.Timer(after_s, proxy.restore)
    timer.start()
    return timer


async def test_messages_are_answered_and_counted_across_a_brief_outage(
    proxied: tuple[str, TcpProxy], pg_url: str, local_faq  # type: ignore[no-untyped-def]
) -> None:
    url, proxy = proxied
    settings = replace(load_settings(), database_url=url, rasa_url=f"http://127.0.0.1:{free_port()}")
    assistant = Assistant(settings, RasaClient(settings.rasa_url, "t", 1.0))
    assistant._local_faq = local_faq  # noqa: SLF001
    try:
        assert (await assistant.handle_text("tg:1", "居住证怎么续签", "telegram")).replies[0].text
        assert messages_counted(pg_url, "tg:1") == 1

        proxy.cut()  # back after half a second: the write is retried and lands
        restore_later(proxy, 0.5)
        turn = await assistant.handle_text("tg:1", "办居住证要多久", "telegram")
        assert turn.replies and turn.replies[0].text
        assert messages_counted(pg_url, "tg:1") == 2

        proxy.cut()  # a longer outage: the answer still comes, only the counter is lost
        started = time.monotonic()
        turn = await assistant.handle_text("tg:1", "居住证丢了怎么办", "telegram")
        assert turn.replies and turn.replies[0].text and time.monotonic() - started < 5
        proxy.restore()
        assert (await assistant.handle_text("tg:1", "谢谢", "telegram")).replies
        assert messages_counted(pg_url, "tg:1") == 3
    finally:
        await assistant.aclose()


def test_writes_are_retried_through_an_outage(
    proxied: tuple[str, TcpProxy], pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, proxy = proxied
    monkeypatch.setenv("DATABASE_URL", url)
    record_feedback("tg:5", "renewal_window", True, "第一条")
    proxy.cut()
    timer = restore_later(proxy, 0.5)
    record_feedback("tg:5", "renewal_window", False, "第二条")  # raises if the retry gave up
    record_fallback_question("tg:5", "断线后的问题", "faq/x", 0.2)
    timer.join()
    with session_scope(pg_url) as session:
        assert len(session.scalars(select(Feedback)).all()) == 2
        assert len(session.scalars(select(FallbackQuestion)).all()) == 1


def test_writes_survive_terminated_backends(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server kills every connection of the bot (restart, failover): the next write works."""
    monkeypatch.setenv("DATABASE_URL", pg_url)
    record_feedback("tg:6", "renewal_window", True, "a")
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    database = pg_url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        killed = conn.scalar(
            text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                 "WHERE datname = :d AND pid <> pg_backend_pid()"),
            {"d": database},
        )  # fmt: skip
    admin.dispose()
    assert killed >= 1
    record_feedback("tg:6", "renewal_window", False, "b")
    with session_scope(pg_url) as session:
        assert len(session.scalars(select(Feedback)).all()) == 2
