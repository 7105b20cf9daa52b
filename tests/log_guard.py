"""Session-wide check: no log line of the test run holds an unmasked ID-card or mobile number.

Imported by tests/conftest.py (one line). It collects every record logged in the test process
(attached to the root logger, raw — no masking added here, so the code itself must mask) and,
at the end of the session, every ``*.log`` file the run's child processes wrote under pytest's
base temp directory (Rasa server, action server, bot processes). The session then fails with
the offending lines (shown masked) if any number slipped through.

Set ``LOG_GUARD=0`` to switch it off while debugging.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.text import contains_personal_number, mask_personal_numbers

MAX_REPORTED = 20


class RawLineCollector(logging.Handler):
    """Keeps the lines that contain a personal number (everything else is dropped at once)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.offending: list[str] = []
        self.seen = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = f"{record.name}: {record.getMessage()}"
            if record.exc_info:
                line += "\n" + (record.exc_text or logging.Formatter().formatException(record.exc_info))
        except Exception:  # noqa: BLE001 — a broken record is not our concern here
            return
        self.seen += 1
        if contains_personal_number(line):
            self.offending.append(line)


def offending_file_lines(root: Path) -> list[str]:
    found: list[str] = []
    for path in sorted(root.rglob("*.log")):
        try:
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            continue
        found += [f"{path.name}: {line}" for line in lines if contains_personal_number(line)]
    return found


@pytest.fixture(scope="session", autouse=True)
def log_guard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RawLineCollector]:
    collector = RawLineCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    if root.level > logging.INFO:
        root.setLevel(logging.INFO)
    try:
        yield collector
    finally:
        root.removeHandler(collector)
    if os.environ.get("LOG_GUARD", "1") == "0":
        return
    offending = collector.offending + offending_file_lines(tmp_path_factory.getbasetemp())
    if offending:
        shown = "\n".join(mask_personal_numbers(line)[:300] for line in offending[:MAX_REPORTED])
        pytest.fail(
            f"{len(offending)} log line(s) of this test run contain an unmasked ID-card or mobile "
            f"number (shown masked here):\n{shown}",
            pytrace=False,
        )
