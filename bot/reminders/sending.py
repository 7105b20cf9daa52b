"""The channel seam of the reminder engine: a ``Sender`` and the errors it may raise.

The engine only knows these types; ``telegram_sender`` maps python-telegram-bot's exceptions
onto them, tests and the CLI's dry run use other senders.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.replies import Button


class SendError(Exception):
    """Base of every failure a sender reports."""


class RecipientBlocked(SendError):
    """The user blocked the bot (Telegram 403): stop all of their reminders."""


class RateLimited(SendError):
    """Telegram asked us to wait even after the rate limiter's own retries."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(f"retry after {retry_after_s}s")
        self.retry_after_s = retry_after_s


class TransientSendError(SendError):
    """Network trouble that outlasted the sender's own retries; try again later."""


class PermanentSendError(SendError):
    """A request Telegram will never accept (chat not found, bad chat id …)."""


class Sender(Protocol):
    async def send(self, chat_id: str, text: str, buttons: Sequence[Button]) -> str | None:
        """Deliver one message; return the channel's message id if it has one."""
        ...


class PrintingSender:
    """Writes messages to stdout — the CLI's sender when no Telegram token is configured."""

    def __init__(self) -> None:
        self.count = 0

    async def send(self, chat_id: str, text: str, buttons: Sequence[Button]) -> str | None:
        self.count += 1
        labels = " ".join(f"[{b.title}]" for b in buttons)
        print(f"--- to {chat_id}\n{text}\n{labels}".rstrip(), flush=True)
        return None
