"""Async HTTP client for the Rasa server's assistant channel."""

from __future__ import annotations

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
    def __init__(self, base_url: str, token: str = "", timeout_s: float = 2.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout_s, connect=1.0),
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        )

    async def send(self, sender_id: str, text: str, metadata: dict[str, Any] | None = None, timeout_s: float | None = None) -> RasaAnswer:
        body = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        try:
            resp = await self._http.post(
                "/webhooks/assistant/webhook", json=body, timeout=timeout_s or self.timeout_s
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
        try:
            resp = await self._http.get("/webhooks/assistant/", timeout=1.0)
            return resp.status_code == 200
        except httpx.HTTPError:
            return False

    async def aclose(self) -> None:
        await self._http.aclose()
