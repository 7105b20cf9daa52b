"""Reminder engine benchmark: claiming the due batch among 1,000,000 reminders, and dispatch
rate through the AIORateLimiter.

    .venv/bin/python benchmarks/reminders_bench.py [--rows 1000000] [--due 5000] [--send 600]

1. Creates a throw-away PostgreSQL database (127.0.0.1:5432, dropped at the end), migrates
   it, and fills it with ``--rows`` reminders (10 per user) spread over the coming year, of which
   ``--due`` are due now; a tenth of all rows are in other states (done / failed / inactive).
2. Times ``claim_due_reminders`` (the real claim: SELECT … FOR UPDATE SKIP LOCKED, ORDER BY
   next_due_at LIMIT 200, UPDATE with a lease, then the join to users) — median and p95 over
   repeated claims, each batch released again untimed — and prints the query plan.
3. Sweeps ``--send`` due reminders through the real PTB sender (ExtBot + AIORateLimiter at
   30 msg/s) into the fake Telegram Bot API over HTTP, and reports the achieved rate and the
   most messages seen in any one-second window at the server.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text, update  # noqa: E402

from bot.reminders.engine import claim_due_reminders, sweep_due  # noqa: E402
from bot.reminders.telegram_sender import TelegramSender, build_reminder_bot  # noqa: E402
from bot.storage.db import engine_for  # noqa: E402
from bot.storage.migrate import upgrade_database  # noqa: E402
from bot.storage.reminders import Reminder  # noqa: E402

NOW = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
PER_USER = 10


def fill(url: str, rows: int, due: int) -> float:
    """Bulk-insert users and reminders with SQL generate_series; returns seconds taken."""
    started = time.perf_counter()
    users = rows // PER_USER
    with engine_for(url).begin() as conn:
        conn.execute(text("""
            INSERT INTO users (sender_id, channel, language, privacy_notice_shown, reminder_consent,
                               blocked, created_at, last_seen_at, message_count)
            SELECT 'tg:' || (1000000 + g), 'telegram', 'zh', true, true, false, now(), now(), 0
            FROM generate_series(1, :users) AS g
        """), {"users": users})
        # Reminder g: due now for the first `due` rows, otherwise spread over the next year.
        conn.execute(text("""
            INSERT INTO reminders (user_id, label, expiry_date, stage, next_due_at, state, attempts,
                                   last_error, created_at, updated_at)
            SELECT u.id, 'r' || g,
                   CASE WHEN g <= :due THEN DATE '2027-03-31' ELSE DATE '2027-03-31' + (g % 300) END,
                   'window_open',
                   CASE WHEN g <= :due THEN CAST(:now AS timestamptz) - make_interval(secs => g % 3600)
                        ELSE CAST(:now AS timestamptz) + make_interval(mins => 1 + g % 525000) END,
                   CASE WHEN g % 10 = 1 AND g > :due THEN 'done'
                        WHEN g % 10 = 2 AND g > :due THEN 'inactive'
                        WHEN g % 100 = 3 AND g > :due THEN 'failed'
                        ELSE 'active' END,
                   0, '', now(), now()
            FROM generate_series(1, :rows) AS g
            JOIN users u ON u.sender_id = 'tg:' || (1000000 + 1 + (g - 1) / :per_user)
        """), {"rows": rows, "due": due, "now": NOW, "per_user": PER_USER})
        conn.execute(text("ANALYZE users"))
        conn.execute(text("ANALYZE reminders"))
    return time.perf_counter() - started


def time_claims(url: str, repeats: int, batch: int) -> list[float]:
    engine = engine_for(url)
    timings = []
    for n in range(repeats):
        wall = datetime.now(UTC)
        started = time.perf_counter()
        claimed = claim_due_reminders(engine, NOW, f"bench-{n}", batch, wall=wall)
        timings.append((time.perf_counter() - started) * 1000)
        assert len(claimed) == batch, len(claimed)
        with engine.begin() as conn:
            conn.execute(update(Reminder).where(Reminder.id.in_([r.id for r in claimed]))
                         .values(claimed_by=None, claimed_until=None))
    return timings


def time_fetches(url: str, repeats: int, batch: int) -> list[float]:
    """Just the indexed SELECT of the due batch (what the claim's transaction starts with)."""
    engine = engine_for(url)
    timings = []
    for _ in range(repeats):
        with engine.begin() as conn:
            started = time.perf_counter()
            ids = conn.execute(text("""
                SELECT id FROM reminders
                WHERE state = 'active' AND next_due_at <= :now
                  AND (claimed_until IS NULL OR claimed_until < :wall)
                ORDER BY next_due_at LIMIT :batch FOR UPDATE SKIP LOCKED
            """), {"now": NOW, "wall": datetime.now(UTC), "batch": batch}).scalars().all()
            timings.append((time.perf_counter() - started) * 1000)
        assert len(ids) == batch
    return timings


def summary(timings: list[float]) -> str:
    p95 = statistics.quantiles(timings, n=20)[-1]
    return (f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, "
            f"max {max(timings):.1f} ms (n={len(timings)})")


def query_plan(url: str, batch: int) -> str:
    with engine_for(url).begin() as conn:
        rows = conn.execute(text("""
            EXPLAIN (ANALYZE, BUFFERS) SELECT id FROM reminders
            WHERE state = 'active' AND next_due_at <= :now
              AND (claimed_until IS NULL OR claimed_until < :wall)
            ORDER BY next_due_at LIMIT :batch FOR UPDATE SKIP LOCKED
        """), {"now": NOW, "wall": datetime.now(UTC), "batch": batch}).scalars().all()
    return "\n".join(rows)


async def dispatch(url: str, count: int, rate: float) -> dict[str, float]:
    from tests.fakes.telegram_api import FakeTelegramServer, _ApiRequestHandler

    class QuickReplies(_ApiRequestHandler):
        disable_nagle_algorithm = True  # see tests/reminders/conftest.py

    import tests.fakes.telegram_api as fake_module

    fake_module._ApiRequestHandler = QuickReplies  # type: ignore[misc]
    # Only `count` rows due: push the rest of the due backlog into the future.
    with engine_for(url).begin() as conn:
        conn.execute(text("""
            UPDATE reminders SET next_due_at = next_due_at + interval '400 days'
            WHERE state = 'active' AND next_due_at <= :now AND id NOT IN (
                SELECT id FROM reminders WHERE state = 'active' AND next_due_at <= :now
                ORDER BY id LIMIT :count)
        """), {"now": NOW, "count": count})
    with FakeTelegramServer() as fake:
        bot = build_reminder_bot(fake.token, fake.base_url, messages_per_second=rate)
        async with bot:
            started = time.monotonic()
            stats = await sweep_due(NOW, TelegramSender(bot), "bench", database_url=url,
                                    concurrency=8, send_hour=9)
            elapsed = time.monotonic() - started
        times = sorted(call["t"] for call in fake.calls("sendMessage"))
    busiest = 0
    start = 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        busiest = max(busiest, end - start + 1)
    steady = [t for t in times if t - times[0] >= 2.0]
    steady_rate = (len(steady) - 1) / (steady[-1] - steady[0]) if len(steady) > 1 else 0.0
    return {"sent": stats.sent, "elapsed_s": elapsed, "rate": stats.sent / elapsed,
            "steady_rate": steady_rate, "busiest_second": busiest}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=5_000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=60)
    parser.add_argument("--send", type=int, default=600)
    parser.add_argument("--rate", type=float, default=30.0)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from tests.conftest import create_pg_database, drop_pg_database

    url = create_pg_database("jzz_bench_reminders")
    try:
        upgrade_database(url)
        print(f"filled {args.rows:,} reminders in {fill(url, args.rows, args.due):.1f} s")
        time_claims(url, 5, args.batch)  # warm the cache
        fetches = time_fetches(url, args.repeats, args.batch)
        print(f"fetch {args.batch} due of {args.rows:,} (SELECT … SKIP LOCKED): {summary(fetches)}")
        claims = time_claims(url, args.repeats, args.batch)
        print(f"claim {args.batch} due of {args.rows:,} (select + lease UPDATE + join users + "
              f"commit): {summary(claims)}")
        print(query_plan(url, args.batch))
        result = asyncio.run(dispatch(url, args.send, args.rate))
        print(f"dispatch {result['sent']} at limit {args.rate:g}/s: {result['elapsed_s']:.1f} s, "
              f"overall {result['rate']:.1f} msg/s, steady {result['steady_rate']:.1f} msg/s, "
              f"busiest 1-s window {result['busiest_second']} messages")
    finally:
        drop_pg_database(url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
