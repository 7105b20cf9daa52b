"""Async HTTP client for the Rasa server's assistant channel.

With several Rasa servers (``RASA_SERVERS``) one Rasa process handles one message at a time (its
Python work is single-threaded), so two servers use two cores. Each conversation has a home
server, chosen by a stable hash of its sender id. Without a shared lock store that is the only
server it talks to: the home server's own conversation lock keeps its turns in order. With one
(``REDIS_URL``: all servers take the same conversation locks and share the tracker store), a
message goes to the server with the fewest requests in flight from this process, the home
server on a tie, so a burst on one server spills over to an idle one instead of queueing.
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
    def __init__(
        self, base_url: str | Sequence[str], token: str = "", timeout_s: float = 2.0, shared_locks: bool = False
    ) -> None:
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        self.base_urls = [url.rstrip("/") for url in urls]
        self.base_url = self.base_urls[0]
        self.timeout_s = timeout_s
        self.shared_locks = shared_locks
        self._in_flight = dict.fromkeys(self.base_urls, 0)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=1.0),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )

    def home_server(self, sender_id: str) -> str:
        """The conversation's own Rasa server (stable across restarts and workers)."""
        return self.base_urls[zlib.crc32(sender_id.encode("utf-8")) % len(self.base_urls)]

    def server_for(self, sender_id: str) -> str:
        """Where this conversation's next message goes: its home, or the least busy with shared locks."""
        home = self.home_server(sender_id)
        if not self.shared_locks or len(self.base_urls) == 1:
            return home
        return min(self.base_urls, key=lambda url: (self._in_flight[url], url != home))

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any] | None = None, timeout_s: float | None = None) -> RasaAnswer:
        body = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        server = self.server_for(sender_id)
        self._in_flight[server] += 1
        try:
            resp = await self._http.post(f"{server}/webhooks/assistant/webhook", json=body, timeout=timeout_s or self.timeout_s)
        except httpx.HTTPError as exc:
            raise RasaUnavailable(f"{type(exc).__name__}: {exc}") from exc
        finally:
            self._in_flight[server] -= 1
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
