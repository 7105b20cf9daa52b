"""The one Telegram renderer: channel-neutral ``Reply`` objects → messages ready to send.

Pure functions, no network: text is HTML-escaped (``Reply.text`` is plain), long text is split
at paragraph boundaries to respect Telegram's 4,096-character limit, buttons become inline
keyboard rows whose ``callback_data`` the caller has already encoded (``bot.channels.callbacks``),
and images/documents become photo/document messages (with the text as caption when it fits).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from bot.replies import Button, Reply

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
BUTTON_TEXT_LIMIT = 64
SHORT_BUTTON_TITLE = 7  # titles up to this many characters sit two to a row
BUTTONS_ONLY_TEXT = "请选择："

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
_HEADING = re.compile(r"^【[^【】\n]{1,40}】$")

KeyboardRows = tuple[tuple[tuple[str, str], ...], ...]  # rows of (title, callback_data)


@dataclass(frozen=True)
class OutgoingMessage:
    """One Telegram message: ``html`` is the text (or caption) already in Telegram HTML."""

    kind: Literal["text", "photo", "document"]
    html: str = ""
    keyboard: KeyboardRows = ()
    data: bytes | None = field(default=None, repr=False)
    filename: str = ""


def telegram_length(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units: most emoji count twice)."""
    return len(text.encode("utf-16-le")) // 2


def escape_html(text: str) -> str:
    return html.escape(text, quote=False)


def to_html(text: str) -> str:
    """Escape plain text for ``parse_mode=HTML``; a line that is a whole 【heading】 turns bold."""
    lines = []
    for line in text.split("\n"):
        escaped = escape_html(line)
        lines.append(f"<b>{escaped}</b>" if _HEADING.match(line.strip()) else escaped)
    return "\n".join(lines)


def split_for_telegram(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split plain text into chunks of at most ``limit`` (Telegram-counted) characters.

    Prefers paragraph boundaries, then line breaks, then sentence ends; cuts mid-sentence
    only when a single sentence is longer than the limit.
    """
    text = text.strip()
    if not text:
        return []
    if telegram_length(text) <= limit:
        return [text]
    chunks: list[str] = []
    current = ""
    for paragraph in _PARAGRAPH_BREAK.split(text):
        paragraph = paragraph.strip("\n")
        if not paragraph.strip():
            continue
        for piece in _pieces_within(paragraph, limit):
            joined = f"{current}\n\n{piece}" if current else piece
            if telegram_length(joined) <= limit:
                current = joined
            else:
                chunks.append(current)
                current = piece
    if current:
        chunks.append(current)
    return chunks


def _pieces_within(paragraph: str, limit: int) -> list[str]:
    """A paragraph as pieces that each fit: whole, or grouped lines, sentences, hard cuts."""
    if telegram_length(paragraph) <= limit:
        return [paragraph]
    units: list[tuple[str, str]] = []  # (text, separator that joins it to the previous unit)
    for line in paragraph.split("\n"):
        if telegram_length(line) <= limit:
            units.append((line, "\n"))
            continue
        for i, sentence in enumerate(s for s in _SENTENCE_END.split(line) if s):
            separator = "\n" if i == 0 else ""
            for j, part in enumerate(_hard_cut(sentence, limit)):
                units.append((part, separator if j == 0 else ""))
    pieces: list[str] = []
    current = ""
    for unit, separator in units:
        joined = f"{current}{separator}{unit}" if current else unit
        if telegram_length(joined) <= limit:
            current = joined
        else:
            pieces.append(current)
            current = unit
    if current:
        pieces.append(current)
    return pieces


def _hard_cut(text: str, limit: int) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for char in text:
        width = telegram_length(char)
        if size + width > limit:
            parts.append("".join(current))
            current, size = [], 0
        current.append(char)
        size += width
    if current:
        parts.append("".join(current))
    return parts


def keyboard_rows(buttons: Iterable[Button], callback_data: Mapping[str, str]) -> KeyboardRows:
    """Inline keyboard rows: short titles two to a row, longer ones alone on their row."""
    entries = [
        (_button_title(button.title), callback_data[button.payload])
        for button in buttons
        if button.payload in callback_data
    ]
    if len(entries) > 1 and all(len(title) <= SHORT_BUTTON_TITLE for title, _ in entries):
        return tuple(tuple(entries[i : i + 2]) for i in range(0, len(entries), 2))
    return tuple((entry,) for entry in entries)


def _button_title(title: str) -> str:
    title = " ".join(title.split()) or "…"
    return title if len(title) <= BUTTON_TEXT_LIMIT else title[: BUTTON_TEXT_LIMIT - 1] + "…"


def payloads_of(replies: Iterable[Reply]) -> list[str]:
    """Every button payload in ``replies`` (what the caller must encode before rendering)."""
    return [button.payload for reply in replies for button in reply.buttons]


def render_reply(reply: Reply, callback_data: Mapping[str, str]) -> list[OutgoingMessage]:
    """One reply → the messages that show it; the keyboard goes on the last message."""
    keyboard = keyboard_rows(reply.buttons, callback_data)
    text = reply.text.strip()
    attachment: OutgoingMessage | None = None
    if reply.image is not None:
        attachment = OutgoingMessage(
            "photo", data=reply.image, filename=reply.image_name or "image.png"
        )
    elif reply.document is not None:
        attachment = OutgoingMessage(
            "document", data=reply.document, filename=reply.document_name or "file"
        )
    if attachment is not None and telegram_length(text) <= CAPTION_LIMIT:
        return [
            OutgoingMessage(
                attachment.kind, to_html(text), keyboard, attachment.data, attachment.filename
            )
        ]
    messages = [attachment] if attachment is not None else []
    chunks = split_for_telegram(text)
    if not chunks and keyboard:
        chunks = [BUTTONS_ONLY_TEXT]
    messages.extend(OutgoingMessage("text", to_html(chunk)) for chunk in chunks)
    if keyboard and messages:
        last = messages[-1]
        messages[-1] = OutgoingMessage(last.kind, last.html, keyboard, last.data, last.filename)
    return messages


def render_replies(
    replies: Iterable[Reply], callback_data: Mapping[str, str]
) -> list[OutgoingMessage]:
    return [message for reply in replies for message in render_reply(reply, callback_data)]
