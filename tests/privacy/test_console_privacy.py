"""The console chat (``python -m bot chat``) knows /privacy, /mydata and /forget (confirmed by
typing the button number). Rasa is deliberately unreachable: privacy commands must not need it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.privacy import user_row_counts
from bot.privacy.commands import FORGET_DONE, FORGET_QUESTION
from tests.conftest import free_port


def test_console_privacy_commands(tmp_path: Path, sqlite_url: str) -> None:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=sqlite_url, BOT_DATA_DIR=str(tmp_path), MANAGE_RASA="0",
        RASA_URL=f"http://127.0.0.1:{free_port()}", LOG_LEVEL="WARNING",
    )  # fmt: skip
    env.pop("TELEGRAM_BOT_TOKEN", None)
    lines = ["/privacy", "/mydata", "/forget", "2", "/forget", "1", "/quit"]
    done = subprocess.run(
        [sys.executable, "-m", "bot", "chat"], input="\n".join(lines).encode(), env=env,
        cwd=PROJECT_ROOT, capture_output=True, timeout=120, check=False,
    )  # fmt: skip
    out = done.stdout.decode()
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert "隐私说明" in out
    assert "【基本信息】" in out and "console:local" in out  # the greeting made a user row
    assert out.count(FORGET_QUESTION) == 2 and "什么都没有删除" in out
    assert FORGET_DONE in out
    assert user_row_counts("console:local", sqlite_url) == {}
