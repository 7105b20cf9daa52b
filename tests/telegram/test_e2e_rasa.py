"""End to end with everything real: the bot process (``python -m bot run``), the Rasa server and
the action server (``rasa_stack`` from tests/conftest.py), talking to the fake Bot API over HTTP.

Every test runs in polling and in webhook mode.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.channels.photo_check import CHECKING_TEXT
from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram.bot_process import BotProcess, start_bot
from tests.telegram.helpers import (
    document_photo_jpeg,
    keyboard_of,
    new_chat_id,
    user_is_blocked,
    wait_for_new_messages,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

STACK_ENV = ("DATABASE_URL", "RASA_URL", "ACTION_URL", "RASA_TOKEN", "MANAGE_RASA", "BOT_DATA_DIR")
MAIN_MENU = {"常见问题", "我要准备什么材料", "检查证件照片", "设置续签提醒"}


@dataclass
class LiveBot:
    fake: FakeTelegramServer
    process: BotProcess
    env: dict[str, str]
    workdir: Path

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]



def stack_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """The Rasa stack's variables: ``rasa_stack`` (tests/conftest.py) normally; a stack that is
    already running when TELEGRAM_E2E_STACK_ENV names a JSON file of them (faster iteration)."""
    reuse = os.environ.get("TELEGRAM_E2E_STACK_ENV")
    if reuse:
        return dict(json.loads(Path(reuse).read_text(encoding="utf-8")))
    stack = request.getfixturevalue("rasa_stack")
    return {name: stack.env[name] for name in STACK_ENV if name in stack.env}


@pytest.fixture(scope="module", params=["polling", "webhook"])
def live_bot(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveBot]:
    workdir = tmp_path_factory.mktemp(f"tg-rasa-{request.param}")
    # A generous Rasa timeout: on a busy test machine a slow answer must not flip the pipeline
    # into limited mode, which is not what these tests are about.
    env = {**stack_env(request), "RASA_TIMEOUT": "20"}
    with FakeTelegramServer() as fake:
        live = LiveBot(fake, start_bot(fake, workdir, request.param, env), env, workdir)
        try:
            yield live
        finally:  # the reminder test restarts the process, so stop whichever runs now
            assert live.process.stop() == 0, live.process.log_text()[-2000:]


def say(bot: LiveBot, chat: int, text: str, timeout: float = 30) -> list[dict[str, Any]]:
    """The user writes ``text``; returns the bot's answer (all messages of the turn)."""
    before = len(bot.fake.messages_to(chat))
    bot.fake.user_sends_text(chat, text)
    return wait_for_new_messages(bot.fake, chat, before, timeout)


def press(
    bot: LiveBot, chat: int, message: dict[str, Any], button: dict[str, Any]
) -> list[dict[str, Any]]:
    """The user taps ``button`` under ``message``; returns the bot's answer."""
    before = len(bot.fake.messages_to(chat))
    update = bot.fake.user_presses(chat, message["result"]["message_id"], button["callback_data"])
    query_id = update["callback_query"]["id"]
    bot.fake.wait_for(
        lambda: any(
            c["params"]["callback_query_id"] == query_id
            for c in bot.fake.calls("answerCallbackQuery")
        ),
        timeout=15,
    )
    return wait_for_new_messages(bot.fake, chat, before, timeout=30)


def text_of(messages: list[dict[str, Any]]) -> str:
    return "\n".join(
        str(m["result"].get("text") or m["result"].get("caption") or "") for m in messages
    )


def test_start_greets_with_the_main_menu_as_buttons(live_bot: LiveBot) -> None:
    chat = new_chat_id()
    answer = say(live_bot, chat, "/start")
    titles = {b["text"] for m in answer for b in keyboard_of(m)}
    assert titles >= MAIN_MENU
    assert "你好" in text_of(answer)


def test_a_faq_question_gets_the_answer(live_bot: LiveBot) -> None:
    chat = new_chat_id()
    # A phrasing from the NLU data: this test is about the channel, not about NLU accuracy
    # (benchmarks/faq_eval.py measures that on held-out questions).
    answer = say(live_bot, chat, "居住证什么时候续签")
    text = text_of(answer)
    assert "签注" in text or "续签" in text
    assert "简化模式" not in text  # answered by Rasa, not by the limited-mode fallback


def test_a_menu_button_is_acknowledged_marked_and_answered(live_bot: LiveBot) -> None:
    chat = new_chat_id()
    [*_, menu] = say(live_bot, chat, "/start")
    faq_button = next(b for b in keyboard_of(menu) if b["text"] == "常见问题")
    answer = press(live_bot, chat, menu, faq_button)
    marked = live_bot.fake.message(chat, menu["result"]["message_id"])
    assert marked is not None and marked["text"].endswith("✅ 常见问题")
    assert "reply_markup" not in marked  # the old keyboard cannot be pressed twice
    assert answer and any(keyboard_of(m) for m in answer)


def _option_buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        b for b in keyboard_of(message)
        if "inform_materials" in b["callback_data"] or b["callback_data"].startswith("k:")
    ]  # fmt: skip


def _finish_materials(live_bot: LiveBot, chat: int, by_text: bool) -> list[dict[str, Any]]:
    answer = say(live_bot, chat, "/materials")
    transcript = list(answer)
    for _ in range(10):
        if "清单已保存" in text_of(answer):
            return transcript
        question = next(m for m in reversed(answer) if _option_buttons(m))
        option = _option_buttons(question)[0]
        answer = (
            say(live_bot, chat, option["text"])
            if by_text
            else press(live_bot, chat, question, option)
        )
        transcript.extend(answer)
    raise AssertionError(f"the materials dialog did not finish:\n{text_of(transcript)}")


@pytest.mark.parametrize("by_text", [False, True], ids=["buttons", "text"])
def test_the_materials_dialog_ends_with_a_checklist(live_bot: LiveBot, by_text: bool) -> None:
    chat = new_chat_id()
    transcript = _finish_materials(live_bot, chat, by_text)
    assert any(m["method"] == "sendPhoto" for m in transcript), "the checklist card is missing"
    assert "身份证" in text_of(transcript)


def test_a_photo_is_prechecked(live_bot: LiveBot) -> None:
    fake, chat = live_bot.fake, new_chat_id()
    fake.user_sends_photo(chat, document_photo_jpeg())
    [status] = fake.wait_for_messages(chat, 1, timeout=15)
    assert status["params"]["text"] == CHECKING_TEXT
    fake.wait_for(lambda: fake.calls("editMessageText", chat), timeout=120)
    result = fake.message(chat, status["result"]["message_id"])
    assert result is not None
    assert result["text"].startswith(("✅", "⚠", "❌")), result["text"]


def test_a_429_during_a_rasa_turn_delays_but_does_not_lose_or_repeat(live_bot: LiveBot) -> None:
    fake, chat = live_bot.fake, new_chat_id()
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    answer = say(live_bot, chat, "居住证办好以后多久要签注一次？")
    time.sleep(1.0)
    assert len(fake.messages_to(chat)) == len(answer)
    texts = [m["params"]["text"] for m in fake.messages_to(chat)]
    assert len(texts) == len(set(texts))


def test_a_user_who_blocked_the_bot(live_bot: LiveBot) -> None:
    fake, chat = live_bot.fake, new_chat_id()
    fake.block_chat(chat)
    fake.user_sends_text(chat, "居住证怎么续签")
    fake.wait_for(lambda: user_is_blocked(live_bot.database_url, chat), timeout=30)
    assert fake.messages_to(chat) == []
    other = new_chat_id()
    assert say(live_bot, other, "你好")


def _drive_reminder_dialog(live_bot: LiveBot, chat: int, expiry_text: str) -> list[Any]:
    from bot.reminders.service import reminders_of

    sender = f"tg:{chat}"
    answer = say(live_bot, chat, "/remind")
    for _ in range(6):
        reminders = reminders_of(sender, live_bot.database_url)
        if reminders:
            return reminders
        buttons = [b for m in answer for b in keyboard_of(m)]
        # Confirm the date, say whose permit it is, consent — by buttons; else type the date.
        choice = [
            b
            for b in buttons
            if any(w in b["text"] for w in ("确认", "是的", "对", "同意")) and "不" not in b["text"]
        ] or [b for b in buttons if "inform_reminder_label" in b["callback_data"]]
        if choice:
            message = next(m for m in answer if choice[0] in keyboard_of(m))
            answer = press(live_bot, chat, message, choice[0])
        else:
            answer = say(live_bot, chat, expiry_text)
    reminders = reminders_of(sender, live_bot.database_url)
    assert reminders, f"no reminder was saved; the dialog said:\n{text_of(answer)}"
    return reminders


def test_a_reminder_is_set_in_the_chat_and_arrives_when_due(live_bot: LiveBot) -> None:
    fake, chat = live_bot.fake, new_chat_id()
    [reminder] = _drive_reminder_dialog(live_bot, chat, "我的居住证2027年3月15日到期")
    due = reminder.next_due_at
    assert due is not None
    # Restart the bot with its clock just past the due time; the job's first sweep sends it.
    before = len(fake.messages_to(chat))
    live_bot.process.stop()
    clock = (due + timedelta(minutes=1)).isoformat()
    live_bot.process = start_bot(
        fake, live_bot.workdir, live_bot.process.mode, {**live_bot.env, "BOT_CLOCK": clock}
    )
    [reminder_message] = wait_for_new_messages(fake, chat, before, timeout=60, settle=2.0)
    assert "居住证" in reminder_message["params"]["text"]
    assert (
        "2027" in reminder_message["params"]["text"]
        or "3月15" in reminder_message["params"]["text"]
    )
