"""Async HTTP client for the Rasa server's assistant channel.

With several Rasa servers (``RASA_SERVERS``) each conversation always goes to the same one,
chosen by a stable hash of its sender id: one Rasa process handles one message at a time (its
Python work is single-threaded), so two servers use two cores, and sender affinity keeps one
conversation's turns in order even without a shared lock store.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx


class RasaUnavailable(RuntimeError):
    """Rasa did not answer in time or answered with an error."""


@dataclass
class RasaAnswer:
    messages: list[dict[str, Any]]
    intent: str | None = None
    confidence: float = 0.0
    selected_faq: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


class RasaClient:
    def __init__(self, base_url: str | Sequence[str], token: str = "", timeout_s: float = 2.0) -> None:
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        self.base_urls = [url.rstrip("/") for url in urls]
        self.base_url = self.base_urls[0]
        self.timeout_s = timeout_s
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=1.0),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )

    def server_for(self, sender_id: str) -> str:
        """The Rasa server that owns this conversation (stable across restarts and workers)."""
        return self.base_urls[zlib.crc32(sender_id.encode("utf-8")) % len(self.base_urls)]

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any] | None = None, timeout_s: float | None = None) -> RasaAnswer:
        body = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        try:
            resp = await self._http.post(
                f"{self.server_for(sender_id)}/webhooks/assistant/webhook", json=body, timeout=timeout_s or self.timeout_s
            )
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        if resp.status_code != 200:
            raise RasaUnavailable(f"Rasa answered HTTP {resp.status_code}")
        data = resp.json()
        parse = data.get("parse") or {}
        intent = parse.get("intent") or {}
        selector = parse.get("response_selector") or {}
        name = intent.get("name")
        confidence = float(intent.get("confidence") or 0.0)
        if name == "faq" and selector.get("intent_response_key"):
            # for FAQ answers the response selector's confidence is the one that matters
            name = str(selector["intent_response_key"])
            confidence = float(selector.get("confidence") or confidence)
        return RasaAnswer(
            messages=list(data.get("messages") or []),
            intent=name,
            confidence=confidence,
            selected_faq=selector.get("intent_response_key"),
        )

    async def is_ready(self) -> bool:
        """True when every server answers its health check."""
        try:
            for url in self.base_urls:
                resp = await self._http.get(f"{url}/webhooks/assistant/", timeout=1.0)
                if resp.status_code != 200:
                    return False
            return True
        except httpx.HTTPError:
            return False

    async def aclose(self) -> None:
        await self._http.aclose()
