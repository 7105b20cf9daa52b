"""Personal numbers never reach a log line: record masking in every entry point, and the
session-wide guard (tests/log_guard.py) that checks the whole test run."""

from __future__ import annotations

import logging
import subprocess
import sys
import tempfile
from pathlib import Path

from bot.config import PROJECT_ROOT
from tests.log_guard import RawLineCollector, offending_file_lines

ID_NUMBER = "310101199001011234"
MOBILE = "13812345678"

CHILD = f"""
import logging, sys
from bot.logging_setup import install_record_masking
logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(name)s %(message)s")
install_record_masking()
log = logging.getLogger("some.library")   # not ours: no filter, no formatter of ours
log.info("user wrote %s and %s", "{ID_NUMBER}", "{MOBILE}")
log.warning("plain {ID_NUMBER}")
try:
    raise ValueError("bad value {MOBILE}")
except ValueError:
    log.exception("failed for {ID_NUMBER}")
"""


def test_record_masking_covers_any_logger_and_exception_text() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CHILD], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "310***********4" in out and "138****5678" in out
    assert ID_NUMBER not in out and MOBILE not in out
    assert "ValueError" in out  # the traceback is still there, only masked


def test_the_guard_spots_unmasked_numbers_in_records_and_files() -> None:
    logger = logging.getLogger("log_guard_selftest")
    logger.propagate = False  # keep this deliberate leak out of the session-wide guard
    collector = RawLineCollector()
    logger.addHandler(collector)
    # another test may have installed the masking record factory process-wide; the guard must be
    # shown to catch a leak on its own, so log through the plain factory here
    factory = logging.getLogRecordFactory()
    logging.setLogRecordFactory(logging.LogRecord)
    try:
        logger.warning("fine: 310***********4")
        logger.warning("leak: %s", ID_NUMBER)
    finally:
        logging.setLogRecordFactory(factory)
        logger.removeHandler(collector)
    assert collector.seen == 2 and len(collector.offending) == 1
    # outside pytest's base temp, which the session-wide guard scans at the end
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "logs").mkdir()
        (root / "logs" / "x.selftest").write_text(f"call {MOBILE}\n", encoding="utf-8")
        assert offending_file_lines(root) == []  # only *.log files are read
        (root / "logs" / "x.log").write_text(f"ok\ncall {MOBILE}\n", encoding="utf-8")
        assert len(offending_file_lines(root)) == 1
