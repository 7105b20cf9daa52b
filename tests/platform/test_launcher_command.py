"""The Rasa command line survives any token: secrets.token_urlsafe may start with "-"."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.brain.launcher import rasa_server_command


def test_a_token_that_starts_with_a_dash_is_still_the_tokens_value() -> None:
    parser = argparse.ArgumentParser()  # the shape of `rasa run`'s own argparse options
    parser.add_argument("command", nargs=2)
    parser.add_argument("--enable-api", action="store_true")
    parser.add_argument("-t", "--auth-token")
    for option in ("--interface", "--port", "--model", "--endpoints", "--credentials", "--log-file"):
        parser.add_argument(option)
    parser.add_argument("--quiet", action="store_true")
    command = rasa_server_command("-Xy_secret", 5905, Path("m.tar.gz"), Path("e.yml"), Path("r.log"))
    args = parser.parse_args(command)
    assert args.auth_token == "-Xy_secret"
    assert args.port == "5905"
