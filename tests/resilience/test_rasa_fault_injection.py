"""Fault injection: the Rasa server is killed mid-conversation.

A stack of its own (launcher + watchdog through ``build_assistant``, own ports, own PostgreSQL
tracker store) because this test kills it. While Rasa is gone the next FAQ question is answered
from local retrieval with the limited-mode notice; the watchdog restarts Rasa, and once it is
back the conversation resumes where it was (the tracker lives in the database, so the slot set
before the crash is still there).
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.knowledge import faq_base
from bot.pipeline import Assistant, build_assistant
from tests.conftest import create_pg_database, drop_pg_database, free_port, postgres_available

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.timeout(1800)]  # two Rasa start-ups

SENDER = "tg:424242"
RESTART_TIMEOUT_S = 600


@pytest.fixture
async def own_stack(tmp_path: Path) -> AsyncIterator[Assistant]:
    from bot.brain.training import latest_model

    base = load_settings()
    if latest_model(base.models_dir) is None:
        pytest.fail("no trained Rasa model: run `make train` (make test does it)")
    if not postgres_available():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    db_url = create_pg_database("jzz_fault")
    settings = replace(
        base, database_url=db_url, data_dir=tmp_path,
        rasa_url=f"http://127.0.0.1:{free_port()}",
        action_url=f"http://127.0.0.1:{free_port()}/webhook",
        rasa_token=secrets.token_urlsafe(16), manage_rasa=True,
        rasa_start_timeout_s=max(base.rasa_start_timeout_s, 600.0),  # loaded CI boxes are slow
        rasa_timeout_s=max(base.rasa_timeout_s, 10.0),  # a busy CI box must not fake an outage
    )  # fmt: skip
    try:
        assistant = await build_assistant(settings)
        try:
            yield assistant
        finally:
            await assistant.aclose()
    finally:
        drop_pg_database(db_url)


def rasa_process(assistant: Assistant):  # type: ignore[no-untyped-def]
    assert assistant.services is not None
    (proc,) = [p for p in assistant.services.managed if p.name == "Rasa server"]
    return proc


async def wait_until_rasa_is_back(assistant: Assistant) -> float:
    started = time.monotonic()
    while time.monotonic() - started < RESTART_TIMEOUT_S:
        # the webhook's health route answers once `rasa run` has loaded the model and listens
        if await assistant.rasa.is_ready():
            return time.monotonic() - started
        await asyncio.sleep(1)
    raise AssertionError(f"Rasa was not back within {RESTART_TIMEOUT_S}s")


async def test_killed_rasa_limited_mode_then_normal_again(own_stack: Assistant) -> None:
    assistant = own_stack
    # a menu choice (deterministic, no NLU guess): sets the faq_id slot in the tracker
    first = await assistant.handle_payload(SENDER, '/choose_faq{"faq_id":"renewal_window"}', "telegram")
    assert not first.limited_mode and first.replies and first.replies[0].text
    entry = faq_base().entries["renewal_window"]

    proc = rasa_process(assistant)
    old_pid = proc.process.pid
    os.killpg(old_pid, signal.SIGKILL)
    proc.process.wait(10)

    during = await assistant.handle_text(SENDER, "居住证丢了怎么补办", "telegram")
    assert during.limited_mode and assistant.limited_mode
    assert during.intent and during.intent.startswith("faq/lost"), during.intent
    assert "简化模式" in during.replies[0].text

    waited = await wait_until_rasa_is_back(assistant)
    assert proc.process is not None and proc.process.pid != old_pid  # the watchdog restarted it
    print(f"Rasa answered again {waited:.0f}s after the kill")

    # the slot set before the crash is still in the tracker: "where is this from?" refers to it
    source = await assistant.handle_payload(SENDER, "/faq_source", "telegram")
    assert not source.limited_mode and not assistant.limited_mode
    assert f"「{entry.question}」的依据" in source.replies[0].text, source.replies
    after = await assistant.handle_text(SENDER, "办居住证需要多长时间", "telegram")
    assert not after.limited_mode and after.replies and after.replies[0].text
