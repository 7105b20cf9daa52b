"""Button payload ⇄ Telegram ``callback_data`` (at most 64 bytes).

Short payloads travel inline (``p:/intent{...}``); longer ones are stored in the database and
travel as ``k:<16-char key>`` (see ``bot.storage.callbacks``). Decoding returns ``None`` for
anything we did not issue — malformed data, unknown or pruned keys — so the channel can answer
"this button has expired" instead of guessing.

An inline payload is checked to be a well-formed Rasa payload: forging one gives a user no more
than typing the same ``/intent{...}`` text, which Rasa accepts from any channel anyway.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Iterable

from bot.storage.callbacks import (
    KEY_CHARS,
    MAX_STORED_PAYLOADS,
    lookup_payload,
    prune_payloads,
    remember_payloads,
)
from bot.storage.db import session_scope, with_db_retry

log = logging.getLogger(__name__)

MAX_CALLBACK_BYTES = 64
INLINE_PREFIX = "p:"
STORED_PREFIX = "k:"
_PAYLOAD = re.compile(r"/[A-Za-z_][A-Za-z0-9_.\-]*(\{.*\})?", re.DOTALL)
_KEY = re.compile(rf"[A-Za-z0-9_-]{{{KEY_CHARS}}}")
CACHE_SIZE = 4096
PRUNE_EVERY_NEW_KEYS = 500
RETOUCH_AFTER_S = 3600.0  # refresh last_used_at of cached payloads so pruning spares them


def is_rasa_payload(payload: str) -> bool:
    """``/intent`` or ``/intent{json object}`` — the only payload shape our buttons carry."""
    match = _PAYLOAD.fullmatch(payload)
    if not match:
        return False
    if match.group(1):
        try:
            return isinstance(json.loads(match.group(1)), dict)
        except ValueError:
            return False
    return True


def fits_inline(payload: str) -> bool:
    return len((INLINE_PREFIX + payload).encode("utf-8")) <= MAX_CALLBACK_BYTES


class CallbackCodec:
    """Encodes payloads into ``callback_data`` and back; one per process, shared by all chats.

    A small LRU cache keeps popular menus off the database; the database is the source of truth,
    so keys issued by another worker (or before a restart) decode too.
    """

    def __init__(self, database_url: str, max_stored: int = MAX_STORED_PAYLOADS) -> None:
        self._url = database_url
        self._max_stored = max_stored
        self._cache: OrderedDict[str, str] = OrderedDict()  # payload -> key
        self._by_key: dict[str, str] = {}
        self._touched: dict[str, float] = {}
        self._new_keys = 0

    async def encode_many(self, payloads: Iterable[str]) -> dict[str, str]:
        """payload → callback_data for every payload (stores the long ones)."""
        result: dict[str, str] = {}
        to_store: list[str] = []
        for payload in dict.fromkeys(payloads):
            if fits_inline(payload):
                result[payload] = INLINE_PREFIX + payload
            elif (
                payload in self._cache
                and time.monotonic() - self._touched.get(payload, 0.0) < RETOUCH_AFTER_S
            ):
                self._cache.move_to_end(payload)
                result[payload] = STORED_PREFIX + self._cache[payload]
            else:
                to_store.append(payload)
        if to_store:
            keys = await asyncio.to_thread(self._store, to_store)
            now = time.monotonic()
            for payload, key in keys.items():
                self._remember(payload, key)
                self._touched[payload] = now
                result[payload] = STORED_PREFIX + key
        return result

    async def decode(self, data: str | None) -> str | None:
        """The payload behind ``callback_data``, or ``None`` when it is forged or expired."""
        if not data:
            return None
        if data.startswith(INLINE_PREFIX):
            inline = data[len(INLINE_PREFIX) :]
            return inline if is_rasa_payload(inline) else None
        if data.startswith(STORED_PREFIX):
            key = data[len(STORED_PREFIX) :]
            if not _KEY.fullmatch(key):
                return None
            if key in self._by_key:
                return self._by_key[key]
            stored = await asyncio.to_thread(self._lookup, key)
            if stored is not None:
                self._remember(stored, key)
            return stored
        return None

    def _remember(self, payload: str, key: str) -> None:
        self._cache[payload] = key
        self._by_key[key] = payload
        self._cache.move_to_end(payload)
        while len(self._cache) > CACHE_SIZE:
            old_payload, old_key = self._cache.popitem(last=False)
            self._by_key.pop(old_key, None)
            self._touched.pop(old_payload, None)

    def _store(self, payloads: list[str]) -> dict[str, str]:
        def work() -> dict[str, str]:
            with session_scope(self._url) as session:
                keys = remember_payloads(session, payloads)
                self._new_keys += len(keys)
                if self._new_keys >= PRUNE_EVERY_NEW_KEYS:
                    self._new_keys = 0
                    pruned = prune_payloads(session, self._max_stored)
                    if pruned:
                        log.info("pruned %d old button payloads", pruned)
                return keys

        return with_db_retry(work)

    def _lookup(self, key: str) -> str | None:
        def work() -> str | None:
            with session_scope(self._url) as session:
                return lookup_payload(session, key)

        return with_db_retry(work)

    def forget_cached(self) -> None:
        """Drop the in-process cache (tests use this to prove the database alone suffices)."""
        self._cache.clear()
        self._by_key.clear()
        self._touched.clear()
