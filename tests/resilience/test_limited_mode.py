"""Limited mode without Rasa: a dead or silent Rasa still gets FAQ answers from local retrieval."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.brain.rasa_client import RasaClient
from bot.config import load_settings
from bot.pipeline import Assistant
from tests.conftest import free_port

LIMITED_NOTICE = "简化模式"


@pytest.fixture
def tarpit() -> Iterator[int]:
    """A server that accepts connections and never answers: Rasa hanging on a request."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield listener.getsockname()[1]
    listener.close()
    for sock in held:
        sock.close()


def assistant_for(rasa_url: str, db_url: str, local_faq) -> Assistant:  # type: ignore[no-untyped-def]
    settings = replace(load_settings(), rasa_url=rasa_url, database_url=db_url, rasa_timeout_s=2.0)
    assistant = Assistant(settings, RasaClient(rasa_url, "token", settings.rasa_timeout_s))
    assistant._local_faq = local_faq  # noqa: SLF001 — share the index built once per session
    return assistant


async def test_dead_rasa_faq_answered_locally_with_the_notice(sqlite_url: str, local_faq) -> None:  # type: ignore[no-untyped-def]
    assistant = assistant_for(f"http://127.0.0.1:{free_port()}", sqlite_url, local_faq)
    try:
        turn = await assistant.handle_text("tg:1", "居住证快到期了，怎么续签？", "telegram")
        assert turn.limited_mode and assistant.limited_mode
        assert turn.intent and turn.intent.startswith("faq/renewal")
        assert LIMITED_NOTICE in turn.replies[0].text and len(turn.replies[0].text) > 40
        oos = await assistant.handle_text("tg:1", "上海积分120分怎么算", "telegram")
        assert oos.intent == "nlu_fallback" and "没找到答案" in oos.replies[0].text
        button = await assistant.handle_payload("tg:1", "/faq_menu", "telegram")
        assert "按钮暂时用不了" in button.replies[0].text
        hello = await assistant.handle_text("tg:1", "在吗？", "telegram")
        assert hello.intent == "greet" and hello.replies[0].text.startswith("你好")
        assert LIMITED_NOTICE in hello.replies[0].text
        yes = await assistant.handle_text("tg:1", "对的", "telegram")
        assert yes.intent == "affirm" and "没法继续" in yes.replies[0].text
        menu_word = await assistant.handle_text("tg:1", "我的提醒", "telegram")
        assert menu_word.intent == "reminders_list" and "暂时用不了" in menu_word.replies[0].text
    finally:
        await assistant.aclose()


async def test_slow_rasa_is_given_up_after_the_timeout(tarpit: int, sqlite_url: str, local_faq) -> None:  # type: ignore[no-untyped-def]
    assistant = assistant_for(f"http://127.0.0.1:{tarpit}", sqlite_url, local_faq)
    try:
        started = time.monotonic()
        turn = await assistant.handle_text("tg:2", "居住证办下来要多久", "telegram")
        waited = time.monotonic() - started
        assert turn.limited_mode and turn.intent and turn.intent.startswith("faq/")
        assert 1.9 <= waited < 4.0, waited
    finally:
        await assistant.aclose()
