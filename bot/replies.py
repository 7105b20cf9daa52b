"""Channel-neutral reply model: what the assistant says, before a channel renders it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass
class Reply:
    """One bot message: text (plain, never pre-escaped), optional buttons and attachments."""

    text: str = ""
    buttons: list[Button] = field(default_factory=list)
    image: bytes | None = None
    image_name: str = ""
    document: bytes | None = None
    document_name: str = ""
    custom: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The stable JSON shape of ``python -m bot ask --json``."""
        out: dict[str, Any] = {
            "text": self.text,
            "buttons": [{"title": b.title, "payload": b.payload} for b in self.buttons],
        }
        if self.image is not None:
            out["image"] = self.image_name or "image.png"
        if self.document is not None:
            out["document"] = self.document_name or "file"
        return out


@dataclass
class Turn:
    """The outcome of one user message: understood intent plus the replies."""

    text: str
    intent: str | None = None
    confidence: float = 0.0
    replies: list[Reply] = field(default_factory=list)
    limited_mode: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "intent": self.intent,
            "confidence": round(float(self.confidence), 4),
            "reply": [r.to_json() for r in self.replies],
        }
