"""Reminder delivery through python-telegram-bot.

``telegram.Bot`` with PTB's ``AIORateLimiter`` keeps us under Telegram's flood limits
(about 30 messages per second overall) and itself waits out ``RetryAfter`` answers. This module
adds what the limiter does not: a few retries with back-off for network errors, and the mapping
of PTB's exceptions onto the engine's typed send errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, ExtBot
from telegram.request import HTTPXRequest

from bot.reminders.sending import (
    PermanentSendError,
    RateLimited,
    RecipientBlocked,
    TransientSendError,
)
from bot.replies import Button

TELEGRAM_MESSAGES_PER_SECOND = 30.0
INLINE_PREFIX = "p:"  # must match bot.channels.callbacks: inline payloads travel as "p:<payload>"


def callback_data(payload: str) -> str:
    try:
        from bot.channels.callbacks import INLINE_PREFIX as prefix
    except ImportError:  # the Telegram channel is optional for the engine
        prefix = INLINE_PREFIX
    return prefix + payload


def reminder_keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.title, callback_data=callback_data(b.payload)) for b in buttons]]
    )


def build_reminder_bot(
    token: str,
    base_url: str = "",
    messages_per_second: float = TELEGRAM_MESSAGES_PER_SECOND,
    rate_limit_retries: int = 3,
    connections: int = 16,
) -> ExtBot[Any]:
    """A ``telegram.ext.ExtBot`` (a ``Bot`` that accepts a rate limiter) for reminders;
    ``base_url`` points at a self-hosted or fake Bot API (``TELEGRAM_API_BASE_URL``)."""
    return ExtBot(
        token,
        # As many connections as messages in flight: httpcore's pool scans every connection for
        # every queued request, so a much larger pool costs CPU for nothing.
        request=HTTPXRequest(connection_pool_size=connections, pool_timeout=30.0),
        # One message per 1/rate seconds rather than `rate` per second: aiolimiter's bucket
        # starts full, so "30 per 1 s" lets ~60 through in the first second of a sweep.
        rate_limiter=AIORateLimiter(
            overall_max_rate=1, overall_time_period=1 / messages_per_second,
            max_retries=rate_limit_retries,
        ) if messages_per_second > 0 else None,
        base_url=base_url or "https://api.telegram.org/bot",
    )


TELEGRAM_SENDER_PREFIX = "tg:"


def telegram_chat_id(sender_id: str) -> int:
    """The chat id inside a Telegram sender id (``tg:12345``; bare digits are accepted too).

    Console users (``console:1``) cannot be reached from Telegram: their reminders fail.
    """
    raw = sender_id.removeprefix(TELEGRAM_SENDER_PREFIX)
    try:
        return int(raw)
    except ValueError as exc:
        raise PermanentSendError(f"not a Telegram chat: {sender_id!r}") from exc


class TelegramSender:
    """Implements :class:`bot.reminders.sending.Sender` on top of a ``telegram.Bot``."""

    def __init__(self, bot: Bot, network_retries: int = 3, backoff_s: float = 0.5) -> None:
        self.bot = bot
        self.network_retries = network_retries
        self.backoff_s = backoff_s

    async def send(self, chat_id: str, text: str, buttons: Sequence[Button]) -> str | None:
        chat = telegram_chat_id(chat_id)
        markup = reminder_keyboard(buttons)
        for attempt in range(self.network_retries + 1):
            try:
                message = await self.bot.send_message(chat_id=chat, text=text, reply_markup=markup)
                return str(message.message_id)
            except Forbidden as exc:
                raise RecipientBlocked(str(exc)) from exc
            except RetryAfter as exc:  # the limiter already waited max_retries times
                retry_after = exc.retry_after
                seconds = retry_after.total_seconds() if hasattr(retry_after, "total_seconds") else float(retry_after)
                raise RateLimited(seconds) from exc
            except BadRequest as exc:
                raise PermanentSendError(str(exc)) from exc
            except NetworkError as exc:  # includes TimedOut
                if attempt == self.network_retries:
                    raise TransientSendError(str(exc)) from exc
                await asyncio.sleep(self.backoff_s * 2**attempt)
            except TelegramError as exc:
                raise PermanentSendError(str(exc)) from exc
        raise AssertionError("unreachable")
