"""Rasa's per-conversation ticket lock in Redis, atomic and without blocking the event loop.

Rasa's own RedisLockStore reads, changes and writes a JSON lock with seven synchronous Redis
calls per message, inside the Rasa server's event loop: while it waits for Redis, no other
conversation on that server moves (~6 % of a Rasa server's main thread under load,
benchmarks/README.md, Telegram load), and two servers changing one conversation's lock at the same
moment can overwrite each other's tickets. This store keeps Rasa's behaviour — first come, first
served per conversation, a ticket expires after the lock lifetime, a message whose ticket expired
while it waited fails with LockError — with one Redis script to take a ticket and one to give it
back (a third only while someone else holds the lock), through redis.asyncio. Rasa loads it from
endpoints.yml (``lock_store: type: bot.brain.lock_store.AtomicRedisLockStore``) and only ever
calls ``lock()``.

Runs inside the Rasa server (.venv-rasa, Python 3.10).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

# How often a waiting message looks again (Rasa's store waits a whole second between looks).
POLL_SECONDS = 0.02

# Per conversation: "<prefix>:<id>:next" counts tickets, "<prefix>:<id>:tickets" maps each
# waiting ticket to its expiry (ms, Redis's clock so that servers' clocks need not agree).
_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""
# Drops expired tickets and finds the one now being served (``head``, 0: none).
_HEAD = """
local head = 0
local all = redis.call('HGETALL', KEYS[2])
for i = 1, #all, 2 do
  local ticket, expires = tonumber(all[i]), tonumber(all[i + 1])
  if expires <= now then
    redis.call('HDEL', KEYS[2], all[i])
  elseif head == 0 or ticket < head then
    head = ticket
  end
end
"""
ISSUE = (
    _NOW
    + """
local lifetime = tonumber(ARGV[1])
local ticket = redis.call('INCR', KEYS[1])
redis.call('HSET', KEYS[2], ticket, now + lifetime)
redis.call('PEXPIRE', KEYS[1], lifetime)
redis.call('PEXPIRE', KEYS[2], lifetime)
"""
    + _HEAD
    + "return {ticket, head, now + lifetime}"
)
# -1: the asking ticket has expired while it waited.
POLL = _NOW + _HEAD + "if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return -1 end return head"
RELEASE = """
redis.call('HDEL', KEYS[2], ARGV[1])
if redis.call('HLEN', KEYS[2]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return 0
"""


class AtomicRedisLockStore(LockStore):
    """Ticket locks in Redis (see the module docstring); created by Rasa from endpoints.yml."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        import redis.asyncio as redis

        options = endpoint_config.kwargs
        self.key_prefix = str(options.get("key_prefix") or "lock")
        self.redis = redis.Redis(
            host=endpoint_config.url or "127.0.0.1",
            port=int(options.get("port", 6379)),
            db=int(options.get("db", 0)),
            password=options.get("password"),
            socket_timeout=float(options.get("socket_timeout", 10)),
        )
        self._issue = self.redis.register_script(ISSUE)
        self._poll = self.redis.register_script(POLL)
        self._release = self.redis.register_script(RELEASE)
        super().__init__()

    def _keys(self, conversation_id: str) -> list[str]:
        base = f"{self.key_prefix}:{conversation_id}"
        return [f"{base}:next", f"{base}:tickets"]

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float = LOCK_LIFETIME,
        wait_time_in_seconds: float = 1,
    ) -> AsyncIterator[TicketLock]:
        """Hold the conversation's lock: wait for the tickets taken before ours, then run."""
        keys = self._keys(conversation_id)
        lifetime_ms = max(1, int(lock_lifetime * 1000))
        ticket, head, expires = (int(v) for v in await self._issue(keys=keys, args=[lifetime_ms]))
        try:
            while head != ticket:
                if head == -1:
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                await asyncio.sleep(min(POLL_SECONDS, wait_time_in_seconds))
                head = int(await self._poll(keys=keys, args=[ticket]))
            yield TicketLock(conversation_id, deque([Ticket(ticket, expires / 1000)]))
        finally:
            await self._release(keys=keys, args=[ticket])
