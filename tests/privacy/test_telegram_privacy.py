"""/privacy, /mydata, /forget (+ confirmation button) and /stats through the real Telegram
application (python-telegram-bot, long polling) against the fake Bot API. The same, typed in
words (「删除我的数据」), goes through the assistant's pipeline; Rasa is unreachable on purpose:
none of this may need it."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bot.config import load_settings  # noqa: E402
from bot.privacy import PRIVACY_NOTICE_TEXT, user_row_counts  # noqa: E402
from bot.privacy.commands import FORGET_CANCELLED, FORGET_DONE, FORGET_QUESTION, NOT_ALLOWED  # noqa: E402
from tests.conftest import free_port  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramServer  # noqa: E402
from tests.privacy.helpers import populate  # noqa: E402

ADMIN = 777


@pytest.fixture
async def live(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[tuple[FakeTelegramServer, str]]:
    from bot.brain.rasa_client import RasaClient
    from bot.channels.telegram import build_application
    from bot.pipeline import Assistant

    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    with FakeTelegramServer() as fake:
        settings = replace(
            load_settings(), telegram_token=fake.token, telegram_api_base_url=fake.base_url,
            telegram_file_base_url=fake.file_base_url, database_url=sqlite_url,
            admin_ids=frozenset({ADMIN}),
        )  # fmt: skip
        offline = RasaClient(f"http://127.0.0.1:{free_port()}", timeout_s=1.0)
        application = build_application(settings, assistant=Assistant(settings, offline))
        await application.initialize()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield fake, sqlite_url
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()


async def say(fake: FakeTelegramServer, chat: int, text: str) -> list[dict[str, Any]]:
    before = len(fake.messages_to(chat))
    fake.user_sends_text(chat, text)
    return (await asyncio.to_thread(fake.wait_for_messages, chat, before + 1, 15))[before:]


async def press(fake: FakeTelegramServer, chat: int, message: dict[str, Any], title: str) -> list[dict[str, Any]]:
    message_id = message["result"]["message_id"]
    button = next(b for b in fake.buttons_of(chat, message_id) if b["text"] == title)
    before = len(fake.messages_to(chat))
    fake.user_presses(chat, message_id, button["callback_data"])
    return (await asyncio.to_thread(fake.wait_for_messages, chat, before + 1, 15))[before:]


def text_of(message: dict[str, Any]) -> str:
    return str(message["params"].get("text") or message["params"].get("caption") or "")


async def test_privacy_and_mydata(live: tuple[FakeTelegramServer, str]) -> None:
    fake, url = live
    notice = await say(fake, 501, "/privacy")
    assert text_of(notice[0]).startswith(PRIVACY_NOTICE_TEXT.split("\n")[0])
    populate(url, "tg:501")
    shown = text_of((await say(fake, 501, "/mydata"))[0])
    assert "续签提醒" in shown and "tg:501" in shown and "310101199001011234" not in shown


async def test_forget_asks_first_and_deletes_only_after_confirmation(live: tuple[FakeTelegramServer, str]) -> None:
    fake, url = live
    populate(url, "tg:502")
    question = (await say(fake, 502, "/forget"))[0]
    assert user_row_counts("tg:502", url)  # asking deletes nothing
    assert text_of((await press(fake, 502, question, "取消"))[0]) == FORGET_CANCELLED
    assert user_row_counts("tg:502", url)
    question = (await say(fake, 502, "/forget"))[0]
    assert text_of((await press(fake, 502, question, "确认删除"))[0]) == FORGET_DONE
    assert user_row_counts("tg:502", url) == {}
    assert fake.buttons_of(502, question["result"]["message_id"]) == []  # no second press


async def test_the_same_typed_in_words(live: tuple[FakeTelegramServer, str]) -> None:
    fake, url = live
    populate(url, "tg:504")
    shown = text_of((await say(fake, 504, "我的数据"))[0])
    assert "续签提醒" in shown and "tg:504" in shown
    assert text_of((await say(fake, 504, "你们会保存我的身份证照片吗？"))[0]).startswith("🔒 隐私说明")
    question = (await say(fake, 504, "请帮我删除我的全部数据"))[0]
    assert text_of(question) == FORGET_QUESTION
    assert user_row_counts("tg:504", url)  # typing asks; only the button deletes
    assert text_of((await press(fake, 504, question, "确认删除"))[0]) == FORGET_DONE
    assert user_row_counts("tg:504", url) == {}


async def test_stats_only_for_admin_ids(live: tuple[FakeTelegramServer, str]) -> None:
    fake, url = live
    populate(url, "tg:503")
    assert text_of((await say(fake, 503, "/stats"))[0]) == NOT_ALLOWED
    assert "使用统计" in text_of((await say(fake, ADMIN, "/stats"))[0])
