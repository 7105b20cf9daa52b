"""``python -m bot reminders list|sweep`` — operating the reminder engine by hand.

``sweep`` is the same code path as the bot's per-minute job; with ``--now`` an operator can
replay a moment (after an outage, or to test). It sends through Telegram when
TELEGRAM_BOT_TOKEN is set (TELEGRAM_API_BASE_URL honoured), otherwise prints the messages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime, timedelta

from bot.config import TIMEZONE


def _moment(text: str) -> datetime:
    """ISO date or datetime; without an offset it is Shanghai time."""
    moment = datetime.fromisoformat(text)
    return (moment if moment.tzinfo else moment.replace(tzinfo=TIMEZONE)).astimezone(UTC)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="reminders_action", required=True)
    listing = sub.add_parser("list", help="show stored reminders")
    listing.add_argument("--due-before", type=_moment, default=None,
                         help="only active reminders due before this ISO time (Shanghai if no offset)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    sweep = sub.add_parser("sweep", help="send every reminder due at --now")
    sweep.add_argument("--now", type=_moment, default=None,
                       help="ISO time to sweep at (Shanghai if no offset; default: the real now)")
    sweep.add_argument("--dry-run", action="store_true",
                       help="show what is due and would be sent; change nothing")
    sweep.add_argument("--worker-id", default=None)
    sweep.add_argument("--batch", type=int, default=200)
    sweep.add_argument("--concurrency", type=int, default=8)
    sweep.add_argument("--lease-seconds", type=float, default=120.0)
    sweep.add_argument("--rate", type=float, default=30.0,
                       help="messages per second (Telegram: about 30); 0 = no limit, for a "
                            "local Bot API server or tests")


def _run_list(args: argparse.Namespace) -> int:
    from bot.reminders.engine import list_reminders

    rows = list_reminders(due_before=args.due_before)
    for reminder, sender_id in rows:
        record = {
            "id": reminder.id, "user": sender_id, "label": reminder.label,
            "expiry": reminder.expiry_date.isoformat(), "stage": reminder.stage,
            "state": reminder.state,
            "next_due_at": reminder.next_due_at.isoformat() if reminder.next_due_at else None,
            "attempts": reminder.attempts,
        }
        if args.json:
            print(json.dumps(record, ensure_ascii=False))
        else:
            print("{id:>7}  {user:<14} {label:<6} {expiry}  {state:<8} {stage:<12} {next_due_at}".format(
                **{k: (v if v is not None else "-") for k, v in record.items()}))
    if not args.json:
        print(f"{len(rows)} reminder(s)", file=sys.stderr)
    return 0


def _run_dry(now: datetime) -> int:
    from bot.reminders.engine import as_utc, list_reminders
    from bot.reminders.messages import compose_reminder
    from bot.reminders.schedule import Stage, resolve_due, shanghai_today, stage_day

    for reminder, sender_id in list_reminders(due_before=now):
        decision = resolve_due(reminder.expiry_date, Stage(reminder.stage), now)
        if decision.send is None:
            print(f"--- #{reminder.id} to {sender_id}: nothing to send (skip {decision.skipped})")
            continue
        late = stage_day(reminder.expiry_date, decision.send) if decision.late else None
        text, _ = compose_reminder(reminder.id, reminder.label, reminder.expiry_date,
                                   decision.send, shanghai_today(now), late)
        due = as_utc(reminder.next_due_at) if reminder.next_due_at else None
        print(f"--- #{reminder.id} to {sender_id} ({decision.send}, due {due}):\n{text}")
    return 0


async def _sweep(args: argparse.Namespace, now: datetime) -> int:
    from bot.config import load_settings
    from bot.reminders.engine import sweep_due
    from bot.reminders.sending import PrintingSender, Sender

    settings = load_settings()
    sender: Sender
    if settings.telegram_token:
        from bot.reminders.telegram_sender import TelegramSender, build_reminder_bot

        bot = build_reminder_bot(settings.telegram_token, settings.telegram_api_base_url,
                                 messages_per_second=args.rate,
                                 connections=max(1, args.concurrency))
        async with bot:
            sender = TelegramSender(bot)
            stats = await sweep_due(now, sender, args.worker_id, args.batch,
                                    lease=timedelta(seconds=args.lease_seconds),
                                    concurrency=args.concurrency, rate=args.rate or None)
    else:
        sender = PrintingSender()
        stats = await sweep_due(now, sender, args.worker_id, args.batch,
                                lease=timedelta(seconds=args.lease_seconds),
                                concurrency=args.concurrency, rate=args.rate or None)
    print(json.dumps(stats.as_dict()), file=sys.stderr)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.reminders_action == "list":
        return _run_list(args)
    now = args.now or datetime.now(UTC)
    if args.dry_run:
        return _run_dry(now)
    return asyncio.run(_sweep(args, now))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.reminders.cli")
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
