"""Load benchmark of the Telegram channel: many users chatting at once through the fake Bot API.

The real bot process (``python -m bot run``) talks to the fake Telegram server of the tests over
HTTP; this script plays ``--users`` people who each ask a question, wait for the answer, think
for a while and ask again. The think time is chosen so that all users together offer
``--rate`` messages per second; ``--rate 0`` removes it (everyone asks again at once: the
saturation throughput).

Measured, all on the fake server's clock:
* replies/s — answer messages received by the server per second of the measuring window;
* latency — from the moment the update was handed to the bot (getUpdates answer or webhook
  POST) to the moment the first message of the answer arrived (p50 / p95 / p99 / max);
* lost / duplicated — per user, after the run has drained: answer messages missing from, or in
  excess of, what that user's questions produce (each question's message count is measured in
  a warm-up conversation);
* late — questions whose answer took longer than ``--timeout`` (the user asked again anyway);
* machine_cpu_cores — how many cores the whole machine kept busy while the users asked.

Assistant back-ends:
* ``--assistant rasa``: the full stack — the Rasa + action servers at RASA_URL / ACTION_URL
  (RASA_TOKEN), or started by the bot (MANAGE_RASA=1) when nothing answers there;
* ``--assistant local``: the real pipeline with Rasa unreachable, so it answers from the local
  FAQ retrieval (its documented limited mode);
* ``--assistant echo``: the channel alone — the same Telegram application with an assistant
  that answers at once with a fixed two-line text; measures what the channel itself can carry.

Usage::

    .venv/bin/python benchmarks/telegram_load.py --users 200 --rate 50 --duration 60
    .venv/bin/python benchmarks/telegram_load.py --users 200 --rate 0 --duration 30
"""

from __future__ import annotations

import argparse
import csv
import heapq
import json
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from tests.fakes.telegram_api import FakeTelegramServer  # noqa: E402
from tests.telegram.bot_process import free_port, free_port_block, start_bot  # noqa: E402

QUESTIONS = [
    "居住证快到期了怎么续签",
    "签注要带什么材料",
    "第一次办居住证需要什么",
    "居住登记满半年才能办吗",
    "租房合同没备案可以办居住证吗",
    "居住证丢了怎么补办",
    "办居住证要多久",
    "在哪里查办理进度",
    "审核不通过怎么办",
    "居住证照片有什么要求",
    "小卡是什么",
    "居住证有效期多长",
    "地址变了要怎么办",
    "孩子可以办居住证吗",
    "网上怎么申请居住证",
    "社区事务受理中心在哪",
    "积分和居住证有什么关系",
    "居住证过期了还能续吗",
    "办证要收费吗",
    "证件照可以自己拍吗",
]


@dataclass
class User:
    chat_id: int
    rng: random.Random
    open_update: int | None = None
    expected: int = 1
    received: int = 0
    asked_at: float = 0.0
    question: str = ""
    expected_total: int = 0  # answer messages all of this user's questions should produce
    received_total: int = 0


@dataclass
class Results:
    asked: int = 0
    answered: int = 0
    late: int = 0
    lost: int = 0
    duplicated: int = 0
    reply_messages: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    # (seconds since the load started, question, latency ms) — where the tail comes from
    samples: list[tuple[float, str, float]] = field(default_factory=list)
    first_reply_t: float = 0.0
    last_reply_t: float = 0.0


class EchoAssistant:
    """Answers instantly: isolates the Telegram channel's own cost (``--assistant echo``)."""

    async def handle_text(self, sender_id: str, text: str, channel: str = "telegram") -> Any:
        from bot.replies import Reply, Turn

        return Turn(
            text=text, intent="echo", replies=[Reply(f"收到：{text}\n这是压力测试的回答。")]
        )

    async def handle_payload(self, sender_id: str, payload: str, channel: str = "telegram") -> Any:
        return await self.handle_text(sender_id, payload, channel)

    async def aclose(self) -> None:
        pass


def serve_echo_bot() -> int:
    """The bot process of ``--assistant echo`` (started by this script, not by hand)."""
    import asyncio
    import logging

    from bot.channels.telegram import serve_telegram
    from bot.config import load_settings

    settings = load_settings()
    logging.basicConfig(level=settings.log_level)
    return asyncio.run(serve_telegram(settings, assistant=EchoAssistant()))


def latency_windows(
    samples: list[tuple[float, str, float]], width: float = 10.0
) -> list[dict[str, Any]]:
    """p50/p99 per ``width``-second window of asking time: shows start-up transients."""
    windows: dict[int, list[float]] = {}
    for at, _, latency in samples:
        windows.setdefault(int(at // width), []).append(latency)
    return [
        {
            "from_s": int(i * width),
            "n": len(v),
            "p50": round(percentile(v, 0.5), 1),
            "p99": round(percentile(v, 0.99), 1),
        }
        for i, v in sorted(windows.items())
    ]


def latency_by_question(samples: list[tuple[float, str, float]]) -> dict[str, dict[str, float]]:
    """p50/p99 per question, slowest p99 first: shows answers that cost more than others."""
    by_question: dict[str, list[float]] = {}
    for _, question, latency in samples:
        by_question.setdefault(question, []).append(latency)
    rows = {
        q: {"n": len(v), "p50": round(percentile(v, 0.5), 1), "p99": round(percentile(v, 0.99), 1)}
        for q, v in by_question.items()
    }
    return dict(sorted(rows.items(), key=lambda item: -item[1]["p99"]))


def write_samples(path: Path, samples: list[tuple[float, str, float]]) -> None:
    """One row per question: seconds into the load, the question, its latency (ms)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["asked_at_s", "question", "latency_ms"])
        writer.writerows((round(at, 3), question, round(ms, 1)) for at, question, ms in samples)


def machine_busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy (all cores; /proc/stat), None off Linux."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


PG_ADMIN_URL = os.environ.get(
    "TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def create_pg_database() -> str | None:
    """A fresh PostgreSQL database (the production back-end), or None when none is running."""
    import secrets

    from sqlalchemy import create_engine, text

    name = f"tg_load_{secrets.token_hex(4)}"
    try:
        engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
    except Exception:  # noqa: BLE001 - fall back to SQLite
        return None
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_pg_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    engine.dispose()


def bot_env(args: argparse.Namespace, database_url: str) -> dict[str, str]:
    env = {
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        "TELEGRAM_MAX_MESSAGES_PER_SECOND": str(args.max_messages_per_second),
    }
    if args.assistant in {"local", "echo"}:
        env.update(MANAGE_RASA="0", RASA_URL=f"http://127.0.0.1:{free_port()}")
    elif not os.environ.get("RASA_URL"):  # the bot starts its own Rasa + action server
        env.update(
            MANAGE_RASA="1",
            RASA_URL=f"http://127.0.0.1:{free_port_block(int(os.environ.get('RASA_SERVERS') or 1))}",
            ACTION_URL=f"http://127.0.0.1:{free_port()}/webhook",
        )
    return env


def measure_expected_replies(fake: FakeTelegramServer, settle: float) -> dict[str, int]:
    """How many messages each question's answer has, in a conversation already under way
    (a first contact may add a welcome note): one quiet chat per question, second turn counted."""
    expected: dict[str, int] = {}
    for number, question in enumerate(QUESTIONS):
        chat = 9_000_000 + number
        for turn, text in enumerate([QUESTIONS[(number + 1) % len(QUESTIONS)], question]):
            before = len(fake.messages_to(chat))
            fake.user_sends_text(chat, text)
            fake.wait_for_messages(chat, before + 1, timeout=60)
            count = len(fake.messages_to(chat))
            while True:
                time.sleep(settle)
                if len(fake.messages_to(chat)) == count:
                    break
                count = len(fake.messages_to(chat))
            if turn == 1:
                expected[question] = count - before
    return expected


def run_load(
    fake: FakeTelegramServer, args: argparse.Namespace, expected: dict[str, int]
) -> Results:
    """Drive the users; one thread, woken by the fake server whenever the bot sends something."""
    results = Results()
    master = random.Random(args.seed)
    users = {
        1_000_000 + i: User(1_000_000 + i, random.Random(master.random()))
        for i in range(args.users)
    }
    interval = args.users / args.rate if args.rate > 0 else 0.0
    # Spread first questions over one interval so users do not all start in the same millisecond.
    schedule: list[tuple[float, int]] = []
    start = time.monotonic() + 0.5
    for chat_id, user in users.items():
        heapq.heappush(schedule, (start + user.rng.random() * max(interval, 1.0), chat_id))
    end = start + args.duration
    sent_index = len(fake.sent)
    deadlines: list[tuple[float, int, int]] = []  # (timeout at, chat, update id)

    def ask(user: User, now: float) -> None:
        question = user.rng.choice(QUESTIONS)
        update = fake.user_sends_text(user.chat_id, question)
        user.open_update = update["update_id"]
        user.expected, user.received, user.asked_at = expected[question], 0, now
        user.question = question
        user.expected_total += expected[question]
        results.asked += 1
        heapq.heappush(deadlines, (now + args.timeout, user.chat_id, update["update_id"]))

    def record_reply(user: User, call: dict[str, Any]) -> None:
        """Count one answer message; the first one of an open question gives its latency."""
        results.reply_messages += 1
        results.first_reply_t = results.first_reply_t or call["t"]
        results.last_reply_t = call["t"]
        user.received_total += 1
        if user.open_update is None:
            return  # a late answer (its question timed out) — settled in the final count
        user.received += 1
        if user.received == 1:
            handed_over = fake.delivered_at.get(user.open_update, user.asked_at)
            latency_ms = (call["t"] - handed_over) * 1000
            results.latencies_ms.append(latency_ms)
            results.samples.append((user.asked_at - start, user.question, latency_ms))

    def close_turn(user: User, now: float) -> None:
        user.open_update = None
        if now < end:
            think = interval * (0.5 + user.rng.random()) if interval else 0.0
            heapq.heappush(schedule, (max(now, user.asked_at + think), user.chat_id))

    while True:
        now = time.monotonic()
        while schedule and schedule[0][0] <= now:
            _, chat_id = heapq.heappop(schedule)
            if now < end:
                ask(users[chat_id], now)
        with fake._cond:  # noqa: SLF001 - the fake's condition wakes us on every bot call
            new_calls = fake.sent[sent_index:]
            sent_index = len(fake.sent)
        for call in new_calls:
            user = users.get(call["chat_id"])
            if user is None or call["method"] not in {"sendMessage", "sendPhoto", "sendDocument"}:
                continue
            record_reply(user, call)
            if user.open_update is not None and user.received == user.expected:
                results.answered += 1
                close_turn(user, call["t"])
        while deadlines and deadlines[0][0] <= now:
            _, chat_id, update_id = heapq.heappop(deadlines)
            user = users[chat_id]
            if user.open_update == update_id:
                results.late += 1
                close_turn(user, now)
        open_turns = sum(1 for u in users.values() if u.open_update is not None)
        if now >= end and open_turns == 0:
            break
        wake_at = min(
            [t for t, _ in schedule[:1]] + [t for t, _, _ in deadlines[:1]] + [now + 0.05]
        )
        with fake._cond:  # noqa: SLF001
            if len(fake.sent) == sent_index:
                fake._cond.wait(max(0.0, wake_at - time.monotonic()))  # noqa: SLF001
    # Let stragglers arrive (until quiet for ``settle`` s, at most ``timeout`` s), then settle
    # each user's account: fewer messages than their questions produce = lost, more = duplicated.
    drain_until = time.monotonic() + args.timeout
    quiet_since = time.monotonic()
    while time.monotonic() < drain_until and time.monotonic() - quiet_since < args.settle:
        time.sleep(0.1)
        with fake._cond:  # noqa: SLF001
            new_calls = fake.sent[sent_index:]
            sent_index = len(fake.sent)
        for call in new_calls:
            user = users.get(call["chat_id"])
            if user is not None and call["method"] in {"sendMessage", "sendPhoto", "sendDocument"}:
                record_reply(user, call)
                quiet_since = time.monotonic()
    for user in users.values():
        results.lost += max(0, user.expected_total - user.received_total)
        results.duplicated += max(0, user.received_total - user.expected_total)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument(
        "--rate", type=float, default=50.0, help="offered messages/s (0 = no think time)"
    )
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of asking")
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds before a question counts as late"
    )
    parser.add_argument("--mode", choices=["polling", "webhook"], default="polling")
    parser.add_argument("--assistant", choices=["rasa", "local", "echo"], default="rasa")
    parser.add_argument("--serve-echo-bot", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--database-url",
        default="",
        help="default: a fresh PostgreSQL database (SQLite when none runs)",
    )
    parser.add_argument(
        "--max-messages-per-second", type=float, default=0.0,
        help="the bot's outgoing budget (TELEGRAM_MAX_MESSAGES_PER_SECOND; 0 = off, default 30 in production)",
    )  # fmt: skip
    parser.add_argument("--settle", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.add_argument(
        "--samples", type=Path, help="also write every question's latency to this CSV file"
    )
    args = parser.parse_args(argv)
    if args.serve_echo_bot:
        return serve_echo_bot()

    workdir = Path(tempfile.mkdtemp(prefix="tg-load-"))
    own_database = None if args.database_url else create_pg_database()
    database_url = args.database_url or own_database or f"sqlite:///{workdir / 'bot.db'}"
    try:
        summary = measure(args, workdir, database_url)
    finally:
        if own_database:
            drop_pg_database(own_database)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        latency = summary["latency_ms"]
        print(
            f"{summary['mode']}/{summary['assistant']} ({summary['database']}): {args.users} users, "
            f"offered {args.rate:g} msg/s → {summary['replies_per_s']} replies/s "
            f"({summary['questions_answered']}/{summary['questions_asked']} answered); "
            f"latency p50 {latency['p50']} ms, p95 {latency['p95']} ms, p99 {latency['p99']} ms, "
            f"max {latency['max']} ms; lost {summary['lost']}, duplicated {summary['duplicated']}, "
            f"late {summary['late']}; CPU s bot {summary['cpu_s']['bot']}, "
            f"harness {summary['cpu_s']['fake_server_and_users']}; machine "
            f"{summary['machine_cpu_cores']} cores busy; load {summary['load_average']}"
        )
    return 0 if summary["lost"] == 0 and summary["duplicated"] == 0 else 1


def measure(args: argparse.Namespace, workdir: Path, database_url: str) -> dict[str, Any]:
    with FakeTelegramServer() as fake:
        command = None
        if args.assistant == "echo":
            command = [sys.executable, str(Path(__file__).resolve()), "--serve-echo-bot"]
        process = start_bot(
            fake,
            workdir,
            args.mode,
            bot_env(args, database_url),
            ready_timeout=300,
            command=command,
        )
        try:
            expected = measure_expected_replies(fake, settle=args.settle)
            busy_before, load_started = machine_busy_seconds(), time.monotonic()
            results = run_load(fake, args, expected)
            busy_after, load_seconds = machine_busy_seconds(), time.monotonic() - load_started
        finally:
            exit_code = process.stop()
        if args.samples:
            write_samples(args.samples, results.samples)
        if exit_code != 0:
            print(process.log_text()[-3000:], file=sys.stderr)
    harness_cpu = resource.getrusage(resource.RUSAGE_SELF)
    bot_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    window = max(1e-9, results.last_reply_t - results.first_reply_t)
    summary: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "load_average": round(os.getloadavg()[0], 1),
        "mode": args.mode,
        "assistant": args.assistant,
        "database": database_url.split(":", 1)[0].split("+")[0],
        "users": args.users,
        "offered_rate": args.rate,
        "max_messages_per_second": args.max_messages_per_second,
        "questions_asked": results.asked,
        "questions_answered": results.answered,
        "reply_messages": results.reply_messages,
        "replies_per_s": round(results.reply_messages / window, 1),
        "answers_per_s": round(results.answered / window, 1),
        "latency_ms": {
            "p50": round(percentile(results.latencies_ms, 0.50), 1),
            "p95": round(percentile(results.latencies_ms, 0.95), 1),
            "p99": round(percentile(results.latencies_ms, 0.99), 1),
            "max": round(max(results.latencies_ms, default=float("nan")), 1),
            "mean": round(statistics.fmean(results.latencies_ms), 1)
            if results.latencies_ms
            else None,
        },
        "latency_by_10s_window": latency_windows(results.samples),
        "latency_by_question": latency_by_question(results.samples),
        "lost": results.lost,
        "duplicated": results.duplicated,
        "late": results.late,
        "webhook_errors": len(fake.webhook_errors),
        # all processes on the machine (bot, Rasa, action server, database, this harness)
        "machine_cpu_cores": round((busy_after - busy_before) / load_seconds, 2)
        if busy_before is not None and busy_after is not None
        else None,
        "cpu_s": {
            "bot": round(bot_cpu.ru_utime + bot_cpu.ru_stime, 1),
            "fake_server_and_users": round(harness_cpu.ru_utime + harness_cpu.ru_stime, 1),
        },
    }
    return summary


if __name__ == "__main__":
    raise SystemExit(main())
