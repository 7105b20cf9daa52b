"""The lean tracker store (bot/brain/tracker_store.py) stores and restores exactly what Rasa's
SQLTrackerStore does, on SQLite and PostgreSQL, and Rasa really loads it from endpoints.yml."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from bot.brain.endpoints import TRACKER_STORE_CLASS, tracker_store_url
from bot.brain.training import PROJECT_ROOT, RASA_BIN
from tests.conftest import create_pg_database, drop_pg_database, postgres_available

RASA_PYTHON = RASA_BIN.parent / "python"

# Runs inside .venv-rasa: one scenario through Rasa's store and through ours, each on its own
# database; prints what each stored and what each gives back.
PROBE = r"""
import asyncio, json, sys
from rasa.core.tracker_store import SQLTrackerStore, create_tracker_store
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (ActionExecuted, BotUttered, SessionStarted, SlotSet,
                                     UserUttered)
from rasa.utils.endpoints import EndpointConfig
from bot.brain.tracker_store import LeanSQLTrackerStore, stored_event_count

rasa_url, lean_url, class_path = sys.argv[1:4]
T = 2_000_000_000.0  # scenario clock, after the wall-clock time Rasa stamps a new conversation with
domain = Domain.from_dict({"intents": ["greet", "faq"], "slots": {
    "faq_id": {"type": "text", "mappings": [{"type": "custom"}]}}})

def user(text, intent, ts):
    return UserUttered(text, {"name": intent, "confidence": 0.9},
                       parse_data={"intent": {"name": intent, "confidence": 0.9}, "text": text}, timestamp=ts)

async def scenario(store):
    seen = {}
    tracker = await store.get_or_create_tracker("身份-1")          # a new conversation
    tracker.update(user("你好", "greet", T + 10.0))
    tracker.update(ActionExecuted("utter_greet", timestamp=T + 11.0))
    tracker.update(BotUttered("你好！", timestamp=T + 11.5))
    tracker.update(ActionExecuted("action_listen", timestamp=T + 12.0))
    await store.save(tracker)
    tracker = await store.retrieve("身份-1")                        # the next message
    seen["read_count"] = stored_event_count(tracker) if isinstance(store, LeanSQLTrackerStore) else len(tracker.events)
    tracker.update(user("怎么续签", "faq", T + 20.0))
    tracker.update(SlotSet("faq_id", "renewal_window", timestamp=T + 21.0))
    tracker.update(ActionExecuted("action_listen", timestamp=T + 22.0))
    await store.save(tracker)
    await store.save(tracker)                                       # saving twice adds nothing
    tracker = await store.retrieve("身份-1")                        # a new session starts
    seen["slot"] = tracker.get_slot("faq_id")
    tracker.update(ActionExecuted("action_session_start", timestamp=T + 30.0))
    tracker.update(SessionStarted(timestamp=T + 30.0))
    tracker.update(ActionExecuted("action_listen", timestamp=T + 30.5))
    tracker.update(user("材料", "faq", T + 31.0))
    await store.save(tracker)
    copy = (await store.retrieve("身份-1")).copy()                  # not read by the store
    copy.update(ActionExecuted("action_listen", timestamp=T + 40.0))
    await store.save(copy)
    latest = await store.retrieve("身份-1")
    full = await store.retrieve_full_tracker("身份-1")
    seen["latest"] = [e.as_dict() for e in latest.events]
    seen["full"] = [e.as_dict() for e in full.events]
    seen["missing"] = await store.retrieve("nobody")
    with store.engine.connect() as connection:
        seen["rows"] = [list(r) for r in connection.exec_driver_sql(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id")]
    return seen

async def main():
    report = {"rasa": await scenario(SQLTrackerStore(domain, host=rasa_url)),
              "lean": await scenario(LeanSQLTrackerStore(domain, host=lean_url))}
    configured = create_tracker_store(EndpointConfig.from_dict({"type": class_path, "url": lean_url}), domain)
    report["configured"] = type(configured).__module__ + "." + type(configured).__name__
    print(json.dumps(report, ensure_ascii=False))

asyncio.run(main())
"""


def run_probe(rasa_url: str, lean_url: str) -> dict:  # type: ignore[type-arg]
    proc = subprocess.run(
        [str(RASA_PYTHON), "-W", "ignore", "-c", PROBE, rasa_url, lean_url, TRACKER_STORE_CLASS],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={"PYTHONPATH": str(PROJECT_ROOT), "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    report: dict = json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[type-arg]
    return report


def without_clock(value: object) -> object:
    """The event Rasa adds to a new conversation carries the wall-clock time: blank it out."""
    if isinstance(value, float) and 1e9 < value < 2e9:
        return "now"
    if isinstance(value, str) and value.startswith("{"):
        return without_clock(json.loads(value))
    if isinstance(value, dict):
        return {k: without_clock(v) for k, v in value.items()}
    if isinstance(value, list):
        return [without_clock(v) for v in value]
    return value


def assert_same_behaviour(report: dict) -> None:  # type: ignore[type-arg]
    rasa, lean = without_clock(report["rasa"]), without_clock(report["lean"])
    assert isinstance(rasa, dict) and isinstance(lean, dict)
    assert report["configured"] == TRACKER_STORE_CLASS  # not Rasa's silent in-memory fallback
    assert lean["read_count"] == rasa["read_count"] == 5  # action_listen from creation + 4 events
    assert lean["rows"] == rasa["rows"]
    assert len(lean["rows"]) == 13
    assert lean["latest"] == rasa["latest"] and lean["full"] == rasa["full"]
    assert [e["event"] for e in lean["latest"]][:2] == ["action", "session_started"]
    assert lean["slot"] == rasa["slot"] == "renewal_window"
    assert lean["missing"] is None and rasa["missing"] is None


pytestmark = pytest.mark.skipif(not RASA_PYTHON.exists(), reason="needs .venv-rasa (make setup)")


def test_same_rows_and_trackers_as_rasas_store_on_sqlite(tmp_path: Path) -> None:
    report = run_probe(
        tracker_store_url(f"sqlite:///{tmp_path / 'rasa.db'}"), tracker_store_url(f"sqlite:///{tmp_path / 'lean.db'}")
    )
    assert_same_behaviour(report)


def test_same_rows_and_trackers_as_rasas_store_on_postgresql() -> None:
    if not postgres_available():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    rasa_db, lean_db = create_pg_database("jzz_ts_rasa"), create_pg_database("jzz_ts_lean")
    try:
        assert_same_behaviour(run_probe(tracker_store_url(rasa_db), tracker_store_url(lean_db)))
    finally:
        drop_pg_database(rasa_db)
        drop_pg_database(lean_db)
