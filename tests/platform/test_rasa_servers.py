"""Several Rasa servers: each conversation sticks to one of them; ports follow RASA_URL."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

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
