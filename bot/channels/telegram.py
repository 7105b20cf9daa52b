"""Telegram channel: a python-telegram-bot Application in front of the assistant.

How the pieces fit:

* Every text message goes to ``assistant.handle_text``; every button press and command to
  ``assistant.handle_payload`` (Rasa payloads such as ``/faq_menu``). Replies are rendered by
  ``bot.channels.render`` (HTML, inline keyboards, split long text) and sent in order.
* Photos and image files go to the photo pre-check: 「正在检查…」 is sent at once and the
  result is edited into that message.
* Stickers, voice, video, locations and contacts get a friendly note that we read text and photos.
* Updates of different chats run concurrently; updates of one chat run strictly in order
  (``ChatOrderedUpdateProcessor``). Slow work (Rasa, image checks) is awaited, never blocking.
* Long polling by default; a webhook server when ``WEBHOOK_URL`` is set. A self-hosted Bot API
  server works through ``TELEGRAM_API_BASE_URL`` / ``TELEGRAM_FILE_BASE_URL``.
* A user who blocked the bot is remembered (``users.blocked``) and not written to again until
  they come back.

Entry points: ``build_application(settings, assistant)`` and ``run_telegram(settings)``
(``python -m bot run``). ``send_replies(application, chat_id, replies)`` lets other features
(the reminder job) send through the same renderer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sys
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    ReplyParameters,
    Update,
)
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ExtBot,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.channels.callbacks import CallbackCodec
from bot.channels.photo_check import (
    CHECKING_TEXT,
    KIND_BUTTON_TITLES,
    PHOTO_GONE_TEXT,
    PICK_KIND_TEXT,
    PRECHECK_FAILED_TEXT,
    PrecheckOutcome,
    kind_of_recheck,
    precheck_photo,
    recheck_payload,
)
from bot.channels.render import (
    TEXT_LIMIT,
    OutgoingMessage,
    escape_html,
    payloads_of,
    render_replies,
    split_for_telegram,
    telegram_length,
    to_html,
)
from bot.channels.telegram_privacy import register_privacy_handlers
from bot.config import Settings
from bot.reminders.job import register_reminder_job
from bot.replies import Reply

log = logging.getLogger(__name__)

CHANNEL = "telegram"
COMMAND_MENU = (
    ("start", "开始"),
    ("faq", "常见问题"),
    ("materials", "材料清单"),
    ("check", "照片预检"),
    ("remind", "续签提醒"),
    ("mydata", "我的数据"),
    ("privacy", "隐私说明"),
    ("help", "帮助"),
)
COMMAND_PAYLOADS = {
    "start": "/greet",
    "faq": "/faq_menu",
    "materials": "/start_materials",
    "check": "/precheck_start",
    "remind": "/remind_me",
    "help": "/help",
    "cancel": "/cancel",
    "reminders": "/reminders_list",
    "mylist": "/mylist",
    "privacy": "/privacy",  # these three are answered by the pipeline, without Rasa
    "mydata": "/mydata",
    "forget": "/forget",
}
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024  # Bot API getFile limit
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "webp", "heic", "heif", "bmp", "tif", "tiff")
TYPING_DELAY_S = 0.3  # answers faster than this need no "typing…"
TYPING_REFRESH_S = 4.5  # Telegram shows a chat action for about five seconds
DEFAULT_MAX_MESSAGES_PER_SECOND = 30.0
CONNECTION_POOL_SIZE = 16
# Chats served at the same time. Waiting for Rasa is cheap, but more handlers than pooled
# connections would queue inside httpcore, whose queue costs CPU per waiting request.
MAX_CONCURRENT_UPDATES = 32
POOL_TIMEOUT_S = 10.0

MEDIA_TEXT = "我能看懂文字和照片 🙂 请直接打字提问，或者把证件照片发给我检查。"
NOT_AN_IMAGE_TEXT = "这个文件不是图片。想检查证件照片的话，请发 JPG 或 PNG 图片给我。"
TOO_BIG_TEXT = "这张图片超过 20 MB，我收不下。请压缩一下，或者直接用手机拍照发送。"
DOWNLOAD_FAILED_TEXT = "图片没能下载下来，请再发一次。"
COMPRESSED_CAPTION = "这是压缩后的版本，大小符合上传要求，可以直接用它上传。"
EXPIRED_BUTTON_ALERT = "这个按钮已经失效了"
EXPIRED_BUTTON_TEXT = "这个按钮已经失效了。发送 /start 可以重新打开菜单。"
UNKNOWN_COMMAND_TEXT = "没有这个命令。发送 /help 看看我能帮你做什么。"
ERROR_TEXT = "抱歉，刚才出了点问题，请再发一次。"
ERROR_ALERT = "出了点问题，请再试一次"


# ---------------------------------------------------------------- per-application state


@dataclass
class ChannelState:
    """What the handlers share; kept in ``application.bot_data["channel"]``."""

    settings: Settings
    assistant: Any
    codec: CallbackCodec
    blocked_chats: set[int] = field(default_factory=set)


def channel_state(context: ContextTypes.DEFAULT_TYPE) -> ChannelState:
    state: ChannelState = context.application.bot_data["channel"]
    return state


def chat_id_of(update: Update) -> int:
    chat = update.effective_chat
    assert chat is not None, "these handlers are only registered for chat updates"
    return chat.id


def text_of(update: Update) -> str:
    message = update.effective_message
    return (message.text or "") if message is not None else ""


def sender_id(chat_id: int) -> str:
    return f"tg:{chat_id}"


# ---------------------------------------------------------------- concurrency and rate limits


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Different chats concurrently, one chat strictly in arrival order.

    An update for a chat that is already being served is queued behind it and the slot is given
    back at once — so a user who sends twenty messages holds one slot, not twenty, and cannot
    starve other chats (a plain per-chat lock would hold a slot per waiting update).
    """

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._queues: dict[int, deque[Awaitable[Any]]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        queue = self._queues.get(chat.id)
        if queue is not None:
            queue.append(coroutine)
            return
        queue = self._queues[chat.id] = deque([coroutine])
        try:
            while queue:
                try:
                    await queue.popleft()
                except Exception:  # noqa: BLE001 - one failed update must not drop the next
                    log.exception("an update of chat %s failed", chat.id)
        finally:
            del self._queues[chat.id]
            for unfinished in queue:  # only on cancellation (shutdown)
                if isinstance(unfinished, Coroutine):
                    unfinished.close()

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class MessageRateLimiter(AIORateLimiter):
    """PTB's limiter (waits on 429 and retries), but chat actions bypass the message budget:
    "typing…" is not a message and must not slow replies down."""

    UNLIMITED = frozenset({"sendChatAction", "answerCallbackQuery"})

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Any:
        if endpoint in self.UNLIMITED:
            return await callback(*args, **kwargs)
        return await super().process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )


def max_messages_per_second() -> float:
    """Outgoing message budget (``TELEGRAM_MAX_MESSAGES_PER_SECOND``, default 30 as Telegram
    advises for bulk sending; 0 disables the limit)."""
    raw = os.environ.get("TELEGRAM_MAX_MESSAGES_PER_SECOND", "").strip()
    return float(raw) if raw else DEFAULT_MAX_MESSAGES_PER_SECOND


# ---------------------------------------------------------------- sending


async def send_replies(application: Application, chat_id: int, replies: list[Reply]) -> bool:
    """Render and send ``replies`` to a chat in order; ``False`` when the user blocked the bot."""
    state: ChannelState = application.bot_data["channel"]
    callback_data = await state.codec.encode_many(payloads_of(replies))
    for message in render_replies(replies, callback_data):
        try:
            await send_outgoing(application.bot, chat_id, message)
        except Forbidden:
            await note_blocked(state, chat_id)
            return False
    return True


async def send_outgoing(bot: ExtBot, chat_id: int, message: OutgoingMessage) -> Message:
    markup = keyboard_markup(message)
    if message.kind == "photo":
        return await bot.send_photo(
            chat_id, message.data or b"", caption=message.html or None, parse_mode=ParseMode.HTML,
            reply_markup=markup, filename=message.filename,
        )  # fmt: skip
    if message.kind == "document":
        return await bot.send_document(
            chat_id, message.data or b"", caption=message.html or None, parse_mode=ParseMode.HTML,
            reply_markup=markup, filename=message.filename,
        )  # fmt: skip
    return await bot.send_message(
        chat_id, message.html, parse_mode=ParseMode.HTML, reply_markup=markup,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )  # fmt: skip


def keyboard_markup(message: OutgoingMessage) -> InlineKeyboardMarkup | None:
    if not message.keyboard:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(title, callback_data=data) for title, data in row]
            for row in message.keyboard
        ]
    )


async def send_text(bot: ExtBot, state: ChannelState, chat_id: int, text: str) -> Message | None:
    """Send plain text (escaped, split if long); ``None`` if the user blocked the bot."""
    sent = None
    try:
        for chunk in split_for_telegram(text):
            sent = await send_outgoing(bot, chat_id, OutgoingMessage("text", to_html(chunk)))
    except Forbidden:
        await note_blocked(state, chat_id)
        return None
    return sent


@contextlib.asynccontextmanager
async def typing_while(bot: ExtBot, chat_id: int) -> AsyncIterator[None]:
    """Show "typing…" while the block runs, once it takes longer than ``TYPING_DELAY_S``.

    An instant answer needs no indicator (and skipping it halves the requests under load);
    a slow one shows it, refreshed since Telegram hides it after about five seconds.
    """

    async def keep_typing() -> None:
        await asyncio.sleep(TYPING_DELAY_S)
        while True:
            try:
                await bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError:
                return
            await asyncio.sleep(TYPING_REFRESH_S)

    task = asyncio.create_task(keep_typing())
    try:
        yield
    finally:
        task.cancel()


async def note_blocked(state: ChannelState, chat_id: int) -> None:
    if chat_id in state.blocked_chats:
        return
    state.blocked_chats.add(chat_id)
    log.info("chat %s has blocked the bot; not writing to it until it comes back", chat_id)
    await asyncio.to_thread(save_blocked_flag, state.settings.database_url, chat_id, True)


def save_blocked_flag(database_url: str, chat_id: int, blocked: bool) -> None:
    """Persist ``users.blocked`` so other jobs (reminders) skip people who blocked us."""
    from bot.storage.db import session_scope
    from bot.storage.users import get_or_create_user, get_user

    try:
        with session_scope(database_url) as session:
            if blocked:
                get_or_create_user(session, sender_id(chat_id)).blocked = True
            else:
                user = get_user(session, sender_id(chat_id))
                if user is not None and user.blocked:
                    user.blocked = False
    except Exception:  # noqa: BLE001 - a lost flag must not break the conversation
        log.exception("could not save the blocked flag of chat %s", chat_id)


# ---------------------------------------------------------------- handlers


async def note_return(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs before every handler: a user who writes to us again has unblocked the bot."""
    chat = update.effective_chat
    state = channel_state(context)
    if chat is not None and chat.id in state.blocked_chats:
        state.blocked_chats.discard(chat.id)
        await asyncio.to_thread(save_blocked_flag, state.settings.database_url, chat.id, False)


async def start_chat(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start: greet and show the main menu (Rasa's greeting carries the menu buttons)."""
    chat_id = chat_id_of(update)
    state = channel_state(context)
    await asyncio.to_thread(save_blocked_flag, state.settings.database_url, chat_id, False)
    await reply_to_payload(update, context, COMMAND_PAYLOADS["start"])


async def run_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/faq, /materials, /check, /remind, /help, /cancel, /reminders, /mylist, /privacy, /mydata, /forget."""
    text = text_of(update)
    command = text.split()[0].lstrip("/").split("@")[0].lower()
    await reply_to_payload(update, context, COMMAND_PAYLOADS[command])


async def answer_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Free text: the assistant answers."""
    chat_id = chat_id_of(update)
    state = channel_state(context)
    text = text_of(update)
    async with typing_while(context.bot, chat_id):
        turn = await state.assistant.handle_text(sender_id(chat_id), text, CHANNEL)
    await send_replies(context.application, chat_id, turn.replies)


async def reply_to_payload(
    update: Update, context: ContextTypes.DEFAULT_TYPE, payload: str
) -> None:
    chat_id = chat_id_of(update)
    state = channel_state(context)
    async with typing_while(context.bot, chat_id):
        turn = await state.assistant.handle_payload(sender_id(chat_id), payload, CHANNEL)
    await send_replies(context.application, chat_id, turn.replies)


async def press_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button press: acknowledge it, mark the choice on its message, then answer."""
    query = update.callback_query
    assert query is not None
    chat_id = chat_id_of(update)
    state = channel_state(context)
    try:
        payload = await state.codec.decode(query.data)
    except Exception:
        await answer_query(query, ERROR_ALERT)  # never leave the button spinning
        raise
    if payload is None:
        await answer_query(query, EXPIRED_BUTTON_ALERT)
        await send_text(context.bot, state, chat_id, EXPIRED_BUTTON_TEXT)
        return
    await answer_query(query)
    kind = kind_of_recheck(payload)
    if kind is not None:  # the photo check's own button: no conversation involved
        await recheck_photo(query, context, chat_id, kind)
        return
    await mark_choice(query, state, chat_id)
    async with typing_while(context.bot, chat_id):
        turn = await state.assistant.handle_payload(sender_id(chat_id), payload, CHANNEL)
    await send_replies(context.application, chat_id, turn.replies)


async def answer_query(query: Any, text: str | None = None) -> None:
    try:
        await query.answer(text)
    except BadRequest as exc:  # too old (> 15 min) or already answered: nothing to undo
        log.debug("callback query not answered: %s", exc)


async def mark_choice(query: Any, state: ChannelState, chat_id: int) -> None:
    """Replace the message's keyboard with the chosen button's title (no double presses)."""
    message = query.message
    if not isinstance(message, Message):
        return
    title = next(
        (
            button.text
            for row in (message.reply_markup.inline_keyboard if message.reply_markup else ())
            for button in row
            if button.callback_data == query.data
        ),
        "",
    )
    try:
        if message.text and title:
            marked = f"{message.text_html}\n\n✅ {escape_html(title)}"
            if telegram_length(f"{message.text}\n\n✅ {title}") <= TEXT_LIMIT:
                await message.edit_text(
                    marked, parse_mode=ParseMode.HTML, reply_markup=None,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                )  # fmt: skip
                return
        if message.reply_markup:
            await message.edit_reply_markup(reply_markup=None)
    except Forbidden:
        await note_blocked(state, chat_id)
    except BadRequest as exc:  # deleted, too old, or not modified
        log.debug("could not mark the chosen button: %s", exc)


def attachment_of(message: Message | None) -> tuple[Any, str] | None:
    """The photo (largest size) or image file of a message, with a file name for the check."""
    if message is None:
        return None
    if message.photo:
        return message.photo[-1], "photo.jpg"
    if message.document:
        return message.document, message.document.file_name or "image"
    return None


async def download_and_check(
    context: ContextTypes.DEFAULT_TYPE, attachment: Any, filename: str, caption: str | None, kind: str | None
) -> PrecheckOutcome:
    """Fetch the photo from Telegram into memory and check it; the bytes are dropped after."""
    try:
        telegram_file = await attachment.get_file()
        data = bytes(await telegram_file.download_as_bytearray())
    except TelegramError:
        log.warning("could not download a photo", exc_info=True)
        return PrecheckOutcome(DOWNLOAD_FAILED_TEXT)
    return await precheck_photo(data, filename, caption, kind)


async def check_photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A photo or image file: 「正在检查…」 now, the pre-check result edited in when ready.

    The status message replies to the photo, so a kind button under the result can find the
    photo again (``recheck_photo``) without the bot keeping it or its file id anywhere.
    """
    message = update.effective_message
    assert message is not None
    chat_id = message.chat_id
    state = channel_state(context)
    found = attachment_of(message)
    if found is None:  # the handler's filters let only photos and image files through
        return
    attachment, filename = found
    if (attachment.file_size or 0) > MAX_DOWNLOAD_BYTES:
        await send_text(context.bot, state, chat_id, TOO_BIG_TEXT)
        return
    try:
        status = await context.bot.send_message(
            chat_id, CHECKING_TEXT,
            reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
        )  # fmt: skip
    except Forbidden:
        await note_blocked(state, chat_id)
        return
    async with typing_while(context.bot, chat_id):
        outcome = await download_and_check(context, attachment, filename, message.caption, None)
    keyboard = await kind_keyboard(state) if outcome.pick_kind else None
    text = f"{outcome.text}\n\n{PICK_KIND_TEXT}" if keyboard else outcome.text
    await edit_in_result(context.bot, state, status, text, keyboard)
    if outcome.compressed is not None:
        with contextlib.suppress(Forbidden):
            await context.bot.send_document(
                chat_id, outcome.compressed, filename=compressed_name(filename),
                caption=COMPRESSED_CAPTION,
            )  # fmt: skip


async def recheck_photo(query: Any, context: ContextTypes.DEFAULT_TYPE, chat_id: int, kind: str) -> None:
    """A kind button under a result: check the photo it answers again, as that kind."""
    state = channel_state(context)
    status = query.message if isinstance(query.message, Message) else None
    found = attachment_of(status.reply_to_message if status else None)
    if status is None or found is None:  # the user deleted the photo, or a forged button
        await send_text(context.bot, state, chat_id, PHOTO_GONE_TEXT)
        return
    attachment, filename = found
    await edit_in_result(context.bot, state, status, CHECKING_TEXT)
    async with typing_while(context.bot, status.chat_id):
        outcome = await download_and_check(context, attachment, filename, None, kind)
    await edit_in_result(context.bot, state, status, outcome.text)


async def kind_keyboard(state: ChannelState) -> InlineKeyboardMarkup:
    """One button per kind of material, three to a row."""
    payloads = {kind: recheck_payload(kind) for kind in KIND_BUTTON_TITLES}
    data = await state.codec.encode_many(payloads.values())
    buttons = [InlineKeyboardButton(KIND_BUTTON_TITLES[k], callback_data=data[p]) for k, p in payloads.items()]
    return InlineKeyboardMarkup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])


async def edit_in_result(
    bot: ExtBot, state: ChannelState, status: Message, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> None:
    """Put ``text`` into the 「正在检查…」 message; overflow follows as new messages."""
    first, *rest = split_for_telegram(text) or [PRECHECK_FAILED_TEXT]
    try:
        await status.edit_text(to_html(first), parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except Forbidden:
        await note_blocked(state, status.chat_id)
        return
    except BadRequest:
        log.warning("could not edit the pre-check status message; sending the result instead")
        rest.insert(0, first)
    for chunk in rest:
        await send_text(bot, state, status.chat_id, chunk)


def compressed_name(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return f"{stem}-压缩.jpg"


async def reject_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A non-image file (PDF, Word…): explain what we can check."""
    await send_text(context.bot, channel_state(context), chat_id_of(update), NOT_AN_IMAGE_TEXT)


async def explain_media(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, voice, video, locations, contacts…: we read text and photos."""
    await send_text(context.bot, channel_state(context), chat_id_of(update), MEDIA_TEXT)


async def explain_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await send_text(context.bot, channel_state(context), chat_id_of(update), UNKNOWN_COMMAND_TEXT)


async def report_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failure and tell the user something useful instead of going silent."""
    log.error("error while handling an update", exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        with contextlib.suppress(TelegramError):
            await send_text(context.bot, channel_state(context), chat_id_of(update), ERROR_TEXT)


# ---------------------------------------------------------------- application


def build_application(settings: Settings, assistant: Any) -> Application:
    """The configured Application (handlers in reading order); not started."""
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .concurrent_updates(ChatOrderedUpdateProcessor(MAX_CONCURRENT_UPDATES))
        .rate_limiter(MessageRateLimiter(overall_max_rate=max_messages_per_second(), max_retries=3))
        .get_updates_read_timeout(40)
        # httpcore scans every pooled connection on each request, so a huge pool costs CPU per
        # message; a few dozen connections carry far more than Telegram's message limits.
        .connection_pool_size(CONNECTION_POOL_SIZE)
        .pool_timeout(POOL_TIMEOUT_S)
    )
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url)
    if settings.telegram_file_base_url:
        builder = builder.base_file_url(settings.telegram_file_base_url)
    application = builder.build()
    application.bot_data["channel"] = ChannelState(
        settings=settings, assistant=assistant, codec=CallbackCodec(settings.database_url)
    )
    register_reminder_job(application)
    register_privacy_handlers(application)  # /privacy, /mydata, /forget, /stats and 确认删除

    application.add_handler(TypeHandler(Update, note_return), group=-1)
    application.add_handler(CommandHandler("start", start_chat))
    application.add_handler(
        CommandHandler([c for c in COMMAND_PAYLOADS if c != "start"], run_command)
    )
    application.add_handler(CallbackQueryHandler(press_button))
    image_files = filters.Document.IMAGE | filters.Document.FileExtension(IMAGE_EXTENSIONS[0])
    for extension in IMAGE_EXTENSIONS[1:]:
        image_files = image_files | filters.Document.FileExtension(extension)
    application.add_handler(MessageHandler(filters.PHOTO | image_files, check_photo))
    application.add_handler(MessageHandler(filters.Document.ALL, reject_document))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, answer_text))
    application.add_handler(MessageHandler(filters.COMMAND, explain_unknown_command))
    application.add_handler(MessageHandler(filters.UpdateType.MESSAGE, explain_media))
    application.add_error_handler(report_error)
    return application


async def set_command_menu(bot: ExtBot) -> None:
    """The Chinese command menu; optional, so a failure is logged and start-up continues."""
    try:
        await bot.set_my_commands([BotCommand(name, title) for name, title in COMMAND_MENU])
    except TelegramError as exc:
        log.warning("could not set the command menu (continuing without it): %s", exc)


def webhook_path(webhook_url: str) -> str:
    return urlsplit(webhook_url).path.lstrip("/")


async def serve_telegram(
    settings: Settings, stop: asyncio.Event | None = None, assistant: Any = None
) -> int:
    """Run until SIGINT/SIGTERM (or ``stop`` is set); returns the process exit code.

    ``assistant`` defaults to the real pipeline (``build_assistant``); benchmarks pass another
    object with the same ``handle_text`` / ``handle_payload`` / ``aclose`` methods."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    if assistant is None:
        from bot.pipeline import build_assistant

        assistant = await build_assistant(settings)
    try:
        application = build_application(settings, assistant)
        try:
            await application.initialize()
        except InvalidToken:
            log.error("Telegram rejected TELEGRAM_BOT_TOKEN; check the token from @BotFather")
            return 1
        try:
            await set_command_menu(application.bot)
            await application.start()
            assert application.updater is not None
            if settings.webhook_url:
                await application.updater.start_webhook(
                    listen=settings.webhook_listen,
                    port=settings.webhook_port,
                    url_path=webhook_path(settings.webhook_url),
                    webhook_url=settings.webhook_url,
                    secret_token=settings.webhook_secret or None,
                    allowed_updates=Update.ALL_TYPES,
                )
                log.info(
                    "Telegram bot running (webhook %s, listening on %s:%s)",
                    settings.webhook_url, settings.webhook_listen, settings.webhook_port,
                )  # fmt: skip
            else:
                await application.updater.start_polling(
                    poll_interval=0, timeout=25, allowed_updates=Update.ALL_TYPES
                )
                log.info("Telegram bot running (long polling)")
            await stop.wait()
            log.info("stopping the Telegram bot")
            await application.updater.stop()
            await application.stop()
        finally:
            await application.shutdown()
    finally:
        await assistant.aclose()
    return 0


def run_telegram(settings: Settings) -> int:
    """``python -m bot run``: the Telegram bot, or a hint when no token is configured."""
    if not settings.telegram_token:
        print(
            "TELEGRAM_BOT_TOKEN 未设置，无法连接 Telegram。\n"
            "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put it in .env,\n"
            "or talk to the assistant locally with:  python -m bot chat",
            file=sys.stderr,
        )
        return 2
    if not logging.getLogger().handlers:
        logging.basicConfig(
            level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        logging.getLogger("httpx").setLevel(logging.WARNING)
    return asyncio.run(serve_telegram(settings))


if __name__ == "__main__":
    from bot.config import load_settings

    raise SystemExit(run_telegram(load_settings()))
