"""The console chat (``python -m bot chat``) knows /privacy, /mydata and /forget (confirmed by
typing the button number), also typed in words. Rasa is deliberately unreachable: privacy
commands must not need it."""

from __future__ import annotations

from pathlib import Path

from bot.privacy import user_row_counts
from bot.privacy.commands import FORGET_DONE, FORGET_QUESTION
from tests.conftest import run_console_offline


def test_console_privacy_commands(tmp_path: Path, sqlite_url: str) -> None:
    lines = ["/privacy", "/mydata", "/forget", "2", "/forget", "1", "/quit"]
    out = run_console_offline(lines, sqlite_url, tmp_path)
    assert "隐私说明" in out
    assert "【基本信息】" in out and "console:local" in out  # the greeting made a user row
    assert out.count(FORGET_QUESTION) == 2 and "什么都没有删除" in out
    assert FORGET_DONE in out
    assert user_row_counts("console:local", sqlite_url) == {}


def test_console_privacy_in_words(tmp_path: Path, sqlite_url: str) -> None:
    lines = ["隐私说明", "我的数据", "删除我的数据", "2", "清空我的聊天记录", "1", "/quit"]
    out = run_console_offline(lines, sqlite_url, tmp_path)
    assert "隐私说明" in out and "【基本信息】" in out
    assert out.count(FORGET_QUESTION) == 2 and "什么都没有删除" in out
    assert FORGET_DONE in out
    assert user_row_counts("console:local", sqlite_url) == {}
