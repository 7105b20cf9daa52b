"""Button payloads ⇄ callback_data: ≤ 64 bytes, shared through the database, forgeries refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.channels.callbacks import MAX_CALLBACK_BYTES, CallbackCodec, is_rasa_payload
from bot.storage.callbacks import CallbackPayload, payload_key, prune_payloads, remember_payloads
from bot.storage.db import session_scope
from bot.storage.migrate import upgrade_database

LONG_PAYLOAD = "/choose_materials" + json.dumps(
    {"applicant_type": "flexible_employment", "housing": "rented_with_filing", "renewal": True},
    ensure_ascii=False,
)


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'callbacks.db'}"
    upgrade_database(url)
    return url


async def test_short_payloads_travel_inline(database_url: str) -> None:
    codec = CallbackCodec(database_url)
    encoded = await codec.encode_many(["/faq_menu"])
    assert encoded == {"/faq_menu": "p:/faq_menu"}
    assert await codec.decode("p:/faq_menu") == "/faq_menu"


async def test_long_payloads_get_short_ids_that_another_worker_can_read(database_url: str) -> None:
    assert len(LONG_PAYLOAD.encode()) > MAX_CALLBACK_BYTES
    first_worker = CallbackCodec(database_url)
    data = (await first_worker.encode_many([LONG_PAYLOAD]))[LONG_PAYLOAD]
    assert data.startswith("k:") and len(data.encode()) <= MAX_CALLBACK_BYTES
    second_worker = CallbackCodec(database_url)  # e.g. after a restart: empty cache
    assert await second_worker.decode(data) == LONG_PAYLOAD
    # Rendering the same menu again reuses the key and adds no row.
    assert (await second_worker.encode_many([LONG_PAYLOAD]))[LONG_PAYLOAD] == data
    with session_scope(database_url) as session:
        assert session.query(CallbackPayload).count() == 1


@pytest.mark.parametrize(
    "forged",
    [
        None,
        "",
        "greet",
        "x:/greet",
        "p:greet",
        "p:/greet{not json}",
        "p:/greet[]",
        "k:short",
        "k:" + "A" * 16,  # well-formed but never issued
        "k:" + "!" * 16,
    ],
)
async def test_forged_or_unknown_callback_data_is_refused(
    database_url: str, forged: str | None
) -> None:
    assert await CallbackCodec(database_url).decode(forged) is None


async def test_pruned_keys_are_stale(database_url: str) -> None:
    codec = CallbackCodec(database_url)
    payloads = [f'/pick{{"n": {i}, "pad": "{"x" * 60}"}}' for i in range(5)]
    encoded = await codec.encode_many(payloads)
    with session_scope(database_url) as session:
        assert prune_payloads(session, keep=2) == 3
    codec.forget_cached()
    decoded = [await codec.decode(encoded[p]) for p in payloads]
    assert sum(d is not None for d in decoded) == 2


def test_remember_is_idempotent_and_keys_are_stable(database_url: str) -> None:
    with session_scope(database_url) as session:
        first = remember_payloads(session, [LONG_PAYLOAD, LONG_PAYLOAD])
    with session_scope(database_url) as session:
        second = remember_payloads(session, [LONG_PAYLOAD])
        assert session.query(CallbackPayload).count() == 1
    assert first == second == {LONG_PAYLOAD: payload_key(LONG_PAYLOAD)}


def test_rasa_payload_shape() -> None:
    assert is_rasa_payload("/greet")
    assert is_rasa_payload('/choose_faq{"faq_id": "renewal_window"}')
    assert not is_rasa_payload("/greet{1}")
    assert not is_rasa_payload("hello")
