"""Hostile updates through the real Telegram handlers (python-telegram-bot, in process, long
polling against the fake Bot API, which rejects malformed HTML like Telegram does) with the
real assistant on the Rasa stack: texts, commands and forged callback data.

Every update must get at least one message back, none of them the generic error text, and no
ERROR may be logged. ``FUZZ_TELEGRAM_UPDATES`` overrides the size.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bot.brain.rasa_client import RasaClient  # noqa: E402
from bot.inputs import repair_surrogates  # noqa: E402
from bot.pipeline import Assistant  # noqa: E402
from bot.ratelimit import FloodControl  # noqa: E402
from bot.text import mask_personal_numbers  # noqa: E402
from tests.fakes.telegram_api import FakeTelegramServer  # noqa: E402
from tests.fuzz.checks import ErrorRecords  # noqa: E402
from tests.fuzz.corpus import forged_callback_data, hostile_text  # noqa: E402

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(1800)]

UPDATES = int(os.environ.get("FUZZ_TELEGRAM_UPDATES", "1000"))
SEED = int(os.environ.get("FUZZ_SEED", "20261127"))
CHATS = 40
PARALLEL = 16
COMMANDS = ["/start", "/help", "/faq", "/privacy", "/mydata", "/forget", "/stats", "/cancel",
            "/start@other_bot", "/nonexistent", "/remind", "/materials", "/mydata extra args"]  # fmt: skip


@pytest.fixture
async def live(rasa_stack) -> AsyncIterator[FakeTelegramServer]:  # type: ignore[no-untyped-def]
    from bot.channels.telegram import build_application

    with FakeTelegramServer() as fake:
        settings = replace(
            rasa_stack.settings, telegram_token=fake.token, telegram_api_base_url=fake.base_url,
            telegram_file_base_url=fake.file_base_url, rasa_timeout_s=30.0,
        )  # fmt: skip
        assistant = Assistant(settings, RasaClient(settings.rasa_url, settings.rasa_token, 30.0))
        assistant.flood = FloodControl(max_messages=0)  # flood control is tested on its own
        application = build_application(settings, assistant)
        await application.initialize()
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield fake
        finally:
            await application.updater.stop()
            await application.stop()
            await application.shutdown()
            await assistant.aclose()


def telegram_text(rng: random.Random) -> tuple[str, str]:
    """Something a Telegram client can really send (valid UTF-8, 1..4096 characters)."""
    if rng.random() < 0.15:
        return "command", rng.choice(COMMANDS)
    category, content = hostile_text(rng)
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    content = repair_surrogates(content)[:4096]
    return category, content if content.strip() else "。"


def run_chat(fake: FakeTelegramServer, chat: int, steps: int, seed: int) -> tuple[Counter[str], list[str]]:
    rng = random.Random(seed)
    seen: Counter[str] = Counter()
    problems: list[str] = []
    for _ in range(steps):
        before = len(fake.messages_to(chat))
        bot_messages = fake.messages_to(chat)
        if bot_messages and rng.random() < 0.3:
            target = rng.choice(bot_messages[-5:])
            data = forged_callback_data(rng, reminder_ids=[1, 2, 3])
            seen["callback"] += 1
            fake.user_presses(chat, target["result"]["message_id"], data)
            what = f"callback {data!r}"
        else:
            category, text = telegram_text(rng)
            seen[category] += 1
            fake.user_sends_text(chat, text)
            what = f"{category} {text!r:.60}"
        step_started = time.monotonic()
        try:
            fake.wait_for_messages(chat, before + 1, timeout=60)
        except TimeoutError:
            problems.append(f"chat {chat}: no answer to {what}")
        if time.monotonic() - step_started > 5:
            logging.getLogger(__name__).warning(
                "slow answer (%.1fs) in chat %s to %s", time.monotonic() - step_started, chat,
                mask_personal_numbers(what),  # the log guard checks this test's lines too
            )  # fmt: skip
    return seen, problems


async def test_hostile_updates_through_the_telegram_handlers(live: FakeTelegramServer) -> None:
    from bot.channels.telegram import ERROR_TEXT

    fake = live
    errors = ErrorRecords()
    logging.getLogger().addHandler(errors)
    started = time.monotonic()
    steps = max(1, UPDATES // CHATS)
    loop = asyncio.get_running_loop()
    # the simulated users block while they wait for answers: give them threads of their own, or
    # they would starve the default executor the bot itself uses (asyncio.to_thread)
    users = ThreadPoolExecutor(PARALLEL, thread_name_prefix="fuzz-user")
    try:
        results = await asyncio.gather(
            *(loop.run_in_executor(users, run_chat, fake, 900_000 + i, steps, SEED + i) for i in range(CHATS))
        )
        await asyncio.sleep(1)  # let the last updates finish
    finally:
        users.shutdown(wait=False, cancel_futures=True)
        logging.getLogger().removeHandler(errors)
    seen: Counter[str] = Counter()
    problems: list[str] = []
    for counts, chat_problems in results:
        seen.update(counts)
        problems += chat_problems
    sent: list[dict[str, Any]] = [m for i in range(CHATS) for m in fake.messages_to(900_000 + i)]
    error_replies = [m for m in sent if ERROR_TEXT in str(m["params"].get("text", ""))]
    failed_calls = [r for r in fake.requests if r.get("status", 200) >= 400 and r.get("method") != "answerCallbackQuery"]
    print(
        f"\ntelegram fuzz seed={SEED}: {sum(seen.values())} updates in {time.monotonic() - started:.0f}s, "
        f"{len(sent)} bot messages, unanswered={len(problems)}, error_replies={len(error_replies)}, "
        f"error_logs={len(errors.records)}, rejected_api_calls={len(failed_calls)}\n{dict(seen)}"
    )
    assert not problems, "\n".join(problems[:10])
    assert not errors.records, errors.summary()
    assert not error_replies
