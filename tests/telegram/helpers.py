"""Small helpers shared by the end-to-end Telegram tests."""

from __future__ import annotations

import io
import itertools
import sqlite3
from typing import Any

from tests.fakes.telegram_api import FakeTelegramServer

_chat_ids = itertools.count(1000)


def new_chat_id() -> int:
    """A chat nobody used yet in this test session (so conversations never mix)."""
    return next(_chat_ids)


def last_text(fake: FakeTelegramServer, chat_id: int) -> str:
    messages = fake.messages_to(chat_id)
    return str(messages[-1]["result"].get("text") or messages[-1]["result"].get("caption") or "")


def wait_for_new_messages(
    fake: FakeTelegramServer, chat_id: int, already: int, timeout: float = 30.0, settle: float = 0.6
) -> list[dict[str, Any]]:
    """Wait until ``chat_id`` received messages beyond the first ``already`` and no more arrive
    for ``settle`` seconds (one turn may be several messages); returns the new ones."""
    import time

    fake.wait_for_messages(chat_id, already + 1, timeout)
    count = len(fake.messages_to(chat_id))
    while True:
        time.sleep(settle)
        now = len(fake.messages_to(chat_id))
        if now == count:
            return fake.messages_to(chat_id)[already:]
        count = now


def keyboard_of(message: dict[str, Any]) -> list[dict[str, Any]]:
    rows = (message["result"].get("reply_markup") or {}).get("inline_keyboard") or []
    return [button for row in rows for button in row]


def document_photo_jpeg(width: int = 1400, height: int = 900) -> bytes:
    """A sharp, evenly lit, card-like test picture (JPEG)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (205, 200, 190))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((150, 120, width - 150, height - 120), radius=30, fill=(240, 240, 235))
    for row in range(8):
        y = 200 + row * 70
        draw.rectangle((220, y, 220 + 120 + (row * 97) % 700, y + 30), fill=(40, 40, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def user_is_blocked(database_url: str, chat_id: int) -> bool | None:
    """The ``users.blocked`` flag of a Telegram chat (SQLite or PostgreSQL test databases)."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.split("///", 1)[1]) as connection:
            row = connection.execute(
                "SELECT blocked FROM users WHERE sender_id = ?", (f"tg:{chat_id}",)
            ).fetchone()
        return None if row is None else bool(row[0])
    from sqlalchemy import text

    from bot.storage.db import engine_for, normalise_url

    with engine_for(normalise_url(database_url)).connect() as connection:
        value = connection.execute(
            text("SELECT blocked FROM users WHERE sender_id = :s"), {"s": f"tg:{chat_id}"}
        ).scalar()
    return None if value is None else bool(value)


def oversized_portrait_jpeg(min_bytes: int) -> bytes:
    """A grainy portrait-sized JPEG bigger than ``min_bytes`` (noise defeats compression)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, size=(2000, 1500, 3), dtype=np.uint8)
    pixels[:, :, :] = (pixels * 0.25 + 180).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=98)
    data = buffer.getvalue()
    assert len(data) > min_bytes, len(data)
    return data
