"""Renewal reminders: date understanding, schedule rules, storage-backed dispatcher.

Nothing in this package knows about Telegram except ``telegram_sender`` and ``job``,
which adapt the channel-free engine to python-telegram-bot.
"""
