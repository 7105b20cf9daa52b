"""The Redis lock store (bot/brain/lock_store.py) that several Rasa servers share: one message per
conversation at a time, in the order Redis issued the tickets, across servers, with expiry —
against the real Redis, inside the Rasa venv, loaded the way Rasa loads it from endpoints.yml."""

from __future__ import annotations

import json
import secrets
import subprocess

import pytest

from bot.brain.endpoints import LOCK_STORE_CLASS, render_endpoints
from bot.config import load_settings
from tests.platform.test_rasa_tuning import RASA_PYTHON, run_probe

REDIS_URL = "redis://127.0.0.1:6379/5"


def redis_available() -> bool:
    try:
        return subprocess.run(["redis-cli", "-u", REDIS_URL, "ping"], capture_output=True, timeout=5, check=False).stdout.strip() == b"PONG"
    except (OSError, subprocess.TimeoutExpired):
        return False


pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not RASA_PYTHON.exists(), reason="needs .venv-rasa (make setup)"),
    pytest.mark.skipif(not redis_available(), reason="needs Redis on 127.0.0.1:6379"),
]

# Runs inside .venv-rasa. Two stores (two Rasa servers) on one Redis; each scenario reports what
# it saw. Conversation ids are unique per run so that leftovers of other runs cannot interfere.
PROBE = r"""
import asyncio, json, sys, time
import redis as sync_redis
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

endpoint, run = json.loads(sys.argv[1]), sys.argv[2]
report = {}

def make_store():
    return LockStore.create(EndpointConfig.from_dict(dict(endpoint)))

async def main():
    one, two = make_store(), make_store()
    report["class"] = type(one).__module__ + "." + type(one).__name__

    # 30 messages of one conversation, alternately through the two servers, all at once.
    # Redis numbers the tickets in the order the requests reach it (the script is atomic).
    inside, overlaps, entered = [0], [0], []
    async def message(store, n):
        async with store.lock(run + "-busy") as lock:
            inside[0] += 1
            overlaps[0] = max(overlaps[0], inside[0])
            entered.append(lock.tickets[0].number)
            await asyncio.sleep(0.003)
            inside[0] -= 1
    await asyncio.gather(*(message(one if n % 2 else two, n) for n in range(30)))
    report["most_inside_at_once"] = overlaps[0]
    report["tickets_in_service_order"] = entered

    # A lock held on one conversation does not hold up another.
    async with one.lock(run + "-a"):
        started = time.perf_counter()
        async with two.lock(run + "-b"):
            report["other_conversation_wait_s"] = time.perf_counter() - started

    # A server that died holding the lock: its ticket expires and the next message goes on.
    dead = one.lock(run + "-dead", lock_lifetime=0.3)
    await dead.__aenter__()  # never released
    started = time.perf_counter()
    async with two.lock(run + "-dead"):
        report["after_dead_holder_s"] = time.perf_counter() - started

    # A message whose own ticket runs out while it waits fails as in Rasa (LockError).
    async def hold():
        async with one.lock(run + "-slow", lock_lifetime=5):
            await asyncio.sleep(0.6)
    holder = asyncio.create_task(hold())
    await asyncio.sleep(0.05)
    try:
        async with two.lock(run + "-slow", lock_lifetime=0.2):
            report["expired_waiter"] = "ran"
    except LockError:
        report["expired_waiter"] = "LockError"
    await holder

    # Nothing is left behind once every message is done.
    client = sync_redis.Redis(host=endpoint["url"], port=endpoint["port"], db=endpoint["db"])
    report["leftover_keys"] = sorted(k.decode() for k in client.keys(endpoint["key_prefix"] + ":" + run + "-*"))

asyncio.run(main())
print(json.dumps(report))
"""


def test_rasa_servers_sharing_redis_serve_one_message_per_conversation_in_ticket_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", REDIS_URL)
    endpoint = render_endpoints(load_settings())["lock_store"]
    assert endpoint["type"] == LOCK_STORE_CLASS and endpoint["db"] == 5

    report = run_probe(PROBE, json.dumps(endpoint), "t" + secrets.token_hex(4), timeout=120)

    assert report["class"] == LOCK_STORE_CLASS  # Rasa builds our store from endpoints.yml
    assert report["most_inside_at_once"] == 1
    assert report["tickets_in_service_order"] == list(range(1, 31))  # all served, first come first
    assert report["other_conversation_wait_s"] < 1.0  # not held up until the lock expires (60 s)
    assert 0.2 <= report["after_dead_holder_s"] < 5.0  # the dead ticket expired after 0.3 s
    assert report["expired_waiter"] == "LockError"
    assert report["leftover_keys"] == []
