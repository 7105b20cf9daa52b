"""Command line: ``python -m bot <command>``.

chat       local console chat (the default of ``make run`` without TELEGRAM_BOT_TOKEN)
ask        one-shot questions, ``--json`` for the evaluation contract
run        the Telegram bot
precheck   photo pre-check of image files
reminders  list / sweep renewal reminders
train      train the Rasa model when its inputs changed
validate   ``rasa data validate --fail-on-warning``
db         ``db upgrade`` applies migrations
review     export unsure questions as CSV for the next round of training data
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
from types import ModuleType

from bot.config import load_settings
from bot.logging_setup import configure_logging

# subcommand -> module exposing add_arguments(parser) and run(args) -> int
FEATURE_COMMANDS = {
    "ask": "bot.cli.ask",
    "precheck": "bot.precheck.cli",
    "reminders": "bot.reminders.cli",
    "review": "bot.cli.review",
    "checklist": "bot.materials.cli",
    "privacy": "bot.privacy.cli",
}


def _feature(module_name: str) -> ModuleType | None:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            return None
        raise


def cmd_chat(_: argparse.Namespace) -> int:
    from bot.channels.console import run_console

    return asyncio.run(run_console(load_settings()))


def cmd_run(_: argparse.Namespace) -> int:
    settings = load_settings()
    if not settings.telegram_token:
        print("没有设置 TELEGRAM_BOT_TOKEN，无法连接 Telegram。\n"
              "TELEGRAM_BOT_TOKEN is not set. Set it to run the Telegram bot, or try the local chat: "
              "python -m bot chat", file=sys.stderr)
        return 2
    from bot.channels.telegram import run_telegram

    return run_telegram(settings)


def cmd_train(args: argparse.Namespace) -> int:
    from bot.brain.training import train

    print(train(load_settings().models_dir, force=args.force))
    return 0


def cmd_validate(_: argparse.Namespace) -> int:
    from bot.brain.training import validate_data

    validate_data()
    return 0


def cmd_test_stories(_: argparse.Namespace) -> int:
    from bot.brain.training import test_stories

    settings = load_settings()
    test_stories(settings.models_dir, settings.data_dir / "results" / "core")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from bot.storage.migrate import upgrade_database

    if args.action == "upgrade":
        upgrade_database(load_settings().database_url)
        print("database is up to date")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="上海居住证助手")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("chat", help="local console chat").set_defaults(func=cmd_chat)
    sub.add_parser("run", help="run the Telegram bot").set_defaults(func=cmd_run)
    train = sub.add_parser("train", help="train the Rasa model if its inputs changed")
    train.add_argument("--force", action="store_true")
    train.set_defaults(func=cmd_train)
    sub.add_parser("validate", help="validate the Rasa training data").set_defaults(func=cmd_validate)
    sub.add_parser("test-stories", help="rasa test core on tests/rasa_stories").set_defaults(func=cmd_test_stories)
    db = sub.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])
    db.set_defaults(func=cmd_db)
    for name, module_name in FEATURE_COMMANDS.items():
        module = _feature(module_name)
        if module is None:
            continue
        feature_parser = sub.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0])
        module.add_arguments(feature_parser)
        feature_parser.set_defaults(func=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(load_settings().log_level)
    from bot.brain.launcher import LaunchError

    try:
        return int(args.func(args) or 0)
    except LaunchError as error:  # a set-up problem, not a bug: say what to do, no traceback
        print(f"无法启动：{error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
