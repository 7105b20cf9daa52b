"""Shared fixtures: throw-away PostgreSQL databases and one real Rasa + action server stack.

The stack is started once per test session through the bot's own launcher, on ports of its own,
with its tracker store on a fresh PostgreSQL database. Tests reach it over HTTP via ``rasa_stack``.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from bot.config import PROJECT_ROOT, Settings, load_settings
from tests.log_guard import log_guard  # noqa: F401 — session-wide check of every log line

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SHARED_DIR = PROJECT_ROOT.parent / "shared"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_console_offline(lines: list[str], database_url: str, data_dir: Path, timeout: float = 120) -> str:
    """Type ``lines`` into ``python -m bot chat`` with Rasa unreachable; its output (exit 0 asserted)."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url, BOT_DATA_DIR=str(data_dir), MANAGE_RASA="0",
        RASA_URL=f"http://127.0.0.1:{free_port()}", LOG_LEVEL="WARNING",
    )  # fmt: skip
    env.pop("TELEGRAM_BOT_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat"], input="\n".join(lines).encode(), env=env,
        cwd=PROJECT_ROOT, capture_output=True, timeout=timeout, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout.decode()


def _pg_admin():  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    return create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def create_pg_database(prefix: str = "jzz_test") -> str:
    """Create an empty PostgreSQL database and return its URL."""
    from sqlalchemy import text

    name = f"{prefix}_{secrets.token_hex(4)}"
    engine = _pg_admin()
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(url: str) -> None:
    from sqlalchemy import text

    from bot.storage.db import engine_for

    engine_for.cache_clear()
    name = url.rsplit("/", 1)[1]
    engine = _pg_admin()
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def postgres_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test."""
    if not postgres_available():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    from bot.storage.migrate import upgrade_database

    url = create_pg_database()
    upgrade_database(url)
    try:
        yield url
    finally:
        drop_pg_database(url)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    from bot.storage.migrate import upgrade_database

    url = f"sqlite:///{tmp_path / 'bot.db'}"
    upgrade_database(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Run a storage test on both back-ends."""
    if request.param == "sqlite":
        yield request.getfixturevalue("sqlite_url")
    else:
        yield request.getfixturevalue("pg_url")


@dataclass(frozen=True)
class RasaStack:
    settings: Settings
    env: dict[str, str]

    def bot_command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "bot", *args]

    def run_bot(self, *args: str, input_bytes: bytes = b"", timeout: float = 300) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            self.bot_command(*args), input=input_bytes, env=self.env, cwd=PROJECT_ROOT,
            capture_output=True, timeout=timeout, check=False,
        )


@pytest.fixture(scope="session")
def rasa_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RasaStack]:
    """Real Rasa server + action server on their own ports, tracker store on fresh PostgreSQL."""
    from bot.brain import launcher
    from bot.brain.training import latest_model
    from bot.storage.migrate import upgrade_database

    base = load_settings()
    if latest_model(base.models_dir) is None:
        pytest.fail("no trained Rasa model: run `make train` (make test does it)")
    if not postgres_available():
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    data_dir = tmp_path_factory.mktemp("stack-data")
    db_url = create_pg_database("jzz_stack")
    upgrade_database(db_url)
    rasa_port, action_port = free_port(), free_port()
    token = secrets.token_urlsafe(16)
    settings = replace(
        base,
        database_url=db_url,
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_url=f"http://127.0.0.1:{action_port}/webhook",
        rasa_token=token,
        data_dir=data_dir,
        manage_rasa=True,
        rasa_start_timeout_s=max(base.rasa_start_timeout_s, 900),  # RASA_START_TIMEOUT for slow boxes
    )
    try:
        services = launcher.start_services(settings)
    except BaseException:
        drop_pg_database(db_url)
        raise
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url, RASA_URL=settings.rasa_url, ACTION_URL=settings.action_url,
        RASA_TOKEN=token, BOT_DATA_DIR=str(data_dir), MANAGE_RASA="0", LOG_LEVEL="INFO",
        # a loaded CI machine must not push integration tests into limited mode
        RASA_TIMEOUT="30",
    )
    env.pop("TELEGRAM_BOT_TOKEN", None)
    try:
        yield RasaStack(settings=replace(settings, manage_rasa=False, rasa_timeout_s=30.0), env=env)
    finally:
        services.stop()
        drop_pg_database(db_url)


@pytest.fixture
async def stack_assistant(rasa_stack: RasaStack, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Any]:
    """The bot's ``Assistant`` talking to the session's real Rasa stack and its database."""
    from bot.pipeline import build_assistant

    monkeypatch.setenv("DATABASE_URL", rasa_stack.settings.database_url)
    assistant = await build_assistant(rasa_stack.settings, start_services=False)
    try:
        yield assistant
    finally:
        await assistant.aclose()
