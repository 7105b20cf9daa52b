"""``python -m bot reminders list|sweep`` as an operator runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime

from bot.config import PROJECT_ROOT
from bot.reminders import service
from bot.reminders.schedule import Stage
from tests.reminders.helpers import worker_env

CREATED = datetime(2027, 2, 1, 2, 0, tzinfo=UTC)


def run_cli(url: str, *args: str, via_main: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the reminders CLI; ``via_main`` goes through ``python -m bot`` (slower: it loads
    every feature's command)."""
    entry = ["bot", "reminders"] if via_main else ["bot.reminders.cli"]
    return subprocess.run([sys.executable, "-m", *entry, *args], cwd=PROJECT_ROOT,
                          env=worker_env(url, "", ""), capture_output=True, text=True, timeout=120)


def seed(url: str) -> tuple[int, int]:
    due = service.create_reminder("700", date(2027, 3, 31), CREATED, database_url=url, send_hour=9)
    later = service.create_reminder("701", date(2027, 9, 30), CREATED, label="配偶",
                                    database_url=url, send_hour=9)
    return due.id, later.id


def test_list_shows_reminders_and_filters_by_due_time(sqlite_url: str) -> None:
    due_id, later_id = seed(sqlite_url)
    everything = run_cli(sqlite_url, "list", "--json", via_main=True)
    assert everything.returncode == 0, everything.stderr
    rows = [json.loads(line) for line in everything.stdout.splitlines()]
    assert [r["id"] for r in rows] == [due_id, later_id]
    assert rows[1]["label"] == "配偶" and rows[1]["stage"] == Stage.WINDOW_OPEN

    due = run_cli(sqlite_url, "list", "--json", "--due-before", "2027-03-01T12:00")
    assert [json.loads(line)["id"] for line in due.stdout.splitlines()] == [due_id]
    table = run_cli(sqlite_url, "list")
    assert "配偶" in table.stdout and "2 reminder(s)" in table.stderr


def test_dry_run_prints_the_due_message_and_changes_nothing(sqlite_url: str) -> None:
    due_id, _ = seed(sqlite_url)
    result = run_cli(sqlite_url, "sweep", "--now", "2027-03-01T10:00", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert f"#{due_id} to 700" in result.stdout and "可以续签了" in result.stdout
    assert "701" not in result.stdout
    assert service.owned_reminder("700", due_id, database_url=sqlite_url).stage == Stage.WINDOW_OPEN  # type: ignore[union-attr]


def test_sweep_without_a_token_prints_and_advances(sqlite_url: str) -> None:
    due_id, _ = seed(sqlite_url)
    result = run_cli(sqlite_url, "sweep", "--now", "2027-03-01T10:00")
    assert result.returncode == 0, result.stderr
    assert "--- to 700" in result.stdout and "[✅ 已办好]" in result.stdout
    assert json.loads(result.stderr.strip().splitlines()[-1])["sent"] == 1
    assert service.owned_reminder("700", due_id, database_url=sqlite_url).stage == Stage.NUDGE_7D  # type: ignore[union-attr]
