"""10,000 random and hostile messages through ``Assistant.handle_text`` / ``handle_payload``
against the real Rasa + action server stack (``rasa_stack``), 16 at a time.

Counted as failures: an exception out of the pipeline, an ERROR log record in this process, a new
traceback in the Rasa / action server logs, a reply that is not well-formed (tests/fuzz/checks.py),
and a forged payload that changed another user's reminder. ``FUZZ_MESSAGES`` / ``FUZZ_SEED``
override the size and the seed (printed, so a failure can be replayed).
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import zlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.brain.rasa_client import RasaClient
from bot.pipeline import Assistant
from bot.ratelimit import SLOW_DOWN_TEXT, FloodControl
from bot.storage.db import session_scope
from bot.storage.reminders import Reminder
from bot.storage.users import get_or_create_user
from tests.fuzz.checks import ErrorRecords, problems_with
from tests.fuzz.corpus import message_plan

# 10k messages by default; measured 5 msg/s on this shared 2-core box at load 13 (so ~35 min)
pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(3600)]

MESSAGES = int(os.environ.get("FUZZ_MESSAGES", "10000"))
SEED = int(os.environ.get("FUZZ_SEED", "20261127"))
CONCURRENCY = 16
SENDERS = 1000  # ~10 messages each: under the flood limit, as real users would be


def traceback_count(log_dir: Path) -> int:
    return sum(
        path.read_text(encoding="utf-8", errors="replace").count("Traceback")
        for path in log_dir.glob("*.log")
    )


def victim_reminders(database_url: str) -> list[tuple[int, str, Any]]:
    """Reminders of a user the fuzz never speaks as; forged payloads name their ids."""
    with session_scope(database_url) as session:
        user = get_or_create_user(session, "tg:victim")
        for label in ("本人", "配偶"):
            session.add(Reminder(user_id=user.id, label=label, expiry_date=date(2027, 5, 1), stage="window_open"))
        session.flush()
        rows = session.execute(select(Reminder.id, Reminder.state, Reminder.updated_at).where(Reminder.user_id == user.id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


@pytest.fixture
async def fuzz_assistant(rasa_stack) -> AsyncIterator[Assistant]:  # type: ignore[no-untyped-def]
    settings = replace(rasa_stack.settings, rasa_timeout_s=30.0)
    assistant = Assistant(settings, RasaClient(settings.rasa_url, settings.rasa_token, settings.rasa_timeout_s))
    yield assistant
    await assistant.aclose()


async def test_ten_thousand_hostile_messages(fuzz_assistant: Assistant, rasa_stack) -> None:  # type: ignore[no-untyped-def]
    assistant = fuzz_assistant
    database_url = rasa_stack.settings.database_url
    log_dir = rasa_stack.settings.data_dir / "logs"
    before_tracebacks = traceback_count(log_dir)
    victims = victim_reminders(database_url)
    errors = ErrorRecords()
    logging.getLogger().addHandler(errors)

    plan = list(message_plan(SEED, MESSAGES, SENDERS, [v[0] for v in victims]))
    # each worker owns a fixed set of senders, so one user's messages arrive in order
    lanes: list[list[tuple[str, str, str, str | bytes]]] = [[] for _ in range(CONCURRENCY)]
    for item in plan:
        lanes[zlib.crc32(item[0].encode()) % CONCURRENCY].append(item)
    crashes: list[str] = []
    malformed: list[str] = []
    categories: Counter[str] = Counter()
    limited = 0

    async def run_lane(lane: list[tuple[str, str, str, str | bytes]]) -> None:
        nonlocal limited
        for sender, call, category, content in lane:
            categories[category] += 1
            try:
                if call == "payload":
                    turn = await assistant.handle_payload(sender, str(content), "telegram")
                else:
                    turn = await assistant.handle_text(sender, content, "telegram")
            except Exception as exc:  # noqa: BLE001 — counted and reported
                crashes.append(f"{category} {content!r:.80}: {type(exc).__name__}: {exc}")
                continue
            limited += turn.limited_mode
            for problem in problems_with(turn):
                malformed.append(f"{category} {content!r:.80}: {problem}")

    started = time.monotonic()
    try:
        await asyncio.gather(*(run_lane(lane) for lane in lanes))
    finally:
        logging.getLogger().removeHandler(errors)
    elapsed = time.monotonic() - started
    new_tracebacks = traceback_count(log_dir) - before_tracebacks

    with session_scope(database_url) as session:
        after = [tuple(row) for row in session.execute(
            select(Reminder.id, Reminder.state, Reminder.updated_at).where(Reminder.id.in_([v[0] for v in victims]))
        )]  # fmt: skip

    print(
        f"\nfuzz seed={SEED}: {len(plan)} messages in {elapsed:.0f}s ({len(plan) / elapsed:.0f}/s), "
        f"crashes={len(crashes)}, malformed={len(malformed)}, error_logs={len(errors.records)}, "
        f"server_tracebacks={new_tracebacks}, limited_mode_turns={limited}\n"
        f"categories: {dict(sorted(categories.items()))}"
    )
    assert not crashes, "\n".join(crashes[:10])
    assert not malformed, "\n".join(malformed[:10])
    assert not errors.records, errors.summary()
    assert new_tracebacks == 0, f"{new_tracebacks} new tracebacks in {log_dir}"
    assert sorted(after) == sorted(victims), "a forged payload changed another user's reminder"
    assert limited <= len(plan) * 0.01, f"{limited} turns fell back to limited mode"


async def test_a_flooding_user_is_slowed_down_others_are_not(fuzz_assistant: Assistant) -> None:
    assistant = fuzz_assistant
    assistant.flood = FloodControl(max_messages=20, window_s=600)  # slow machines stay inside
    texts = []
    for _ in range(25):
        turn = await assistant.handle_payload("fuzz:flooder", "/greet", "telegram")
        texts.append([r.text for r in turn.replies])
    assert all(t and t[0] != SLOW_DOWN_TEXT for t in texts[:20])
    assert texts[20] == [SLOW_DOWN_TEXT]
    assert all(t == [] for t in texts[21:])
    calm = await assistant.handle_payload("fuzz:calm", "/greet", "telegram")
    assert calm.replies and calm.replies[0].text != SLOW_DOWN_TEXT
