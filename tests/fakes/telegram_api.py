"""A fake Telegram Bot API server: real HTTP on 127.0.0.1, in a background thread.

Why a fake and not mocks: the bot under test is a real python-telegram-bot Application (often a
real separate process), so the only honest seam is the HTTP API it talks to. This server speaks
enough of the Bot API for our bot — the request encodings PTB uses (form, JSON, multipart), the
response envelope ``{"ok": ..., "result": ...}``, and the error shapes (400, 403, 409, 429 with
``parameters.retry_after``) — and it plays the *user side*: tests make users send text, photos,
documents and stickers, and press inline buttons.

Updates reach the bot either through ``getUpdates`` (long polling: a request waits until an
update arrives or its ``timeout`` ends, without blocking other requests — every connection has its
own thread) or, after ``setWebhook``, by POSTing them to the bot's webhook URL with the
``X-Telegram-Bot-Api-Secret-Token`` header. Webhook delivery keeps each chat in order and runs
different chats in parallel, like Telegram does.

Usage::

    with FakeTelegramServer() as tg:
        bot = Bot(tg.token, base_url=tg.base_url, base_file_url=tg.file_base_url)
        tg.user_sends_text(42, "你好")
        tg.wait_for(lambda: tg.messages_to(42))

Everything is thread-safe: one lock guards the state and one condition variable wakes long polls
and :meth:`wait_for` callers whenever something changes.
"""

from __future__ import annotations

import contextlib
import html
import itertools
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

T = TypeVar("T")

MAX_MESSAGE_CHARS = 4096
MAX_CAPTION_CHARS = 1024
MAX_CALLBACK_DATA_BYTES = 64

# Parameters that arrive JSON-encoded (PTB json.dumps every non-string value).
_INT_PARAMS = {
    "chat_id",
    "message_id",
    "offset",
    "limit",
    "timeout",
    "max_connections",
    "cache_time",
    "reply_to_message_id",
    "message_thread_id",
}
_JSON_PARAMS = {
    "reply_markup",
    "allowed_updates",
    "commands",
    "scope",
    "entities",
    "caption_entities",
    "reply_parameters",
    "link_preview_options",
    "disable_notification",
    "drop_pending_updates",
    "show_alert",
    "protect_content",
    "disable_web_page_preview",
}
_SEND_METHODS = {"sendMessage", "sendPhoto", "sendDocument"}
_CHAT_METHODS = _SEND_METHODS | {
    "sendChatAction",
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
    "deleteMessage",
}
_HTML_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "span", "blockquote", "tg-emoji",
}  # fmt: skip
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s[^<>]*)?)>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")


class ApiError(Exception):
    """A Bot API error response: ``{"ok": false, "error_code", "description", "parameters"}``."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            out["parameters"] = {"retry_after": self.retry_after}
        return out


@dataclass
class _PlannedFailure:
    status: int
    description: str
    retry_after: int | None
    remaining: int


@dataclass
class _StoredFile:
    data: bytes
    file_path: str
    file_unique_id: str


def parse_telegram_html(text: str) -> str:
    """Return the visible text of a Telegram-HTML message, or raise ``ApiError`` like Telegram.

    Only the tags Telegram supports are allowed, they must nest properly, and ``<``, ``>`` and
    ``&`` must be escaped — exactly the mistakes an unescaped user string would cause.
    """
    visible: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char == "<":
            match = _TAG.match(text, pos)
            if not match or match.group(2).lower() not in _HTML_TAGS:
                raise ApiError(
                    400,
                    f"Bad Request: can't parse entities: unsupported start tag at byte offset {pos}",
                )
            closing, name = match.group(1) == "/", match.group(2).lower()
            if closing:
                if not stack or stack[-1] != name:
                    raise ApiError(
                        400,
                        f"Bad Request: can't parse entities: unmatched end tag at byte offset {pos}",
                    )
                stack.pop()
            else:
                stack.append(name)
            pos = match.end()
        elif char == "&":
            match = _ENTITY.match(text, pos)
            if not match:
                raise ApiError(
                    400,
                    "Bad Request: can't parse entities: character entity expected "
                    f"at byte offset {pos}",
                )
            visible.append(html.unescape(match.group(0)))
            pos = match.end()
        elif char == ">":
            raise ApiError(400, f"Bad Request: can't parse entities: unexpected '>' at {pos}")
        else:
            visible.append(char)
            pos += 1
    if stack:
        raise ApiError(
            400,
            f"Bad Request: can't parse entities: can't find end tag corresponding to <{stack[-1]}>",
        )
    return "".join(visible)


class FakeTelegramServer:
    """The fake Bot API; see the module docstring. Start with :meth:`start` or ``with``."""

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "juzhuzheng_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 123456
        self.bot_username = bot_username
        self._host = host
        self._requested_port = port
        self._cond = threading.Condition(threading.RLock())
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = False
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        # Updates not yet confirmed by getUpdates(offset=...); used in polling mode.
        self._pending_updates: list[dict[str, Any]] = []
        self._failures: dict[str, deque[_PlannedFailure]] = {}
        self._blocked_chats: set[int] = set()
        self._open_callback_queries: set[str] = set()
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._files: dict[str, _StoredFile] = {}
        self._webhook: dict[str, Any] = {}
        self._webhook_queues: dict[int, deque[dict[str, Any]]] = {}
        self._webhook_busy_chats: set[int] = set()
        self._webhook_pool: ThreadPoolExecutor | None = None
        #: Successful outgoing calls of the bot (everything except getUpdates/getMe/getFile):
        #: ``{"method", "chat_id", "params", "t", "result"}``; ``t`` is ``time.monotonic()``.
        self.sent: list[dict[str, Any]] = []
        #: Every API request, failed ones included: ``{"method", "params", "status", "t"}``.
        self.requests: list[dict[str, Any]] = []
        #: Update id → ``time.monotonic()`` when the bot received it (getUpdates answer or webhook POST).
        self.delivered_at: dict[int, float] = {}
        #: Updates the user side created, in order.
        self.updates: list[dict[str, Any]] = []
        #: Webhook deliveries that failed: ``{"update_id", "error", "t"}``.
        self.webhook_errors: list[dict[str, Any]] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeTelegramServer:
        server = self

        class Handler(_ApiRequestHandler):
            fake = server

        self._httpd = _QuietThreadingHTTPServer((self._host, self._requested_port), Handler)
        self._httpd.daemon_threads = True
        self._httpd.request_queue_size = 256
        self._webhook_pool = ThreadPoolExecutor(
            max_workers=64, thread_name_prefix="fake-tg-webhook"
        )
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name="fake-telegram-api",
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._webhook_pool is not None:
            self._webhook_pool.shutdown(wait=False, cancel_futures=True)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeTelegramServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "server not started"
        return int(self._httpd.server_address[1])

    @property
    def root_url(self) -> str:
        return f"http://{self._host}:{self.port}"

    @property
    def base_url(self) -> str:
        """PTB ``base_url`` (the token is appended by PTB)."""
        return f"{self.root_url}/bot"

    @property
    def file_base_url(self) -> str:
        """PTB ``base_file_url`` (the token is appended by PTB)."""
        return f"{self.root_url}/file/bot"

    # ------------------------------------------------------------------ test controls

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Make the next ``count`` calls of ``method`` fail with this Bot API error."""
        with self._cond:
            self._failures.setdefault(method, deque()).append(
                _PlannedFailure(status, description, retry_after, count)
            )

    def block_chat(self, chat_id: int) -> None:
        """The user blocked the bot: every send to this chat gets 403 Forbidden."""
        with self._cond:
            self._blocked_chats.add(int(chat_id))

    def unblock_chat(self, chat_id: int) -> None:
        with self._cond:
            self._blocked_chats.discard(int(chat_id))

    def messages_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Successful sendMessage/sendPhoto/sendDocument calls to ``chat_id``, oldest first."""
        with self._cond:
            return [
                call for call in self.sent
                if call["method"] in _SEND_METHODS and call["chat_id"] == int(chat_id)
            ]  # fmt: skip

    def calls(self, method: str, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Successful calls of ``method`` (optionally to one chat), oldest first."""
        with self._cond:
            return [
                call for call in self.sent
                if call["method"] == method and (chat_id is None or call["chat_id"] == int(chat_id))
            ]  # fmt: skip

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The current state of a message (edits applied)."""
        with self._cond:
            stored = self._messages.get((int(chat_id), int(message_id)))
            return json.loads(json.dumps(stored)) if stored else None

    def file_bytes(self, file_id: str) -> bytes:
        with self._cond:
            return self._files[file_id].data

    @property
    def webhook_info(self) -> dict[str, Any]:
        with self._cond:
            return dict(self._webhook)

    def wait_for(self, predicate: Callable[[], T | None], timeout: float = 10.0) -> T:
        """Wait until ``predicate()`` returns something truthy and return it.

        The predicate is re-checked whenever the server's state changes (and at least every
        50 ms). Raises ``TimeoutError`` with a summary of recent calls when time runs out.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    recent = [(c["method"], c["chat_id"]) for c in self.sent[-8:]]
                    raise TimeoutError(f"condition not met within {timeout}s; last calls: {recent}")
                self._cond.wait(min(remaining, 0.05))

    def wait_for_messages(
        self, chat_id: int, count: int, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until ``chat_id`` has received at least ``count`` messages; return them all."""

        def enough() -> list[dict[str, Any]] | None:
            messages = self.messages_to(chat_id)
            return messages if len(messages) >= count else None

        return self.wait_for(enough, timeout)

    # ------------------------------------------------------------------ user side

    def user_sends_text(self, chat_id: int, text: str, **user: Any) -> dict[str, Any]:
        """The user writes ``text`` (commands like ``/start`` get their bot_command entity)."""
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self.user_sends_message(chat_id, fields, **user)

    def user_sends_photo(
        self,
        chat_id: int,
        data: bytes,
        caption: str | None = None,
        width: int = 1280,
        height: int = 960,
    ) -> dict[str, Any]:
        """The user sends a (compressed) photo; Telegram offers it in several sizes."""
        big = self._store_file(data, "photos", "jpg")
        thumb = self._store_file(data[: max(1, len(data) // 10)], "photos", "jpg")
        sizes = [
            {"file_id": thumb, "file_unique_id": self._files[thumb].file_unique_id,
             "width": max(1, width // 10), "height": max(1, height // 10), "file_size": len(data) // 10},
            {"file_id": big, "file_unique_id": self._files[big].file_unique_id,
             "width": width, "height": height, "file_size": len(data)},
        ]  # fmt: skip
        fields: dict[str, Any] = {"photo": sizes}
        if caption:
            fields["caption"] = caption
        return self.user_sends_message(chat_id, fields)

    def user_sends_document(
        self, chat_id: int, data: bytes, filename: str, mime: str, caption: str | None = None
    ) -> dict[str, Any]:
        """The user sends a file ("send as file" keeps an image uncompressed)."""
        extension = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
        file_id = self._store_file(data, "documents", extension)
        fields: dict[str, Any] = {
            "document": {
                "file_id": file_id,
                "file_unique_id": self._files[file_id].file_unique_id,
                "file_name": filename,
                "mime_type": mime,
                "file_size": len(data),
            }
        }
        if caption:
            fields["caption"] = caption
        return self.user_sends_message(chat_id, fields)

    def user_sends_sticker(self, chat_id: int, emoji: str = "👍") -> dict[str, Any]:
        file_id = self._store_file(b"RIFF-fake-webp", "stickers", "webp")
        sticker = {
            "file_id": file_id, "file_unique_id": self._files[file_id].file_unique_id,
            "type": "regular", "width": 512, "height": 512,
            "is_animated": False, "is_video": False, "emoji": emoji,
        }  # fmt: skip
        return self.user_sends_message(chat_id, {"sticker": sticker})

    def user_sends_voice(self, chat_id: int, duration: int = 3) -> dict[str, Any]:
        file_id = self._store_file(b"OggS-fake-voice", "voice", "oga")
        voice = {
            "file_id": file_id, "file_unique_id": self._files[file_id].file_unique_id,
            "duration": duration, "mime_type": "audio/ogg",
        }  # fmt: skip
        return self.user_sends_message(chat_id, {"voice": voice})

    def user_sends_location(
        self, chat_id: int, latitude: float = 31.23, longitude: float = 121.47
    ) -> dict[str, Any]:
        return self.user_sends_message(
            chat_id, {"location": {"latitude": latitude, "longitude": longitude}}
        )

    def user_sends_contact(
        self, chat_id: int, phone_number: str = "+8613800000000"
    ) -> dict[str, Any]:
        contact = {"phone_number": phone_number, "first_name": "联系人"}
        return self.user_sends_message(chat_id, {"contact": contact})

    def user_sends_message(
        self, chat_id: int, fields: dict[str, Any], **user: Any
    ) -> dict[str, Any]:
        """The user sends any message; ``fields`` are the Message fields besides the envelope."""
        chat_id = int(chat_id)
        with self._cond:
            message = {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": self._chat(chat_id),
                "from": self._user(chat_id, **user),
                **fields,
            }
            self._messages[(chat_id, message["message_id"])] = message
            return self._push_update({"message": message}, chat_id)

    def user_presses(self, chat_id: int, message_id: int, callback_data: str) -> dict[str, Any]:
        """The user taps an inline button with ``callback_data`` under the bot's message."""
        chat_id = int(chat_id)
        with self._cond:
            message = self._messages.get((chat_id, int(message_id)))
            if message is None:
                raise KeyError(f"no message {message_id} in chat {chat_id}")
            query = {
                "id": str(next(self._callback_ids)),
                "from": self._user(chat_id),
                "message": json.loads(json.dumps(message)),
                "chat_instance": f"ci{chat_id}",
                "data": callback_data,
            }
            self._open_callback_queries.add(query["id"])
            return self._push_update({"callback_query": query}, chat_id)

    def buttons_of(self, chat_id: int, message_id: int) -> list[dict[str, Any]]:
        """The inline buttons (``{"text", "callback_data"}``) currently under a message."""
        message = self.message(chat_id, message_id) or {}
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        return [button for row in rows for button in row]

    # ------------------------------------------------------------------ internals

    def _chat(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "type": "private", "first_name": f"用户{chat_id}"}

    def _user(self, chat_id: int, **overrides: Any) -> dict[str, Any]:
        user = {
            "id": chat_id,
            "is_bot": False,
            "first_name": f"用户{chat_id}",
            "language_code": "zh-hans",
        }
        user.update(overrides)
        return user

    def _bot_user(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "居住证助手",
            "username": self.bot_username,
        }

    def _store_file(self, data: bytes, folder: str, extension: str) -> str:
        with self._cond:
            number = next(self._file_ids)
            file_id = f"FILE{number:06d}{folder[:3].upper()}"
            self._files[file_id] = _StoredFile(
                bytes(data), f"{folder}/file_{number}.{extension}", f"U{number:06d}"
            )
            return file_id

    def _push_update(self, body: dict[str, Any], chat_id: int) -> dict[str, Any]:
        with self._cond:
            update = {"update_id": next(self._update_ids), **body}
            self.updates.append(update)
            if self._webhook.get("url"):
                self._webhook_queues.setdefault(chat_id, deque()).append(update)
                self._kick_webhook_delivery(chat_id)
            else:
                self._pending_updates.append(update)
            self._cond.notify_all()
            return update

    # -- webhook delivery: one in-flight update per chat, chats in parallel

    def _kick_webhook_delivery(self, chat_id: int) -> None:
        if chat_id in self._webhook_busy_chats or not self._webhook_queues.get(chat_id):
            return
        if self._webhook_pool is None or self._stopping:
            return
        self._webhook_busy_chats.add(chat_id)
        self._webhook_pool.submit(self._deliver_chat_updates, chat_id)

    def _deliver_chat_updates(self, chat_id: int) -> None:
        while True:
            with self._cond:
                queue = self._webhook_queues.get(chat_id)
                url = self._webhook.get("url")
                if not queue or not url or self._stopping:
                    self._webhook_busy_chats.discard(chat_id)
                    if queue and not url:  # webhook removed: fall back to getUpdates
                        self._pending_updates.extend(queue)
                        self._pending_updates.sort(key=lambda u: u["update_id"])
                        queue.clear()
                        self._cond.notify_all()
                    return
                update = queue[0]
                secret = self._webhook.get("secret_token")
            if self._post_update(url, secret, update):
                with self._cond:
                    if queue and queue[0] is update:
                        queue.popleft()
                    self._cond.notify_all()
            else:
                time.sleep(0.2)  # Telegram retries failed deliveries later

    def _post_update(self, url: str, secret: str | None, update: dict[str, Any]) -> bool:
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        request = urllib.request.Request(
            url, data=json.dumps(update).encode(), headers=headers, method="POST"
        )
        sent_at = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                ok = 200 <= response.status < 300
                error = "" if ok else f"HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            ok, error = False, f"HTTP {exc.code}"
        except OSError as exc:
            ok, error = False, repr(exc)
        with self._cond:
            if ok:
                self.delivered_at.setdefault(update["update_id"], sent_at)
            else:
                self.webhook_errors.append(
                    {"update_id": update["update_id"], "error": error, "t": time.monotonic()}
                )
        return ok

    # -- API dispatch

    def handle_api_call(
        self, method: str, params: dict[str, Any], files: dict[str, _Upload]
    ) -> Any:
        """Run one Bot API method; returns its ``result`` or raises ``ApiError``."""
        with self._cond:
            failure = self._take_planned_failure(method)
            if failure is not None:
                raise failure
            if method in _CHAT_METHODS and params.get("chat_id") in self._blocked_chats:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
        if method == "getUpdates":
            return self._get_updates(params)
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            raise ApiError(404, "Not Found")
        with self._cond:
            result = handler(params, files)
            if method not in {"getMe", "getFile", "getWebhookInfo", "getMyCommands"}:
                self.sent.append(
                    {
                        "method": method,
                        "chat_id": params.get("chat_id"),
                        "params": params,
                        "t": time.monotonic(),
                        "result": result,
                    }
                )
            self._cond.notify_all()
            return result

    def _take_planned_failure(self, method: str) -> ApiError | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        planned = queue[0]
        planned.remaining -= 1
        if planned.remaining <= 0:
            queue.popleft()
        return ApiError(planned.status, planned.description, planned.retry_after)

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, min(50.0, float(params.get("timeout") or 0)))
        deadline = time.monotonic() + timeout
        with self._cond:
            # Recorded on arrival, so tests can see that a long poll is waiting.
            self.requests.append(
                {"method": "getUpdates", "params": params, "status": 200, "t": time.monotonic()}
            )
            if self._webhook.get("url"):
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if offset:
                self._pending_updates = [
                    u for u in self._pending_updates if u["update_id"] >= offset
                ]
            while not self._pending_updates and not self._stopping:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            batch = self._pending_updates[:limit]
            now = time.monotonic()
            for update in batch:
                self.delivered_at.setdefault(update["update_id"], now)
            return json.loads(json.dumps(batch))

    def _new_bot_message(self, chat_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": self._bot_user(),
            **fields,
        }
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _api_getMe(self, params: dict[str, Any], files: dict[str, _Upload]) -> dict[str, Any]:
        return {
            **self._bot_user(),
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _api_sendMessage(self, params: dict[str, Any], files: dict[str, _Upload]) -> dict[str, Any]:
        chat_id = _require_chat(params)
        text = str(params.get("text") or "")
        visible = _visible_text(text, params.get("parse_mode"))
        if not visible.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(visible) > MAX_MESSAGE_CHARS:
            raise ApiError(400, "Bad Request: message is too long")
        fields: dict[str, Any] = {"text": visible}
        markup = _checked_markup(params.get("reply_markup"))
        if markup:
            fields["reply_markup"] = markup
        fields.update(self._reply_fields(chat_id, params))
        return self._new_bot_message(chat_id, fields)

    def _reply_fields(self, chat_id: int, params: dict[str, Any]) -> dict[str, Any]:
        """``reply_to_message`` as Telegram includes it (without its own reply, one level deep)."""
        reply = params.get("reply_parameters") or {}
        replied_id = reply.get("message_id") or params.get("reply_to_message_id")
        if not replied_id:
            return {}
        original = self._messages.get((chat_id, int(replied_id)))
        if original is None:
            if reply.get("allow_sending_without_reply"):
                return {}
            raise ApiError(400, "Bad Request: message to be replied not found")
        copy = {k: v for k, v in json.loads(json.dumps(original)).items() if k != "reply_to_message"}
        return {"reply_to_message": copy}

    def _api_sendPhoto(self, params: dict[str, Any], files: dict[str, _Upload]) -> dict[str, Any]:
        chat_id = _require_chat(params)
        upload = _file_param(params, files, "photo")
        if isinstance(upload, str):
            if upload not in self._files:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            file_id = upload
        else:
            if not upload.data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            file_id = self._store_file(upload.data, "photos", "jpg")
        stored = self._files[file_id]
        fields: dict[str, Any] = {
            "photo": [{"file_id": file_id, "file_unique_id": stored.file_unique_id,
                       "width": 800, "height": 600, "file_size": len(stored.data)}]
        }  # fmt: skip
        fields.update(self._caption_fields(params))
        return self._new_bot_message(chat_id, fields)

    def _api_sendDocument(
        self, params: dict[str, Any], files: dict[str, _Upload]
    ) -> dict[str, Any]:
        chat_id = _require_chat(params)
        upload = _file_param(params, files, "document")
        if isinstance(upload, str):
            if upload not in self._files:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            file_id, filename, mime = upload, self._files[upload].file_path.rsplit("/", 1)[-1], ""
        else:
            if not upload.data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            extension = upload.filename.rsplit(".", 1)[-1] if "." in upload.filename else "bin"
            file_id = self._store_file(upload.data, "documents", extension)
            filename, mime = upload.filename, upload.content_type
        stored = self._files[file_id]
        fields: dict[str, Any] = {
            "document": {"file_id": file_id, "file_unique_id": stored.file_unique_id,
                         "file_name": filename, "mime_type": mime, "file_size": len(stored.data)}
        }  # fmt: skip
        fields.update(self._caption_fields(params))
        return self._new_bot_message(chat_id, fields)

    def _caption_fields(self, params: dict[str, Any]) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if params.get("caption"):
            caption = _visible_text(str(params["caption"]), params.get("parse_mode"))
            if len(caption) > MAX_CAPTION_CHARS:
                raise ApiError(400, "Bad Request: message caption is too long")
            fields["caption"] = caption
        markup = _checked_markup(params.get("reply_markup"))
        if markup:
            fields["reply_markup"] = markup
        return fields

    def _editable_message(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: inline messages are not supported by the fake")
        chat_id = _require_chat(params)
        message = self._messages.get((chat_id, int(params.get("message_id") or 0)))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message["from"].get("id") != self.bot_id:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _api_editMessageText(
        self, params: dict[str, Any], files: dict[str, _Upload]
    ) -> dict[str, Any]:
        message = self._editable_message(params)
        text = _visible_text(str(params.get("text") or ""), params.get("parse_mode"))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > MAX_MESSAGE_CHARS:
            raise ApiError(400, "Bad Request: message is too long")
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        markup = _checked_markup(params.get("reply_markup"))
        if text == message.get("text") and markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message["text"] = text
        message["edit_date"] = int(time.time())
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        return json.loads(json.dumps(message))

    def _api_editMessageCaption(
        self, params: dict[str, Any], files: dict[str, _Upload]
    ) -> dict[str, Any]:
        message = self._editable_message(params)
        message.update(self._caption_fields(params))
        message["edit_date"] = int(time.time())
        return json.loads(json.dumps(message))

    def _api_editMessageReplyMarkup(
        self, params: dict[str, Any], files: dict[str, _Upload]
    ) -> dict[str, Any]:
        message = self._editable_message(params)
        markup = _checked_markup(params.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        if markup:
            message["reply_markup"] = markup
        else:
            message.pop("reply_markup", None)
        message["edit_date"] = int(time.time())
        return json.loads(json.dumps(message))

    def _api_deleteMessage(self, params: dict[str, Any], files: dict[str, _Upload]) -> bool:
        chat_id = _require_chat(params)
        if self._messages.pop((chat_id, int(params.get("message_id") or 0)), None) is None:
            raise ApiError(400, "Bad Request: message to delete not found")
        return True

    def _api_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, _Upload]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_callback_queries:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        self._open_callback_queries.discard(query_id)
        return True

    def _api_sendChatAction(self, params: dict[str, Any], files: dict[str, _Upload]) -> bool:
        _require_chat(params)
        if params.get("action") not in {
            "typing", "upload_photo", "record_video", "upload_video", "record_voice",
            "upload_voice", "upload_document", "choose_sticker", "find_location",
            "record_video_note", "upload_video_note",
        }:  # fmt: skip
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    def _api_getFile(self, params: dict[str, Any], files: dict[str, _Upload]) -> dict[str, Any]:
        file_id = str(params.get("file_id") or "")
        stored = self._files.get(file_id)
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.data),
            "file_path": stored.file_path,
        }

    def _api_setMyCommands(self, params: dict[str, Any], files: dict[str, _Upload]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or not commands:
            raise ApiError(400, "Bad Request: commands must be a non-empty list")
        for command in commands:
            name = str(command.get("command", ""))
            if (
                not re.fullmatch(r"[a-z0-9_]{1,32}", name)
                or not 1 <= len(command.get("description", "")) <= 256
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
        self.commands[_scope_key(params)] = commands
        return True

    def _api_getMyCommands(
        self, params: dict[str, Any], files: dict[str, _Upload]
    ) -> list[dict[str, Any]]:
        return list(self.commands.get(_scope_key(params), []))

    def _api_deleteMyCommands(self, params: dict[str, Any], files: dict[str, _Upload]) -> bool:
        self.commands.pop(_scope_key(params), None)
        return True

    def _api_setWebhook(self, params: dict[str, Any], files: dict[str, _Upload]) -> bool:
        url = str(params.get("url") or "")
        if not url:
            return self._api_deleteWebhook(params, files)
        if not url.startswith(("http://", "https://")):
            raise ApiError(
                400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"
            )
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", str(secret)):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._pending_updates.clear()
        self._webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": int(params.get("max_connections") or 40),
            "allowed_updates": params.get("allowed_updates"),
        }
        # Updates that were waiting for getUpdates are now delivered to the webhook.
        for update in self._pending_updates:
            chat = _update_chat_id(update)
            self._webhook_queues.setdefault(chat, deque()).append(update)
        self._pending_updates = []
        for chat in list(self._webhook_queues):
            self._kick_webhook_delivery(chat)
        return True

    def _api_deleteWebhook(self, params: dict[str, Any], files: dict[str, _Upload]) -> bool:
        self._webhook = {}
        if params.get("drop_pending_updates"):
            self._pending_updates.clear()
            for queue in self._webhook_queues.values():
                queue.clear()
        for chat, queue in self._webhook_queues.items():
            if chat not in self._webhook_busy_chats:
                self._pending_updates.extend(queue)
                queue.clear()
        self._pending_updates.sort(key=lambda u: u["update_id"])
        return True

    def _api_getWebhookInfo(
        self, params: dict[str, Any], files: dict[str, _Upload]
    ) -> dict[str, Any]:
        waiting = len(self._pending_updates) + sum(len(q) for q in self._webhook_queues.values())
        info: dict[str, Any] = {
            "url": self._webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": waiting,
        }
        if self._webhook.get("url"):
            info["max_connections"] = self._webhook["max_connections"]
        if self.webhook_errors:
            info["last_error_date"] = int(time.time())
            info["last_error_message"] = self.webhook_errors[-1]["error"]
        return info

    def _api_close(self, params: dict[str, Any], files: dict[str, _Upload]) -> bool:
        return True

    def _api_logOut(self, params: dict[str, Any], files: dict[str, _Upload]) -> bool:
        return True

    def file_for_path(self, file_path: str) -> bytes | None:
        with self._cond:
            for stored in self._files.values():
                if stored.file_path == file_path:
                    return stored.data
        return None


@dataclass
class _Upload:
    data: bytes
    filename: str
    content_type: str


def _require_chat(params: dict[str, Any]) -> int:
    chat_id = params.get("chat_id")
    if not isinstance(chat_id, int):
        raise ApiError(400, "Bad Request: chat not found")
    return chat_id


def _visible_text(text: str, parse_mode: Any) -> str:
    if parse_mode in (None, ""):
        return text
    if str(parse_mode).upper() != "HTML":
        raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode} in the fake")
    return parse_telegram_html(text)


def _checked_markup(markup: Any) -> dict[str, Any] | None:
    if not markup:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    for row in markup.get("inline_keyboard") or []:
        for button in row:
            if not button.get("text"):
                raise ApiError(
                    400, "Bad Request: text buttons are unallowed in the inline keyboard"
                )
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA_BYTES:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _file_param(params: dict[str, Any], files: dict[str, _Upload], name: str) -> _Upload | str:
    if name in files:
        return files[name]
    value = params.get(name)
    if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
        return files[value[9:]]
    if isinstance(value, str) and value:
        return value
    raise ApiError(400, f"Bad Request: there is no {name} in the request")


def _scope_key(params: dict[str, Any]) -> str:
    scope = params.get("scope") or {"type": "default"}
    return f"{json.dumps(scope, sort_keys=True)}|{params.get('language_code') or ''}"


def _update_chat_id(update: dict[str, Any]) -> int:
    if "message" in update:
        return int(update["message"]["chat"]["id"])
    return int(update["callback_query"]["message"]["chat"]["id"])


def _decode_param(name: str, value: str) -> Any:
    if name in _INT_PARAMS:
        with contextlib.suppress(ValueError):
            return int(value)
        return value
    if name in _JSON_PARAMS:
        with contextlib.suppress(ValueError):
            return json.loads(value)
    return value


class _QuietThreadingHTTPServer(ThreadingHTTPServer):
    """Clients closing keep-alive connections (the bot shutting down) are not errors."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _ApiRequestHandler(BaseHTTPRequestHandler):
    """Routes ``/bot<token>/<method>`` and ``/file/bot<token>/<path>``; one thread per connection."""

    # without this every small response waits ~40 ms for Nagle + delayed ACK
    disable_nagle_algorithm = True

    fake: FakeTelegramServer
    protocol_version = "HTTP/1.1"
    server_version = "FakeTelegramBotAPI/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # keep test output quiet

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def _route(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(url.path)
        body = self._read_body()
        file_prefix = f"/file/bot{self.fake.token}/"
        api_prefix = f"/bot{self.fake.token}/"
        if path.startswith(file_prefix):
            data = self.fake.file_for_path(path[len(file_prefix) :])
            if data is None:
                self._send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            else:
                self._send(200, data, "application/octet-stream")
            return
        if not path.startswith(api_prefix):
            if path.startswith(("/bot", "/file/bot")):
                self._send_json(
                    401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
                )
            else:
                self._send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        method = path[len(api_prefix) :].strip("/")
        try:
            params, files = self._parse_params(url.query, body)
            result = self.fake.handle_api_call(method, params, files)
        except ApiError as exc:
            with self.fake._cond:
                self.fake.requests.append(
                    {"method": method, "params": {}, "status": exc.status, "t": time.monotonic()}
                )
            self._send_json(exc.status, exc.body())
            return
        if method != "getUpdates":
            with self.fake._cond:
                self.fake.requests.append(
                    {"method": method, "params": params, "status": 200, "t": time.monotonic()}
                )
        self._send_json(200, {"ok": True, "result": result})

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _parse_params(self, query: str, body: bytes) -> tuple[dict[str, Any], dict[str, _Upload]]:
        raw: dict[str, Any] = dict(urllib.parse.parse_qsl(query))
        files: dict[str, _Upload] = {}
        content_type = self.headers.get("Content-Type", "")
        if body and content_type.startswith("application/json"):
            try:
                decoded = json.loads(body)
            except ValueError as exc:
                raise ApiError(400, "Bad Request: can't parse JSON") from exc
            params = {**{k: _decode_param(k, v) for k, v in raw.items()}, **decoded}
            return params, files
        if body and content_type.startswith("multipart/form-data"):
            message = BytesParser(policy=HTTP).parsebytes(
                b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
            )
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if not name:
                    continue
                payload = part.get_payload(decode=True)
                if not isinstance(payload, bytes):
                    payload = b""
                filename = part.get_filename()
                if filename is not None:
                    files[str(name)] = _Upload(payload, filename, part.get_content_type())
                else:
                    raw[str(name)] = payload.decode("utf-8")
        elif body:
            raw.update(urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        return {k: _decode_param(k, v) for k, v in raw.items()}, files

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
