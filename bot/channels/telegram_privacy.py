"""Telegram's 确认删除 / 取消 button under the /forget question, and /stats (ADMIN_IDS).

/privacy, /mydata and /forget themselves go to the assistant like every other command (the
pipeline answers them). ``register_privacy_handlers(application)`` is called by
``bot.channels.telegram`` before its own handlers are added, so its button handler sees
确认删除 first: the general one only passes payloads meant for Rasa. Replies go through the channel's
own renderer (``send_replies``), so buttons look and encode like every other answer.
"""

from __future__ import annotations

import logging
import re

from telegram import Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.privacy.commands import stats_reply
from bot.replies import Reply

log = logging.getLogger(__name__)

# callback_data of our buttons as rendered by the channel ("p:" + payload when it fits)
PRIVACY_CALLBACK = re.compile(r"^(?:p:)?(privacy:(?:keep|forget:\d{1,12}))$")


async def _send(update: Update, context: ContextTypes.DEFAULT_TYPE, *replies: Reply) -> None:
    from bot.channels.telegram import send_replies

    chat = update.effective_chat
    if chat is not None:
        await send_replies(context.application, chat.id, list(replies))


def _database_url(context: ContextTypes.DEFAULT_TYPE) -> str:
    return str(context.application.bot_data["channel"].settings.database_url)


async def show_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    admins = context.application.bot_data["channel"].settings.admin_ids
    is_admin = user is not None and user.id in admins
    await _send(update, context, await stats_reply(is_admin, _database_url(context)))


async def confirm_or_keep(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """确认删除 / 取消 under the /forget question; the keyboard is removed either way."""
    query = update.callback_query
    chat = update.effective_chat
    if query is None or chat is None:
        return
    match = PRIVACY_CALLBACK.match(query.data or "")
    try:
        await query.answer()
        await query.edit_message_reply_markup(reply_markup=None)
    except BadRequest as exc:
        log.debug("could not tidy the confirmation message: %s", exc)
    except TelegramError:
        log.warning("could not answer the confirmation button", exc_info=True)
    if match is None:
        return
    from bot.channels.telegram import CHANNEL, sender_id

    assistant = context.application.bot_data["channel"].assistant
    turn = await assistant.handle_payload(sender_id(chat.id), match.group(1), CHANNEL)
    await _send(update, context, *turn.replies)


def register_privacy_handlers(application: Application) -> None:
    application.add_handler(CommandHandler("stats", show_stats))
    application.add_handler(CallbackQueryHandler(confirm_or_keep, pattern=PRIVACY_CALLBACK))
