"""The fake Bot API answers a real python-telegram-bot ``Bot`` the way Telegram does."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.request

import pytest
from telegram import Bot, BotCommand, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, RetryAfter

from tests.fakes.telegram_api import FakeTelegramServer, parse_telegram_html


def make_bot(server: FakeTelegramServer) -> Bot:
    return Bot(server.token, base_url=server.base_url, base_file_url=server.file_base_url)


async def test_get_me_and_send_message_are_recorded(fake_telegram: FakeTelegramServer) -> None:
    async with make_bot(fake_telegram) as bot:
        assert bot.username == fake_telegram.bot_username
        message = await bot.send_message(42, "<b>你好</b> &amp; 欢迎", parse_mode="HTML")
    assert message.text == "你好 & 欢迎"
    [call] = fake_telegram.messages_to(42)
    assert call["method"] == "sendMessage" and call["params"]["parse_mode"] == "HTML"


async def test_long_poll_returns_when_an_update_arrives_and_offset_confirms(
    fake_telegram: FakeTelegramServer,
) -> None:
    async with make_bot(fake_telegram) as bot:
        threading.Timer(0.3, fake_telegram.user_sends_text, args=(7, "续签要什么材料")).start()
        started = time.monotonic()
        updates = await bot.get_updates(timeout=5)
        assert 0.2 < time.monotonic() - started < 3
        assert [u.message.text for u in updates] == ["续签要什么材料"]
        # Without confirming, the update is offered again; with offset it is gone.
        assert len(await bot.get_updates(timeout=0)) == 1
        assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()


async def test_a_long_poll_does_not_block_other_requests(fake_telegram: FakeTelegramServer) -> None:
    async with make_bot(fake_telegram) as poller, make_bot(fake_telegram) as sender:
        poll = asyncio.create_task(poller.get_updates(timeout=3))
        await asyncio.sleep(0.1)
        started = time.monotonic()
        await sender.send_message(1, "hi")
        assert time.monotonic() - started < 1
        fake_telegram.user_sends_text(1, "ok")
        assert len(await poll) == 1


async def test_error_shapes_map_to_ptb_exceptions(fake_telegram: FakeTelegramServer) -> None:
    fake_telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    fake_telegram.block_chat(99)
    async with make_bot(fake_telegram) as bot:
        with pytest.raises(RetryAfter) as too_many:
            await bot.send_message(1, "a")
        assert too_many.value.retry_after == 3
        await bot.send_message(1, "now it works")
        with pytest.raises(Forbidden, match="blocked by the user"):
            await bot.send_message(99, "hello?")
        with pytest.raises(BadRequest, match="(?i)can't parse entities"):
            await bot.send_message(1, "1 < 2", parse_mode="HTML")
        with pytest.raises(BadRequest, match="(?i)too long"):
            await bot.send_message(1, "长" * 4097)
        long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
        with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
            await bot.send_message(1, "buttons", reply_markup=long_data)
    assert [c["params"]["text"] for c in fake_telegram.messages_to(1)] == ["now it works"]


async def test_button_press_edit_and_answer(fake_telegram: FakeTelegramServer) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("材料", callback_data="m:1")]])
    async with make_bot(fake_telegram) as bot:
        sent = await bot.send_message(5, "菜单", reply_markup=markup)
        fake_telegram.user_presses(5, sent.message_id, "m:1")
        [update] = await bot.get_updates(timeout=1)
        query = update.callback_query
        assert query.data == "m:1" and query.message.message_id == sent.message_id
        assert await bot.answer_callback_query(query.id, text="好的")
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await bot.answer_callback_query(query.id)
        await bot.edit_message_text("已选择：材料", chat_id=5, message_id=sent.message_id)
        with pytest.raises(BadRequest, match="(?i)not modified"):
            await bot.edit_message_text("已选择：材料", chat_id=5, message_id=sent.message_id)
    stored = fake_telegram.message(5, sent.message_id)
    assert stored is not None and stored["text"] == "已选择：材料" and "reply_markup" not in stored


async def test_files_round_trip_through_get_file_and_download(
    fake_telegram: FakeTelegramServer,
) -> None:
    photo_bytes = b"\xff\xd8\xff fake jpeg"
    fake_telegram.user_sends_photo(3, photo_bytes)
    fake_telegram.user_sends_document(3, b"%PDF-1.4", "证明.pdf", "application/pdf")
    async with make_bot(fake_telegram) as bot:
        photo_update, doc_update = await bot.get_updates(timeout=1)
        photo = await photo_update.message.photo[-1].get_file()
        assert bytes(await photo.download_as_bytearray()) == photo_bytes
        document = doc_update.message.document
        assert document.file_name == "证明.pdf" and document.mime_type == "application/pdf"
        sent = await bot.send_document(3, b"report", filename="结果.txt", caption="附件")
        assert sent.document.file_name == "结果.txt"
        sent_photo = await bot.send_photo(
            3, b"\x89PNG fake", caption="<b>清单</b>", parse_mode="HTML"
        )
        assert sent_photo.caption == "清单"
    assert fake_telegram.file_bytes(sent.document.file_id) == b"report"
    assert [c["method"] for c in fake_telegram.messages_to(3)] == ["sendDocument", "sendPhoto"]


async def test_commands_and_chat_action(fake_telegram: FakeTelegramServer) -> None:
    async with make_bot(fake_telegram) as bot:
        await bot.set_my_commands([BotCommand("start", "开始"), BotCommand("help", "帮助")])
        assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
        await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()
        await bot.send_chat_action(8, "typing")
    assert fake_telegram.calls("sendChatAction", 8)[0]["params"]["action"] == "typing"


async def test_webhook_mode_posts_updates_with_the_secret(
    fake_telegram: FakeTelegramServer,
) -> None:
    received: list[tuple[str | None, dict]] = []

    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers.get("X-Telegram-Bot-Api-Secret-Token"), json.loads(body)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        async with make_bot(fake_telegram) as bot:
            assert await bot.set_webhook(url, secret_token="s3cret")
            fake_telegram.user_sends_text(11, "第一条")
            fake_telegram.user_sends_text(11, "第二条")
            fake_telegram.wait_for(lambda: len(received) == 2, timeout=5)
            with pytest.raises(Exception, match="Conflict"):
                await bot.get_updates(timeout=0)
            info = await bot.get_webhook_info()
            assert info.url == url and info.pending_update_count == 0
            await bot.delete_webhook()
            fake_telegram.user_sends_text(11, "第三条")
            assert [u.message.text for u in await bot.get_updates(timeout=1)] == ["第三条"]
    finally:
        receiver.shutdown()
    assert [secret for secret, _ in received] == ["s3cret", "s3cret"]
    assert [body["message"]["text"] for _, body in received] == ["第一条", "第二条"]


def test_wrong_token_is_unauthorized(fake_telegram: FakeTelegramServer) -> None:
    request = urllib.request.Request(f"{fake_telegram.root_url}/bot999:WRONG/getMe", method="POST")
    with pytest.raises(urllib.error.HTTPError) as error:
        urllib.request.urlopen(request, timeout=5)
    assert error.value.code == 401


def test_html_checker_accepts_escaped_text_and_rejects_raw_brackets() -> None:
    assert parse_telegram_html("<b>a</b> &lt;b&gt; &amp; <i>x</i>") == "a <b> & x"
    for bad in ["<b>a", "a</b>", "<div>x</div>", "R&D", "x > y"]:
        with pytest.raises(Exception, match="(?i)can't parse entities"):
            parse_telegram_html(bad)
