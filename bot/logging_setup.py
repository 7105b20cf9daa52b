"""Logging with personal numbers masked in every line, whoever logs them."""

from __future__ import annotations

import logging
from typing import Any

from bot.text import mask_personal_numbers


class MaskingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return mask_personal_numbers(super().format(record))


class MaskingFilter(logging.Filter):
    """Masks the message itself, so handlers we do not own (pytest's caplog) see it masked too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and not record.args:
            record.msg = mask_personal_numbers(record.msg)
        elif record.args:
            try:
                record.msg = mask_personal_numbers(record.getMessage())
                record.args = None
            except (TypeError, ValueError):
                pass
        return True


_ORIGINAL_FACTORY = logging.getLogRecordFactory()


def _masking_record_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _ORIGINAL_FACTORY(*args, **kwargs)
    MaskingFilter().filter(record)
    if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
        # exception messages (e.g. a database error quoting parameters) are masked too
        record.exc_text = mask_personal_numbers(logging.Formatter().formatException(record.exc_info))
    return record


def install_record_masking() -> None:
    """Mask every log record of this process when it is created — before any handler, ours or a
    library's (rasa_sdk, sanic, pytest), sees it. Idempotent; used by every entry point."""
    if logging.getLogRecordFactory() is not _masking_record_factory:
        logging.setLogRecordFactory(_masking_record_factory)


def install_masking(logger: logging.Logger | None = None) -> None:
    root = logger or logging.getLogger()
    for handler in root.handlers:
        handler.setFormatter(MaskingFormatter(handler.formatter._fmt if handler.formatter else None))  # noqa: SLF001
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())


def configure_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper(), logging.INFO),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "httpcore", "apscheduler", "jieba", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    install_masking()
    install_record_masking()
