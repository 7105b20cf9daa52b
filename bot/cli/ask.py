"""Ask one-shot questions (one JSON object per line with --json): the evaluation interface.

Without TEXT it reads one message per stdin line; each line is a fresh conversation, and with
``--json`` exactly one JSON object is printed per input line, whatever the line holds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import uuid

from bot.config import load_settings
from bot.pipeline import Assistant, build_assistant
from bot.replies import Reply, Turn


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object per message")
    parser.add_argument("text", nargs="*", help="the question; omit to read one per stdin line")


def _print_turn(turn: Turn, as_json: bool) -> None:
    if as_json:
        sys.stdout.write(json.dumps(turn.to_json(), ensure_ascii=False) + "\n")
    else:
        for reply in turn.replies:
            sys.stdout.write(reply.text + "\n")
            for i, b in enumerate(reply.buttons, 1):
                sys.stdout.write(f"  [{i}] {b.title}\n")
        sys.stdout.write("\n")
    sys.stdout.flush()


async def _answer(assistant: Assistant, raw: str | bytes) -> Turn:
    sender = f"ask:{uuid.uuid4().hex}"
    try:
        return await assistant.handle_text(sender, raw, "cli")
    except Exception as exc:  # noqa: BLE001 — one bad line must not end a 500-line run
        text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
        return Turn(text=text[:200], replies=[Reply(f"抱歉，处理这条消息时出了点问题（{type(exc).__name__}），请再试一次。")])


async def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    assistant = await build_assistant(settings)
    try:
        if args.text:
            _print_turn(await _answer(assistant, " ".join(args.text)), args.json)
            return 0
        for line in sys.stdin.buffer:
            _print_turn(await _answer(assistant, line.rstrip(b"\r\n")), args.json)
    finally:
        await assistant.aclose()
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
