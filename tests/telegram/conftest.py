"""Fixtures for the Telegram channel tests: a running fake Bot API server."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
if str(PROJECT_ROOT) not in sys.path:  # ``tests.fakes`` must import under any pytest invocation
    sys.path.insert(0, str(PROJECT_ROOT))

from tests.fakes.telegram_api import FakeTelegramServer  # noqa: E402


@pytest.fixture
def fake_telegram() -> Iterator[FakeTelegramServer]:
    with FakeTelegramServer() as server:
        yield server
