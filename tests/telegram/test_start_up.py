"""Starting the bot: optional calls may fail, a missing token is explained."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram.bot_process import PROJECT_ROOT, bot_command, free_port, start_bot


def test_a_failing_command_menu_is_logged_and_the_bot_still_answers(tmp_path: Path) -> None:
    with FakeTelegramServer() as fake:
        fake.fail_next("setMyCommands", 500, "Internal Server Error")
        env = {"MANAGE_RASA": "0", "RASA_URL": f"http://127.0.0.1:{free_port()}"}
        bot = start_bot(fake, tmp_path, "polling", env)
        try:
            fake.user_sends_sticker(77)
            fake.wait_for_messages(77, 1, timeout=20)
        finally:
            assert bot.stop() == 0
        assert fake.commands == {}
        assert "could not set the command menu" in bot.log_text()


def test_run_without_a_token_points_to_the_console_chat(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["BOT_DATA_DIR"] = str(tmp_path)
    env["TELEGRAM_BOT_TOKEN"] = ""
    done = subprocess.run(
        bot_command(), cwd=PROJECT_ROOT, env=env, capture_output=True, timeout=120, check=False
    )
    assert done.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in done.stderr.decode() and "chat" in done.stderr.decode()
