"""Run the real bot (``python -m bot run``) as a child process against the fake Bot API."""

from __future__ import annotations

import contextlib
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.telegram_api import FakeTelegramServer

PROJECT_ROOT = Path(__file__).resolve().parents[2]
VENV_PYTHON = PROJECT_ROOT / ".venv" / "bin" / "python"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_block(count: int) -> int:
    """The first of ``count`` consecutive free ports (RASA_SERVERS=n listens on RASA_URL's port
    and the n-1 after it). Taken below the kernel's ephemeral range, where outgoing connections
    would otherwise grab the neighbours of a port the kernel just handed out."""
    rng = random.Random()
    for _ in range(200):
        first = rng.randrange(20000, 32000 - count)
        try:
            with contextlib.ExitStack() as stack:
                for port in range(first, first + count):
                    sock = stack.enter_context(socket.socket())
                    sock.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
    raise RuntimeError(f"no {count} free consecutive ports")


def bot_command() -> list[str]:
    """``python -m bot run`` once the CLI wires it; the channel module's own main until then."""
    python = str(VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable))
    main = PROJECT_ROOT / "bot" / "__main__.py"
    if main.exists() and "run_telegram" in main.read_text(encoding="utf-8"):
        return [python, "-m", "bot", "run"]
    return [python, "-m", "bot.channels.telegram"]


@dataclass
class BotProcess:
    process: subprocess.Popen[bytes]
    log_path: Path
    mode: str

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 20.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        return int(self.process.returncode)


def start_bot(
    fake: FakeTelegramServer,
    workdir: Path,
    mode: str = "polling",
    extra_env: dict[str, str] | None = None,
    ready_timeout: float = 60.0,
    command: list[str] | None = None,
) -> BotProcess:
    """Start the bot and wait until it polls (or has registered its webhook)."""
    env = dict(os.environ)
    env.update(
        {
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "TELEGRAM_FILE_BASE_URL": fake.file_base_url,
            "DATABASE_URL": env.get("TEST_BOT_DATABASE_URL") or f"sqlite:///{workdir / 'bot.db'}",
            "BOT_DATA_DIR": str(workdir),
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            "PYTHONPATH": str(PROJECT_ROOT),
        }
    )
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_PORT", "WEBHOOK_LISTEN"):
        env.pop(name, None)
    if mode == "webhook":
        port = free_port()
        env["WEBHOOK_URL"] = f"http://127.0.0.1:{port}/telegram/{secrets.token_hex(8)}"
        env["WEBHOOK_PORT"] = str(port)
        env["WEBHOOK_SECRET"] = secrets.token_urlsafe(16)
    env.update(extra_env or {})
    log_path = workdir / f"bot-{mode}-{int(time.time() * 1000)}.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        command or bot_command(),
        cwd=PROJECT_ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    bot = BotProcess(process, log_path, mode)
    requests_before = len(fake.requests)

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"bot exited with {process.returncode}:\n{bot.log_text()[-3000:]}")
        if mode == "webhook":
            return bool(fake.webhook_info.get("url"))
        return any(r["method"] == "getUpdates" for r in fake.requests[requests_before:])

    try:
        fake.wait_for(ready, timeout=ready_timeout)
    except BaseException:
        bot.stop()
        raise
    return bot
