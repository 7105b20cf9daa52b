"""Channel-neutral /forget confirmation and /stats gating."""

from __future__ import annotations

import pytest

from bot.privacy import user_row_counts
from bot.privacy.commands import (
    FORGET_CANCELLED,
    FORGET_DONE,
    FORGET_EXPIRED,
    NOT_ALLOWED,
    answer_privacy_payload,
    forget_confirmation,
    stats_reply,
)
from tests.privacy.helpers import populate


@pytest.fixture
def url(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    return sqlite_url


async def test_confirming_deletes_cancelling_keeps(url: str) -> None:
    populate(url, "tg:1")
    confirm, cancel = forget_confirmation().buttons
    assert all(len(("p:" + b.payload).encode()) <= 64 for b in (confirm, cancel))
    assert (await answer_privacy_payload("tg:1", cancel.payload, url)).text == FORGET_CANCELLED
    assert user_row_counts("tg:1", url)
    assert (await answer_privacy_payload("tg:1", confirm.payload, url)).text == FORGET_DONE
    assert user_row_counts("tg:1", url) == {}


@pytest.mark.parametrize("payload", ["privacy:forget:0", "privacy:forget:abc", "privacy:forget:99999999999", "privacy:forget:"])
async def test_old_forged_or_future_confirmations_delete_nothing(url: str, payload: str) -> None:
    populate(url, "tg:1")
    assert (await answer_privacy_payload("tg:1", payload, url)).text == FORGET_EXPIRED
    assert user_row_counts("tg:1", url)


async def test_stats_only_for_admins(url: str) -> None:
    populate(url, "tg:1")
    assert (await stats_reply(False, url)).text == NOT_ALLOWED
    text = (await stats_reply(True, url)).text
    assert "用户：1" in text and "续签提醒" in text


def test_operator_cli_shows_and_forgets(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from bot.privacy import cli

    populate(url, "tg:9")
    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    assert cli.run(parser.parse_args(["show", "tg:9"])) == 0
    assert "续签提醒" in capsys.readouterr().out
    assert cli.run(parser.parse_args(["forget", "tg:9", "--yes"])) == 0
    assert "deleted: " in capsys.readouterr().out
    assert user_row_counts("tg:9", url) == {}
