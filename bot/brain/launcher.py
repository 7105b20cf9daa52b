"""Starts, health-checks, restarts and stops the Rasa server and the action server.

Both run as child processes when nothing answers at RASA_URL / ACTION_URL. Children get
PR_SET_PDEATHSIG so they die with the bot even if it is killed hard: no orphans.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bot.brain.endpoints import write_endpoints
from bot.brain.training import latest_model
from bot.config import PROJECT_ROOT, Settings

log = logging.getLogger(__name__)

RASA_BIN = PROJECT_ROOT / ".venv-rasa" / "bin" / "rasa"


class LaunchError(RuntimeError):
    """A managed service did not come up."""


def _die_with_parent() -> None:
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def _reachable(url: str, timeout: float = 0.5) -> bool:
    try:
        return httpx.get(url, timeout=timeout).status_code < 500
    except httpx.HTTPError:
        return False


@dataclass
class ManagedProcess:
    name: str
    command: list[str]
    env: dict[str, str]
    health_url: str
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log_file = open(self.log_path, "ab")  # noqa: SIM115 — handed to the child
        self.process = subprocess.Popen(
            self.command,
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,
            start_new_session=True,
        )
        log_file.close()
        log.info("started %s (pid %s), log: %s", self.name, self.process.pid, self.log_path)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 10.0) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=timeout)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self.process = None


@dataclass
class Services:
    """The Rasa + action servers this bot started (empty when they already ran elsewhere)."""

    settings: Settings
    rasa_token: str
    managed: list[ManagedProcess] = field(default_factory=list)
    _watchdog: asyncio.Task[None] | None = None

    def stop(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        for proc in reversed(self.managed):
            proc.stop()
        self.managed.clear()

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        for proc in self.managed:
            while not _reachable(proc.health_url):
                if not proc.alive:
                    raise LaunchError(
                        f"{proc.name} exited during start-up; read its log: {proc.log_path}"
                    )
                if time.monotonic() > deadline:
                    raise LaunchError(
                        f"{proc.name} was not ready after {timeout_s:.0f}s; read its log: {proc.log_path}"
                    )
                time.sleep(0.25)

    def start_watchdog(self, interval_s: float = 2.0) -> None:
        """Restart a managed server that died (the bot answers in limited mode meanwhile)."""

        async def watch() -> None:
            while True:
                await asyncio.sleep(interval_s)
                for proc in self.managed:
                    if not proc.alive:
                        log.warning("%s died; restarting it", proc.name)
                        await asyncio.to_thread(proc.start)

        self._watchdog = asyncio.get_running_loop().create_task(watch())


def _child_env(settings: Settings, token: str) -> dict[str, str]:
    env = dict(os.environ)
    env["RASA_TOKEN"] = token
    env["DATABASE_URL"] = settings.database_url
    env["PYTHONPATH"] = str(PROJECT_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    # One TensorFlow thread per pool: the models are tiny, and idle pool threads that spin-wait
    # for work burn the CPU the other processes (bot, action server, PostgreSQL) need.
    env.setdefault("TF_INTER_OP_PARALLELISM_THREADS", "1")
    env.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", "1")
    env.setdefault("RASA_TELEMETRY_ENABLED", "false")
    env["SANIC_HOST"] = "127.0.0.1"
    return env


def rasa_server_command(token: str, port: int, model: Path, endpoints: Path, log_file: Path) -> list[str]:
    return [
        # "=": a random token may start with "-", which argparse would read as an option
        str(RASA_BIN), "run", "--enable-api", f"--auth-token={token}",
        "--interface", "127.0.0.1", "--port", str(port),
        "--model", str(model), "--endpoints", str(endpoints),
        "--credentials", str(PROJECT_ROOT / "rasa" / "credentials.yml"),
        "--log-file", str(log_file), "--quiet",
    ]


def start_services(settings: Settings) -> Services:
    """Ensure Rasa and the action server answer; start what is missing and wait until ready."""
    token = settings.rasa_token or secrets.token_urlsafe(24)
    services = Services(settings=settings, rasa_token=token)
    if not settings.manage_rasa:
        return services
    logs = settings.data_dir / "logs"
    env = _child_env(settings, token)
    action_health = settings.action_url.rsplit("/webhook", 1)[0] + "/health"
    if not _reachable(action_health):
        services.managed.append(
            ManagedProcess(
                name="action server",
                command=[sys.executable, "-m", "rasa_sdk", "--actions", "bot.actions", "--port", str(settings.action_port)],
                env=env,
                health_url=action_health,
                log_path=logs / "actions.log",
            )
        )
    missing = [(i, url) for i, url in enumerate(settings.rasa_urls) if not _reachable(f"{url}/webhooks/assistant/")]
    if missing:
        if not RASA_BIN.exists():
            raise LaunchError(f"Rasa is not installed at {RASA_BIN}; run `make setup` first")
        model = latest_model(settings.models_dir)
        if model is None:
            raise LaunchError(f"no trained model in {settings.models_dir}; run `make train` first")
        endpoints = write_endpoints(settings, settings.data_dir / "run" / "endpoints.yml")
        if len(missing) > 1 and settings.database_url.startswith("sqlite"):
            log.warning("%d Rasa servers share a SQLite tracker store; use PostgreSQL (DATABASE_URL) for that", len(missing))
        for i, url in missing:
            suffix = f" {i + 1}" if settings.rasa_servers > 1 else ""
            services.managed.append(
                ManagedProcess(
                    name=f"Rasa server{suffix}",
                    command=rasa_server_command(
                        token, settings.rasa_port + i, model, endpoints, logs / f"rasa-internal{suffix.strip()}.log"
                    ),
                    env=env,
                    health_url=f"{url}/webhooks/assistant/",
                    log_path=logs / f"rasa{suffix.strip()}.log",
                )
            )
    if len(missing) < settings.rasa_servers and not settings.rasa_token:
        log.warning("Rasa already runs at %s; set RASA_TOKEN to the token it was started with", settings.rasa_url)
    for proc in services.managed:
        proc.start()
    try:
        services.wait_ready(settings.rasa_start_timeout_s)
    except BaseException:
        services.stop()
        raise
    return services
