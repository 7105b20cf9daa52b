"""The hook ``bot.channels.telegram`` looks for (FEATURE_HOOKS); the handlers live in
``bot.channels.telegram_privacy``."""

from bot.channels.telegram_privacy import register_privacy_handlers

__all__ = ["register_privacy_handlers"]
