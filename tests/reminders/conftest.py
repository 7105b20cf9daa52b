"""Fixtures for reminder tests: a fake Telegram Bot API over real HTTP, and a rate-limited bot."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from bot.reminders.telegram_sender import TelegramSender, build_reminder_bot
from tests.fakes.telegram_api import FakeTelegramServer, _ApiRequestHandler


class _QuickReplyHandler(_ApiRequestHandler):
    # The stdlib handler writes headers and body in two send() calls; with Nagle on, each reply
    # waits ~40 ms for a delayed ACK — latency real Telegram does not have.
    disable_nagle_algorithm = True


@pytest.fixture
def fake_tg(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeTelegramServer]:
    import tests.fakes.telegram_api as fake_module

    monkeypatch.setattr(fake_module, "_ApiRequestHandler", _QuickReplyHandler)
    with FakeTelegramServer() as server:
        yield server


@pytest.fixture
async def telegram_sender(fake_tg: FakeTelegramServer) -> AsyncIterator[TelegramSender]:
    bot = build_reminder_bot(fake_tg.token, fake_tg.base_url, messages_per_second=1000)
    async with bot:
        yield TelegramSender(bot, network_retries=1, backoff_s=0.01)
