"""The Rasa HTTP API and the bot's webhook listen on 127.0.0.1 only and demand the token."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.integration


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a socket in LISTEN state on ``port`` (from /proc/net/tcp{,6})."""
    found: set[str] = set()
    for name in ("tcp", "tcp6"):
        path = Path("/proc/net") / name
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":
                found.add(address)
    return found


def test_rasa_listens_on_loopback_only(rasa_stack) -> None:  # type: ignore[no-untyped-def]
    addresses = listening_addresses(rasa_stack.settings.rasa_port)
    assert addresses, "Rasa is not listening?"
    assert addresses <= {"0100007F", "00000000000000000000000001000000"}, addresses  # 127.0.0.1 / ::1


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "wrong"}])
def test_webhook_and_http_api_refuse_a_missing_or_wrong_token(rasa_stack, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    base = rasa_stack.settings.rasa_url
    hook = httpx.post(f"{base}/webhooks/assistant/webhook", json={"sender": "tg:1", "message": "你好"}, headers=headers, timeout=30)
    assert hook.status_code == 401
    tracker = httpx.get(f"{base}/conversations/tg:1/tracker", headers=headers, params={} if headers else {}, timeout=30)
    assert tracker.status_code in {401, 403}
    wrong_query = httpx.get(f"{base}/conversations/tg:1/tracker", params={"token": "wrong"}, timeout=30)
    assert wrong_query.status_code in {401, 403}


def test_the_right_token_is_accepted(rasa_stack) -> None:  # type: ignore[no-untyped-def]
    base, token = rasa_stack.settings.rasa_url, rasa_stack.settings.rasa_token
    hook = httpx.post(
        f"{base}/webhooks/assistant/webhook", json={"sender": "tg:security", "message": "你好"},
        headers={"Authorization": f"Bearer {token}"}, timeout=60,
    )  # fmt: skip
    assert hook.status_code == 200 and hook.json()["messages"]
    assert httpx.get(f"{base}/conversations/tg:security/tracker", params={"token": token}, timeout=30).status_code == 200
