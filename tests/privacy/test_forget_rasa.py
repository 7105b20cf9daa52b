"""/forget against the real stack: after talking to Rasa (tracker in PostgreSQL) and leaving
feedback, reminders and a checklist, no row of that user remains in ANY table — Rasa's
``events`` included — while another user's data stays."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from bot.brain.rasa_client import RasaClient
from bot.pipeline import Assistant
from bot.privacy import forget_user, user_row_counts
from tests.privacy.helpers import populate, rows_referring_to, user_id_of

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

ME, OTHER = "tg:7001", "tg:7002"


async def talk(assistant: Assistant, sender: str) -> None:
    await assistant.handle_payload(sender, "/greet", "telegram")
    await assistant.handle_text(sender, "居住证到期了怎么续签", "telegram")
    await assistant.handle_text(sender, "我的身份证310101199001011234，手机13812345678", "telegram")
    await assistant.handle_payload(sender, '/feedback{"helpful":"no"}', "telegram")
    await assistant.handle_text(sender, "那个东西咋整啊", "telegram")


def tracker_user_events(rasa_stack, sender: str) -> list[dict]:  # type: ignore[no-untyped-def]
    response = httpx.get(
        f"{rasa_stack.settings.rasa_url}/conversations/{sender}/tracker",
        params={"token": rasa_stack.settings.rasa_token}, timeout=60,
    )  # fmt: skip
    response.raise_for_status()
    return [e for e in response.json().get("events") or [] if e.get("event") == "user"]


async def test_forget_leaves_no_row_of_the_user_anywhere(rasa_stack, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    url = rasa_stack.settings.database_url
    monkeypatch.setenv("DATABASE_URL", url)
    settings = replace(rasa_stack.settings, rasa_timeout_s=60.0)
    assistant = Assistant(settings, RasaClient(settings.rasa_url, settings.rasa_token, 60.0))
    try:
        for sender in (ME, OTHER):
            await talk(assistant, sender)
            populate(url, sender)
    finally:
        await assistant.aclose()
    uid = user_id_of(url, ME)
    stored = user_row_counts(ME, url)
    assert {"users", "events", "reminders", "checklists", "feedback", "fallback_questions"} <= set(stored), stored
    said = [e.get("text", "") for e in tracker_user_events(rasa_stack, ME)]
    assert said and not any("310101199001011234" in t or "13812345678" in t for t in said)  # masked before Rasa
    other_before = user_row_counts(OTHER, url)

    forget_user(ME, url)

    assert rows_referring_to(url, ME, uid) == {}  # every table, found by introspection
    assert user_row_counts(ME, url) == {}
    assert tracker_user_events(rasa_stack, ME) == []  # Rasa itself has nothing left either
    assert user_row_counts(OTHER, url) == other_before
