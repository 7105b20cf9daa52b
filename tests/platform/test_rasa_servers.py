"""Several Rasa servers: ports follow RASA_URL; a conversation stays on its home server unless the
servers share a lock store, and then a busy server's messages spill over to an idle one."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace

import httpx

from bot.brain.rasa_client import RasaClient
from bot.config import load_settings


def test_rasa_servers_take_the_ports_after_rasa_url(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:6100")
    monkeypatch.setenv("RASA_SERVERS", "3")
    settings = load_settings()
    assert settings.rasa_urls == ["http://127.0.0.1:6100", "http://127.0.0.1:6101", "http://127.0.0.1:6102"]
    assert replace(settings, rasa_servers=1).rasa_urls == ["http://127.0.0.1:6100"]


def test_a_conversation_always_goes_to_the_same_server_and_load_is_spread() -> None:
    client = RasaClient(["http://a", "http://b"], "t", 1.0)
    senders = [f"telegram:{n}" for n in range(1000)]
    first = [client.server_for(s) for s in senders]
    assert first == [client.server_for(s) for s in senders]  # stable
    again = RasaClient(["http://a", "http://b"], "t", 1.0)  # another worker process agrees
    assert first == [again.server_for(s) for s in senders]
    counts = Counter(first)
    assert set(counts) == {"http://a", "http://b"} and min(counts.values()) > 400


def test_one_server_is_the_default() -> None:
    client = RasaClient("http://127.0.0.1:5905/", "t", 1.0)
    assert client.base_urls == ["http://127.0.0.1:5905"]
    assert client.server_for("anyone") == "http://127.0.0.1:5905"


def _answering_client(shared_locks: bool, release: asyncio.Event, seen: list[str]) -> RasaClient:
    """A client whose server http://a holds each request until `release` is set."""

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.host)
        if request.url.host == "a":
            await release.wait()
        return httpx.Response(200, json={"messages": [{"text": "好的"}], "parse": {}})

    client = RasaClient(["http://a", "http://b"], "t", 5.0, shared_locks=shared_locks)
    client._http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return client


def _senders_at_home(client: RasaClient, home: str, count: int) -> list[str]:
    senders = (f"telegram:{n}" for n in range(10_000))
    return [s for s in senders if client.home_server(s) == home][:count]


async def _two_messages_while_a_is_busy(shared_locks: bool) -> list[str]:
    release, seen = asyncio.Event(), []
    client = _answering_client(shared_locks, release, seen)
    first, second = _senders_at_home(client, "http://a", 2)
    busy = asyncio.create_task(client.send(first, "你好"))
    while not seen:
        await asyncio.sleep(0)
    answer = await asyncio.wait_for(client.send(second, "续签要什么材料"), 0.5) if shared_locks else None
    if not shared_locks:
        pending = asyncio.create_task(client.send(second, "续签要什么材料"))
        await asyncio.sleep(0.05)
        assert not pending.done()  # queued behind the busy home server
    release.set()
    await busy
    if answer is None:
        answer = await pending
    assert answer.messages == [{"text": "好的"}]
    await client.aclose()
    return seen


def test_with_shared_locks_a_message_spills_over_to_the_idle_server() -> None:
    assert asyncio.run(_two_messages_while_a_is_busy(shared_locks=True)) == ["a", "b"]


def test_without_shared_locks_a_conversation_never_leaves_its_home_server() -> None:
    assert asyncio.run(_two_messages_while_a_is_busy(shared_locks=False)) == ["a", "a"]


def test_with_shared_locks_and_idle_servers_each_conversation_stays_home() -> None:
    client = RasaClient(["http://a", "http://b"], "t", 1.0, shared_locks=True)
    senders = [f"telegram:{n}" for n in range(200)]
    assert [client.server_for(s) for s in senders] == [client.home_server(s) for s in senders]
