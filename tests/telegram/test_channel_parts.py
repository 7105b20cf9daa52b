"""Parts of the Telegram channel, each with the real python-telegram-bot against the fake API."""

from __future__ import annotations

import asyncio

from telegram import Bot, Update

from bot.channels.telegram import (
    TYPING_DELAY_S,
    ChatOrderedUpdateProcessor,
    typing_while,
    webhook_path,
)
from tests.fakes.telegram_api import FakeTelegramServer


def make_bot(server: FakeTelegramServer) -> Bot:
    return Bot(server.token, base_url=server.base_url, base_file_url=server.file_base_url)


async def test_typing_is_shown_only_while_a_slow_answer_is_prepared(
    fake_telegram: FakeTelegramServer,
) -> None:
    async with make_bot(fake_telegram) as bot:
        async with typing_while(bot, 1):  # instant answer: no indicator
            pass
        async with typing_while(bot, 2):  # slow answer
            await asyncio.sleep(TYPING_DELAY_S + 0.4)
        await asyncio.sleep(0.2)
    assert fake_telegram.calls("sendChatAction", 1) == []
    [typing] = fake_telegram.calls("sendChatAction", 2)
    assert typing["params"]["action"] == "typing"


def _update(update_id: int, chat_id: int) -> Update:
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": {"id": chat_id, "type": "private"},
                "text": str(update_id),
            },
        },
        None,
    )


async def test_one_chat_stays_in_order_while_other_chats_run_concurrently() -> None:
    processor = ChatOrderedUpdateProcessor(8)
    log: list[tuple[str, int, int]] = []
    running: set[int] = set()
    overlap_between_chats = False

    async def handle(update: Update, seconds: float) -> None:
        nonlocal overlap_between_chats
        chat = update.effective_chat.id  # type: ignore[union-attr]
        assert chat not in running, "two updates of one chat ran at the same time"
        running.add(chat)
        overlap_between_chats |= len(running) > 1
        log.append(("start", chat, update.update_id))
        await asyncio.sleep(seconds)
        log.append(("end", chat, update.update_id))
        running.discard(chat)

    # Chat 1 sends three messages, the first one slow; chat 2 sends one in between.
    updates = [
        (_update(1, 1), 0.2),
        (_update(2, 1), 0.01),
        (_update(3, 2), 0.01),
        (_update(4, 1), 0.01),
    ]
    await asyncio.gather(
        *(processor.process_update(update, handle(update, seconds)) for update, seconds in updates)
    )
    chat1 = [uid for event, chat, uid in log if chat == 1 and event == "start"]
    assert chat1 == [1, 2, 4]
    # Chat 2 did not wait for chat 1's slow first message.
    assert log.index(("end", 2, 3)) < log.index(("end", 1, 1))
    assert overlap_between_chats


async def test_a_busy_chat_holds_one_slot_not_one_per_message() -> None:
    processor = ChatOrderedUpdateProcessor(2)
    done: list[int] = []

    async def handle(update: Update, seconds: float) -> None:
        await asyncio.sleep(seconds)
        done.append(update.update_id)

    flood = [(_update(i, 1), 0.05) for i in range(1, 11)]
    other = (_update(100, 2), 0.0)
    tasks = [asyncio.create_task(processor.process_update(u, handle(u, s))) for u, s in flood]
    await asyncio.sleep(0.01)
    await asyncio.wait_for(processor.process_update(other[0], handle(*other)), timeout=0.2)
    assert 100 in done and len([d for d in done if d < 100]) < 10
    await asyncio.gather(*tasks)
    assert [d for d in done if d < 100] == list(range(1, 11))


def test_the_webhook_path_comes_from_the_url() -> None:
    assert webhook_path("https://bot.example.cn/telegram/abc123") == "telegram/abc123"
    assert webhook_path("https://bot.example.cn") == ""


async def test_a_failing_update_does_not_drop_the_next_one_of_its_chat() -> None:
    processor = ChatOrderedUpdateProcessor(4)
    done: list[int] = []

    async def handle(update: Update) -> None:
        await asyncio.sleep(0.01)
        if update.update_id == 1:
            raise RuntimeError("boom")
        done.append(update.update_id)

    updates = [_update(i, 7) for i in (1, 2, 3)]
    await asyncio.gather(*(processor.process_update(u, handle(u)) for u in updates))
    assert done == [2, 3]
