"""``python -m bot privacy``: operator access to the privacy functions.

    python -m bot privacy show tg:12345        # what /mydata would show that user
    python -m bot privacy forget tg:12345 --yes
    python -m bot privacy stats
"""

from __future__ import annotations

import argparse

from bot.config import load_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="privacy_action", required=True)
    show = sub.add_parser("show", help="everything stored about one sender id")
    show.add_argument("sender_id")
    forget = sub.add_parser("forget", help="delete everything stored about one sender id")
    forget.add_argument("sender_id")
    forget.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    sub.add_parser("stats", help="usage numbers (the /stats text)")


def run(args: argparse.Namespace) -> int:
    from bot.privacy import describe_user_data, forget_user, user_row_counts
    from bot.privacy.stats import stats_text

    url = load_settings().database_url
    if args.privacy_action == "show":
        print(describe_user_data(args.sender_id, url))
        return 0
    if args.privacy_action == "stats":
        print(stats_text(url))
        return 0
    counts = user_row_counts(args.sender_id, url)
    if not counts:
        print(f"nothing stored for {args.sender_id}")
        return 0
    print(f"{args.sender_id}: " + ", ".join(f"{table} {n}" for table, n in sorted(counts.items())))
    if not args.yes and input("delete all of it? [y/N] ").strip().lower() not in {"y", "yes"}:
        print("nothing deleted")
        return 1
    deleted = forget_user(args.sender_id, url)
    print("deleted: " + ", ".join(f"{table} {n}" for table, n in sorted(deleted.items())))
    return 0
