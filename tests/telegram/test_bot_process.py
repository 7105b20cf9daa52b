"""The real bot process against the fake Bot API, with Rasa unreachable (limited mode).

Everything here is the channel's own behaviour — media, files, errors, blocked users, forged
buttons, webhook secrets — so it runs without the Rasa stack; the conversations with Rasa are in
``test_e2e_rasa.py``. Every test runs in polling and in webhook mode.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.channels.callbacks import INLINE_PREFIX
from bot.channels.photo_check import (
    CHECKING_TEXT,
    KIND_BUTTON_TITLES,
    PHOTO_GONE_TEXT,
    PICK_KIND_TEXT,
    recheck_payload,
)
from bot.channels.telegram import EXPIRED_BUTTON_TEXT, MEDIA_TEXT, NOT_AN_IMAGE_TEXT
from tests.fakes.telegram_api import FakeTelegramServer
from tests.telegram.bot_process import BotProcess, free_port, start_bot
from tests.telegram.helpers import (
    document_photo_jpeg,
    last_text,
    new_chat_id,
    oversized_portrait_jpeg,
    user_is_blocked,
    wait_for_new_messages,
)

pytestmark = pytest.mark.slow


@dataclass
class LiveBot:
    fake: FakeTelegramServer
    process: BotProcess
    database_url: str


@pytest.fixture(scope="module", params=["polling", "webhook"])
def live_bot(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveBot]:
    workdir: Path = tmp_path_factory.mktemp(f"tg-{request.param}")
    database_url = f"sqlite:///{workdir / 'bot.db'}"
    env = {
        "MANAGE_RASA": "0",
        "RASA_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens: limited mode
        "RASA_TIMEOUT": "0.5",
        "DATABASE_URL": database_url,
    }
    with FakeTelegramServer() as fake:
        process = start_bot(fake, workdir, request.param, env)
        try:
            yield LiveBot(fake, process, database_url)
        finally:
            assert process.stop() == 0, process.log_text()[-2000:]


def test_start_up_sets_the_chinese_command_menu(live_bot: LiveBot) -> None:
    [commands] = live_bot.fake.commands.values()
    assert [(c["command"], c["description"]) for c in commands] == [
        ("start", "开始"), ("faq", "常见问题"), ("materials", "材料清单"), ("check", "照片预检"),
        ("remind", "续签提醒"), ("mydata", "我的数据"), ("privacy", "隐私说明"), ("help", "帮助"),
    ]  # fmt: skip


@pytest.mark.parametrize("send", ["sticker", "voice", "location", "contact"])
def test_media_we_cannot_read_gets_a_friendly_note(live_bot: LiveBot, send: str) -> None:
    chat = new_chat_id()
    getattr(live_bot.fake, f"user_sends_{send}")(chat)
    live_bot.fake.wait_for_messages(chat, 1, timeout=15)
    assert last_text(live_bot.fake, chat) == MEDIA_TEXT


def test_a_pdf_is_not_taken_for_a_photo(live_bot: LiveBot) -> None:
    chat = new_chat_id()
    live_bot.fake.user_sends_document(chat, b"%PDF-1.4 ...", "合同.pdf", "application/pdf")
    live_bot.fake.wait_for_messages(chat, 1, timeout=15)
    assert last_text(live_bot.fake, chat) == NOT_AN_IMAGE_TEXT


def test_free_text_is_answered_even_when_rasa_is_down(live_bot: LiveBot) -> None:
    chat = new_chat_id()
    live_bot.fake.user_sends_text(chat, "居住证续签需要什么材料")
    [reply, *_] = wait_for_new_messages(live_bot.fake, chat, 0, timeout=30)
    assert reply["result"]["text"].strip()


@pytest.mark.parametrize("as_document", [False, True], ids=["photo", "image-file"])
def test_a_photo_gets_checking_at_once_then_the_result(
    live_bot: LiveBot, as_document: bool
) -> None:
    fake, chat = live_bot.fake, new_chat_id()
    data = document_photo_jpeg()
    if as_document:
        fake.user_sends_document(chat, data, "IMG_0001.JPG", "image/jpeg")
    else:
        fake.user_sends_photo(chat, data)
    [status] = fake.wait_for_messages(chat, 1, timeout=15)
    assert status["params"]["text"] == CHECKING_TEXT
    message_id = status["result"]["message_id"]
    edited = fake.wait_for(lambda: fake.calls("editMessageText", chat), timeout=120)
    assert edited[0]["params"]["message_id"] == message_id
    result = fake.message(chat, message_id)
    assert result is not None and result["text"] != CHECKING_TEXT
    assert result["text"].startswith(("✅", "⚠", "❌")), result["text"]  # a verdict, then the reasons


def test_a_photo_sent_without_its_kind_can_be_checked_again_as_one(live_bot: LiveBot) -> None:
    fake, chat = live_bot.fake, new_chat_id()
    sent = fake.user_sends_photo(chat, document_photo_jpeg())
    [status] = fake.wait_for_messages(chat, 1, timeout=15)
    message_id = status["result"]["message_id"]
    # the status answers the photo, so its buttons can find the photo again
    assert status["result"]["reply_to_message"]["message_id"] == sent["message"]["message_id"]
    fake.wait_for(lambda: fake.calls("editMessageText", chat), timeout=120)
    result = fake.message(chat, message_id)
    assert result is not None and PICK_KIND_TEXT in result["text"]
    buttons = {b["text"]: b["callback_data"] for b in fake.buttons_of(chat, message_id)}
    assert set(buttons) == set(KIND_BUTTON_TITLES.values())

    fake.user_presses(chat, message_id, buttons["身份证国徽面"])
    fake.wait_for(lambda: len(fake.calls("editMessageText", chat)) >= 3 or None, timeout=120)
    result = fake.message(chat, message_id)
    assert result is not None and result["text"].startswith(("✅", "⚠", "❌")), result["text"]
    # checked as the stated kind: a grey card with bars is no 国徽面, and no kind buttons again
    assert "身份证国徽面" in result["text"].splitlines()[0], result["text"]
    assert PICK_KIND_TEXT not in result["text"] and fake.buttons_of(chat, message_id) == []
    assert not fake.calls("sendMessage", chat)[1:]  # answered in place, nothing sent to Rasa


def test_a_kind_button_without_its_photo_asks_for_the_photo_again(live_bot: LiveBot) -> None:
    fake, chat = live_bot.fake, new_chat_id()
    fake.user_sends_sticker(chat)
    [note] = fake.wait_for_messages(chat, 1, timeout=15)
    fake.user_presses(chat, note["result"]["message_id"], INLINE_PREFIX + recheck_payload("id_front"))
    fake.wait_for_messages(chat, 2, timeout=15)
    assert last_text(fake, chat) == PHOTO_GONE_TEXT


def test_a_photo_with_its_kind_in_the_caption_gets_no_kind_buttons(live_bot: LiveBot) -> None:
    fake, chat = live_bot.fake, new_chat_id()
    fake.user_sends_photo(chat, document_photo_jpeg(), caption="这是我的劳动合同")
    [status] = fake.wait_for_messages(chat, 1, timeout=15)
    fake.wait_for(lambda: fake.calls("editMessageText", chat), timeout=120)
    result = fake.message(chat, status["result"]["message_id"])
    assert result is not None and "聘用合同" in result["text"].splitlines()[0], result["text"]
    assert fake.buttons_of(chat, status["result"]["message_id"]) == []


def test_a_too_large_photo_file_gets_a_compressed_copy(live_bot: LiveBot) -> None:
    fake, chat = live_bot.fake, new_chat_id()
    limit = 2 * 1024 * 1024  # portraits: 2 MB
    fake.user_sends_document(
        chat, oversized_portrait_jpeg(limit), "portrait.jpg", "image/jpeg", caption="证件照"
    )
    [copy] = fake.wait_for(lambda: fake.calls("sendDocument", chat), timeout=120)
    assert copy["result"]["document"]["file_name"] == "portrait-压缩.jpg"
    data = fake.file_bytes(copy["result"]["document"]["file_id"])
    assert data[:3] == b"\xff\xd8\xff" and len(data) <= limit
    status = fake.messages_to(chat)[0]
    result = fake.message(chat, status["result"]["message_id"])
    assert result is not None and "MB" in result["text"]


def test_a_forged_button_is_refused_politely(live_bot: LiveBot) -> None:
    fake, chat = live_bot.fake, new_chat_id()
    fake.user_sends_sticker(chat)
    [note] = fake.wait_for_messages(chat, 1, timeout=15)
    for forged in ["k:AAAAAAAAAAAAAAAA", "p:not a payload", "anything"]:
        update = fake.user_presses(chat, note["result"]["message_id"], forged)
        query_id = update["callback_query"]["id"]
        answered = fake.wait_for(
            lambda q=query_id: [
                c for c in fake.calls("answerCallbackQuery")
                if c["params"]["callback_query_id"] == q
            ],
            timeout=15,
        )  # fmt: skip
        assert answered[0]["params"].get("text")
    messages = fake.wait_for_messages(chat, 4, timeout=15)
    assert [m["params"]["text"] for m in messages[1:]] == [EXPIRED_BUTTON_TEXT] * 3


def test_a_429_is_waited_out_and_the_reply_sent_exactly_once(live_bot: LiveBot) -> None:
    fake, chat = live_bot.fake, new_chat_id()
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    started = time.monotonic()
    fake.user_sends_sticker(chat)
    fake.wait_for_messages(chat, 1, timeout=20)
    time.sleep(1.0)  # a duplicate would show up now
    [reply] = fake.messages_to(chat)
    assert reply["t"] - started >= 1.0
    assert any(r["method"] == "sendMessage" and r["status"] == 429 for r in fake.requests)


def test_a_user_who_blocked_the_bot_is_remembered_and_others_still_served(
    live_bot: LiveBot,
) -> None:
    fake, blocker, other = live_bot.fake, new_chat_id(), new_chat_id()
    fake.block_chat(blocker)
    fake.user_sends_sticker(blocker)
    fake.wait_for(lambda: user_is_blocked(live_bot.database_url, blocker), timeout=20)
    fake.user_sends_sticker(other)
    fake.wait_for_messages(other, 1, timeout=15)
    assert fake.messages_to(blocker) == []
    forbidden = [r for r in fake.requests if r["status"] == 403 and r["method"] == "sendMessage"]
    assert len(forbidden) == 1  # no retry storm against a blocked chat
    # They unblock and come back: the flag is cleared and they are answered again.
    fake.unblock_chat(blocker)
    fake.user_sends_text(blocker, "/start")
    fake.wait_for_messages(blocker, 1, timeout=30)
    fake.wait_for(lambda: user_is_blocked(live_bot.database_url, blocker) is False, timeout=10)


def test_unknown_commands_are_explained(live_bot: LiveBot) -> None:
    chat = new_chat_id()
    live_bot.fake.user_sends_text(chat, "/nosuchthing")
    live_bot.fake.wait_for_messages(chat, 1, timeout=15)
    assert "/help" in last_text(live_bot.fake, chat)


def test_the_webhook_refuses_posts_without_the_secret(live_bot: LiveBot) -> None:
    if live_bot.process.mode != "webhook":
        pytest.skip("webhook mode only")
    url = live_bot.fake.webhook_info["url"]
    body = b'{"update_id": 999999, "message": {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "hi"}}'
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
        request = urllib.request.Request(
            url, data=body, headers={"Content-Type": "application/json", **headers}, method="POST"
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 403
    time.sleep(0.5)
    assert live_bot.fake.messages_to(5) == []
