"""What a well-formed answer is, whatever the input was."""

from __future__ import annotations

import logging
import re

from bot.channels.callbacks import fits_inline, is_rasa_payload
from bot.replies import Turn
from bot.text import contains_personal_number

CJK = re.compile(r"[\u4e00-\u9fff]")
SURROGATE = re.compile(r"[\ud800-\udfff]")


def problems_with(turn: object) -> list[str]:
    """Empty list when the turn is something every channel can send."""
    if not isinstance(turn, Turn):
        return [f"not a Turn: {type(turn).__name__}"]
    if turn.intent == "flood" and not turn.replies:
        return []  # flood control drops quietly after its notice
    if not turn.replies:
        return ["no replies"]
    problems: list[str] = []
    for reply in turn.replies:
        text = reply.text
        if not isinstance(text, str):
            problems.append("text is not a str")
            continue
        if reply.image is None and reply.document is None and not text.strip():
            problems.append("empty text")
        if text and not CJK.search(text):
            problems.append(f"no Chinese in {text[:40]!r}")
        if SURROGATE.search(text):
            problems.append("lone surrogate in reply text")
        if contains_personal_number(text):
            problems.append("reply echoes an unmasked ID/phone number")
        for button in reply.buttons:
            if not button.title.strip():
                problems.append("button without title")
            if not is_rasa_payload(button.payload):
                problems.append(f"button payload not a Rasa payload: {button.payload[:60]!r}")
            # the channel sends it inline ("p:" + payload ≤ 64 bytes) or as "k:" + 16-char key
            mapped = ("p:" + button.payload) if fits_inline(button.payload) else "k:" + "x" * 16
            if len(mapped.encode("utf-8")) > 64:
                problems.append("callback_data over 64 bytes")
    return problems


class ErrorRecords(logging.Handler):
    """Collects ERROR+ records (a logged exception is an unhandled one for the fuzz run)."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def summary(self, limit: int = 5) -> str:
        return "\n".join(f"{r.name}: {r.getMessage()[:200]}" for r in self.records[:limit])
