"""The reminder dispatcher: claim due rows, send each message once, record the outcome.

Any number of workers (JobQueue jobs in several bot processes, the CLI) may sweep at once.

1. **Claim** (one short transaction): due rows get ``claimed_by = worker`` and a lease
   ``claimed_until``. PostgreSQL selects them ``FOR UPDATE SKIP LOCKED``; SQLite, which has one
   writer at a time, claims with a conditional ``UPDATE``. Rows with a live lease are invisible
   to other workers; a crashed worker's lease simply expires.
2. **Reserve** (per message, just before sending): re-check the lease (a worker that stalled
   past it must not send) and write a ``sending`` row in ``reminder_deliveries`` — unique per
   reminder, cycle and stage, so two live workers can never both send the same message.
3. **Send** through a :class:`~bot.reminders.sending.Sender`, up to ``concurrency`` at a time,
   paced at ``rate``.
4. **Record** (in small batches): mark deliveries ``sent`` and move each reminder to its next
   stage, or handle the typed failure (retry later, mark failed, deactivate a user who blocked
   us).

A worker killed between 2 and 4 leaves ``sending`` rows behind: the messages in flight (at most
``concurrency``) and those sent but not yet recorded. Telegram has no idempotency key, so nobody
can know whether they arrived. The next claimer marks them ``unconfirmed`` and moves on without
sending: a message is reserved only when it is about to be written to the socket (the engine
paces sends itself, so none waits in a limiter queue after its reservation), hence to lose one the
kill must land in the sub-millisecond gap between that commit and the write — while re-sending
would duplicate nearly every in-flight message. A missed stage is also followed by the next
one of the cycle; a duplicate is spam every user sees.

After downtime, :func:`bot.reminders.schedule.resolve_due` picks one message per reminder —
the latest stage still relevant — and marks it late; stale stages are skipped, never sent.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import logging
import os
import socket
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    bindparam,
    delete,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from bot.reminders.messages import compose_reminder
from bot.reminders.schedule import (
    DueDecision,
    Stage,
    is_quiet_time,
    resolve_due,
    shanghai_today,
    stage_day,
)
from bot.reminders.sending import (
    PermanentSendError,
    RateLimited,
    RecipientBlocked,
    Sender,
    SendError,
    TransientSendError,
)
from bot.storage.db import engine_for
from bot.storage.models import User
from bot.storage.reminders import DeliveryStatus, Reminder, ReminderDelivery, ReminderState

log = logging.getLogger(__name__)

DEFAULT_BATCH = 200
DEFAULT_LEASE = timedelta(minutes=2)
DEFAULT_CONCURRENCY = 8
DEFAULT_RATE = 30.0  # messages per second; Telegram allows about 30 overall
MAX_ATTEMPTS = 5
RETRY_BASE = timedelta(seconds=30)


@dataclass
class SweepStats:
    claimed: int = 0
    sent: int = 0
    late: int = 0
    unconfirmed: int = 0  # in flight when a worker died; not sent again (see module docstring)
    skipped_stages: int = 0
    finished: int = 0  # cycles that ended without a message (grace period long over)
    retried: int = 0
    failed: int = 0
    deactivated: int = 0
    lost_lease: int = 0
    quiet: bool = False
    busy: bool = False  # another worker holds the send-rate lock (see _rate_owner)

    def as_dict(self) -> dict[str, int | bool]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ClaimedReminder:
    id: int
    user_id: int
    chat_id: str
    label: str
    expiry_date: date
    stage: Stage
    attempts: int


@dataclass
class _Outcome:
    reminder: ClaimedReminder
    decision: DueDecision
    message_id: str | None = None
    error: SendError | None = None


@dataclass
class _Sweep:
    """Per-sweep context shared by the helpers below."""

    engine: Engine
    now: datetime
    worker_id: str
    send_hour: int
    lease: timedelta
    wall_clock: Callable[[], datetime]
    max_attempts: int
    stats: SweepStats = field(default_factory=SweepStats)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; everything we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _db_time(engine: Engine, moment: datetime) -> datetime:
    """SQLite compares datetimes as text, so send it the same naive UTC form it stores."""
    moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None) if engine.dialect.name == "sqlite" else moment


def _claimable(engine: Engine, now: datetime, wall: datetime) -> ColumnElement[bool]:
    return and_(
        Reminder.state == ReminderState.ACTIVE.value,
        Reminder.next_due_at <= _db_time(engine, now),
        or_(Reminder.claimed_until.is_(None), Reminder.claimed_until < _db_time(engine, wall)),
    )


def claim_due_reminders(
    engine: Engine,
    now: datetime,
    worker_id: str,
    batch: int = DEFAULT_BATCH,
    lease: timedelta = DEFAULT_LEASE,
    wall: datetime | None = None,
) -> list[ClaimedReminder]:
    """Atomically lease up to ``batch`` due reminders to ``worker_id`` (oldest due first)."""
    wall = wall or utc_now()
    until = _db_time(engine, wall + lease)
    due = _claimable(engine, now, wall)
    pick = select(Reminder.id).where(due).order_by(Reminder.next_due_at).limit(batch)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            ids = list(conn.execute(pick.with_for_update(skip_locked=True)).scalars())
            if ids:
                conn.execute(
                    update(Reminder)
                    .where(Reminder.id.in_(ids))
                    .values(claimed_by=worker_id, claimed_until=until)
                )
        else:
            ids = list(
                conn.execute(
                    update(Reminder)
                    .where(Reminder.id.in_(pick.scalar_subquery()), due)
                    .values(claimed_by=worker_id, claimed_until=until)
                    .returning(Reminder.id)
                ).scalars()
            )
        if not ids:
            return []
        rows = conn.execute(
            select(
                Reminder.id, Reminder.user_id, User.sender_id, Reminder.label,
                Reminder.expiry_date, Reminder.stage, Reminder.attempts,
            )
            .join(User, User.id == Reminder.user_id)
            .where(Reminder.id.in_(ids))
            .order_by(Reminder.next_due_at)
        ).all()
    return [
        ClaimedReminder(r.id, r.user_id, r.sender_id, r.label, r.expiry_date, Stage(r.stage),
                        r.attempts)
        for r in rows
    ]


def _advance_params(ctx: _Sweep, reminder: ClaimedReminder, decision: DueDecision) -> dict[str, object]:
    """Bind values that move a reminder past ``decision`` (see :data:`_ADVANCE`)."""
    following = decision.next
    return {
        "b_id": reminder.id,
        "b_worker": ctx.worker_id,
        "b_stage": following.stage.value if following else reminder.stage.value,
        "b_due": _db_time(ctx.engine, following.due_at) if following else None,
        "b_state": ReminderState.ACTIVE.value if following else ReminderState.DONE.value,
    }


# Statements are built once and run with executemany: building one SQLAlchemy statement per
# row costs more than the database work itself.
_ADVANCE = (
    update(Reminder)
    .where(Reminder.id == bindparam("b_id"), Reminder.claimed_by == bindparam("b_worker"))
    .values(stage=bindparam("b_stage"), next_due_at=bindparam("b_due"),
            state=bindparam("b_state"), attempts=0, claimed_by=None, claimed_until=None)
)
_ADVANCE_AFTER_SEND = _ADVANCE.values(
    last_sent_at=bindparam("b_sent_at"), last_stage_sent=bindparam("b_sent_stage"), last_error=""
)
_MARK_SENT = (
    update(ReminderDelivery)
    .where(
        ReminderDelivery.reminder_id == bindparam("b_id"),
        ReminderDelivery.expiry_date == bindparam("b_expiry"),
        ReminderDelivery.stage == bindparam("b_sent_stage"),
    )
    .values(status=DeliveryStatus.SENT.value, sent_at=bindparam("b_sent_at"),
            message_id=bindparam("b_message_id"), late=bindparam("b_late"))
)


def _finish_without_sending(ctx: _Sweep, pairs: Sequence[tuple[ClaimedReminder, DueDecision]]) -> None:
    if not pairs:
        return
    with ctx.engine.begin() as conn:
        conn.execute(_ADVANCE, [_advance_params(ctx, r, d) for r, d in pairs])
    for _, decision in pairs:
        ctx.stats.skipped_stages += len(decision.skipped)
        ctx.stats.finished += int(decision.next is None)


def _reserve(ctx: _Sweep, chunk: Sequence[tuple[ClaimedReminder, DueDecision]]) -> list[tuple[ClaimedReminder, DueDecision]]:
    """Re-check our leases and write ``sending`` delivery rows; return what may be sent."""
    wall = ctx.wall_clock()
    by_id = {r.id: (r, d) for r, d in chunk}
    try:
        with ctx.engine.begin() as conn:
            still_ours = set(
                conn.execute(
                    update(Reminder)
                    .where(
                        Reminder.id.in_(by_id),
                        Reminder.claimed_by == ctx.worker_id,
                        Reminder.claimed_until >= _db_time(ctx.engine, wall),
                    )
                    .values(claimed_until=_db_time(ctx.engine, wall + ctx.lease))
                    .returning(Reminder.id)
                ).scalars()
            )
            ctx.stats.lost_lease += len(by_id) - len(still_ours)
            existing = {
                (d.reminder_id, d.expiry_date, d.stage): d
                for d in conn.execute(
                    select(ReminderDelivery.id, ReminderDelivery.reminder_id,
                           ReminderDelivery.expiry_date, ReminderDelivery.stage,
                           ReminderDelivery.status, ReminderDelivery.takeovers)
                    .where(ReminderDelivery.reminder_id.in_(still_ours))
                ).all()
            } if still_ours else {}
            ready: list[tuple[ClaimedReminder, DueDecision]] = []
            new_rows: list[dict[str, object]] = []
            for reminder_id in sorted(still_ours):
                reminder, decision = by_id[reminder_id]
                assert decision.send is not None
                previous = existing.get((reminder.id, reminder.expiry_date, decision.send.value))
                if previous is None:
                    new_rows.append({
                        "reminder_id": reminder.id, "expiry_date": reminder.expiry_date,
                        "stage": decision.send.value, "status": DeliveryStatus.SENDING.value,
                        "worker_id": ctx.worker_id, "takeovers": 0, "late": decision.late,
                        "started_at": _db_time(ctx.engine, wall),
                    })
                else:
                    if previous.status == DeliveryStatus.SENDING.value:
                        # Its worker died mid-call (our lease proves the old one expired).
                        conn.execute(
                            update(ReminderDelivery)
                            .where(ReminderDelivery.id == previous.id)
                            .values(status=DeliveryStatus.UNCONFIRMED.value,
                                    takeovers=previous.takeovers + 1)
                        )
                        ctx.stats.unconfirmed += 1
                    # Either way this stage has had its one chance: move on, do not send.
                    conn.execute(_ADVANCE, [_advance_params(ctx, reminder, decision)])
                    continue
                ready.append((reminder, decision))
            if new_rows:
                conn.execute(insert(ReminderDelivery), new_rows)
            return ready
    except IntegrityError:
        # A stalled worker raced us to the delivery row; leases expire and the rows come back.
        log.warning("delivery reservation raced another worker; chunk left for later")
        return []


async def _send_one(
    sender: Sender, reminder: ClaimedReminder, decision: DueDecision, now: datetime, send_hour: int
) -> _Outcome:
    assert decision.send is not None
    late_since = stage_day(reminder.expiry_date, decision.send) if decision.late else None
    message, buttons = compose_reminder(
        reminder.id, reminder.label, reminder.expiry_date, decision.send, shanghai_today(now),
        late_since,
    )
    try:
        message_id = await sender.send(reminder.chat_id, message, buttons)
    except SendError as exc:
        return _Outcome(reminder, decision, error=exc)
    except Exception as exc:  # a sender bug must not lose the claim silently
        log.exception("sender crashed for reminder %s", reminder.id)
        return _Outcome(reminder, decision, error=TransientSendError(repr(exc)))
    return _Outcome(reminder, decision, message_id=message_id)


def _retry_delay(attempts: int) -> timedelta:
    return RETRY_BASE * (2 ** min(attempts, 6))


def _record(ctx: _Sweep, outcomes: Sequence[_Outcome]) -> None:
    wall = ctx.wall_clock()
    db_wall = _db_time(ctx.engine, wall)
    delivered = [o for o in outcomes if o.error is None]
    with ctx.engine.begin() as conn:
        if delivered:
            params = []
            for outcome in delivered:
                decision = outcome.decision
                assert decision.send is not None
                params.append({
                    **_advance_params(ctx, outcome.reminder, decision),
                    "b_expiry": outcome.reminder.expiry_date, "b_sent_at": db_wall,
                    "b_sent_stage": decision.send.value, "b_message_id": outcome.message_id,
                    "b_late": decision.late,
                })
                ctx.stats.sent += 1
                ctx.stats.late += int(decision.late)
                ctx.stats.skipped_stages += len(decision.skipped)
            conn.execute(_MARK_SENT, params)
            conn.execute(_ADVANCE_AFTER_SEND, params)
        for outcome in outcomes:
            if outcome.error is not None:
                _record_failure(ctx, conn, outcome, outcome.error, wall)


def _record_failure(ctx: _Sweep, conn: Connection, outcome: _Outcome, error: SendError,
                    wall: datetime) -> None:
    """Telegram did not take the message: free the stage and decide when (or if) to retry."""
    reminder, decision = outcome.reminder, outcome.decision
    assert decision.send is not None
    conn.execute(delete(ReminderDelivery).where(
        ReminderDelivery.reminder_id == reminder.id,
        ReminderDelivery.expiry_date == reminder.expiry_date,
        ReminderDelivery.stage == decision.send.value,
    ))
    mine = and_(Reminder.id == reminder.id, Reminder.claimed_by == ctx.worker_id)
    message = f"{type(error).__name__}: {error}"[:500]
    if isinstance(error, RecipientBlocked):
        conn.execute(
            update(Reminder)
            .where(Reminder.user_id == reminder.user_id)
            .values(state=ReminderState.INACTIVE.value, claimed_by=None, claimed_until=None,
                    last_error=message)
        )
        # The Telegram channel keeps the same flag for people who blocked the bot.
        conn.execute(update(User).where(User.id == reminder.user_id).values(blocked=True))
        ctx.stats.deactivated += 1
    elif isinstance(error, PermanentSendError) or (
        isinstance(error, TransientSendError) and reminder.attempts + 1 >= ctx.max_attempts
    ):
        conn.execute(
            update(Reminder).where(mine).values(
                state=ReminderState.FAILED.value, claimed_by=None, claimed_until=None,
                attempts=reminder.attempts + 1, last_error=message,
            )
        )
        ctx.stats.failed += 1
    else:
        if isinstance(error, RateLimited):
            wait, attempts = timedelta(seconds=error.retry_after_s), reminder.attempts
        else:
            wait, attempts = _retry_delay(reminder.attempts), reminder.attempts + 1
        # The lease doubles as the back-off: nobody claims the row before it ends.
        conn.execute(
            update(Reminder).where(mine).values(
                claimed_by=None, claimed_until=_db_time(ctx.engine, wall + wait),
                attempts=attempts, last_error=message,
            )
        )
        ctx.stats.retried += 1


def _renew_leases(
    ctx: _Sweep, waiting: collections.deque[tuple[ClaimedReminder, DueDecision]]
) -> collections.deque[tuple[ClaimedReminder, DueDecision]]:
    """Extend the lease on rows still waiting to be sent; drop any we no longer hold."""
    wall = ctx.wall_clock()
    with ctx.engine.begin() as conn:
        held = set(conn.execute(
            update(Reminder)
            .where(
                Reminder.id.in_([r.id for r, _ in waiting]),
                Reminder.claimed_by == ctx.worker_id,
                Reminder.claimed_until >= _db_time(ctx.engine, wall),
            )
            .values(claimed_until=_db_time(ctx.engine, wall + ctx.lease))
            .returning(Reminder.id)
        ).scalars())
    ctx.stats.lost_lease += len(waiting) - len(held)
    return collections.deque((r, d) for r, d in waiting if r.id in held)


class _Pacer:
    """Hands out send slots *before* reservation, at most ``rate`` per second.

    A reserved message must leave the process at once: one parked in the rate limiter's queue
    would be lost if the worker died there (it would come back as ``unconfirmed``). So with a
    rate the engine spaces messages itself, one at a time, and the bot's limiter (same rate) has
    nothing to hold back. Without a rate (a fake API in tests, a local Bot API server) every
    wanted slot is granted at once, so reservations are batched.
    """

    # Slots leave the process evenly spaced, but they reach Telegram with network jitter: spacing
    # them 7 % wider keeps every one-second window at the server within ``rate`` even when some
    # arrive ~40 ms late (measured: at exactly 1/rate, 31 of 30 landed in one window).
    HEADROOM = 0.93

    def __init__(self, rate: float | None) -> None:
        self.interval = 1.0 / (rate * self.HEADROOM) if rate else 0.0
        self.next_slot = 0.0

    async def take(self, wanted: int) -> int:
        if not self.interval:
            return wanted
        now = asyncio.get_running_loop().time()
        slot = max(now, self.next_slot)
        self.next_slot = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)
        return 1


async def _process(ctx: _Sweep, sender: Sender, claimed: Sequence[ClaimedReminder],
                   concurrency: int, pacer: _Pacer) -> None:
    """Reserve messages only when they can be sent at once; record outcomes in small batches.

    Recording late is safe — a message sent but not yet recorded when the worker dies becomes
    ``unconfirmed`` and is not sent again — so only the reservation has to be just in time.
    """
    decided = [
        (r, resolve_due(r.expiry_date, r.stage, ctx.now, ctx.send_hour)) for r in claimed
    ]
    _finish_without_sending(ctx, [(r, d) for r, d in decided if d.send is None])
    waiting = collections.deque((r, d) for r, d in decided if d.send is not None)
    finished: list[_Outcome] = []
    in_flight: set[asyncio.Task[None]] = set()

    def flush() -> None:
        batch = finished[:]
        finished.clear()
        if batch:
            _record(ctx, batch)

    async def deliver(reminder: ClaimedReminder, decision: DueDecision) -> None:
        finished.append(await _send_one(sender, reminder, decision, ctx.now, ctx.send_hour))
        if len(finished) >= concurrency:
            flush()

    renew_at = ctx.wall_clock() + ctx.lease / 2
    try:
        while waiting:
            if ctx.wall_clock() >= renew_at:  # a long batch must not outlive its lease
                waiting = _renew_leases(ctx, waiting)
                renew_at = ctx.wall_clock() + ctx.lease / 2
                continue
            free = concurrency - len(in_flight)
            # Reserve in groups (one commit for several messages) unless paced one by one.
            if free < (1 if pacer.interval else max(1, concurrency // 2)):
                done, _ = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                in_flight -= done
                continue
            granted = await pacer.take(min(free, len(waiting)))
            group = [waiting.popleft() for _ in range(granted)]
            for reminder, decision in _reserve(ctx, group):
                in_flight.add(asyncio.create_task(deliver(reminder, decision)))
        if in_flight:
            await asyncio.gather(*in_flight)
    finally:
        flush()


async def sweep_due(
    now: datetime,
    sender: Sender,
    worker_id: str | None = None,
    batch: int = DEFAULT_BATCH,
    *,
    database_url: str | None = None,
    send_hour: int | None = None,
    lease: timedelta = DEFAULT_LEASE,
    concurrency: int = DEFAULT_CONCURRENCY,
    rate: float | None = DEFAULT_RATE,
    max_attempts: int = MAX_ATTEMPTS,
    wall_clock: Callable[[], datetime] = utc_now,
) -> SweepStats:
    """Send every reminder due at ``now`` (business time) that no other worker holds.

    Leases are measured on ``wall_clock`` (real time) so that a simulated ``now`` (the CLI's
    ``--now``) cannot make another worker's live lease look expired. Nothing is sent at night.
    ``rate`` paces this worker's sends (``None``: no pacing); up to ``concurrency`` are in flight.
    """
    from bot.config import load_settings

    settings = load_settings()
    now = as_utc(now)
    ctx = _Sweep(
        engine=engine_for(database_url or settings.database_url),
        now=now,
        worker_id=worker_id or default_worker_id(),
        send_hour=settings.reminder_send_hour if send_hour is None else send_hour,
        lease=lease,
        wall_clock=wall_clock,
        max_attempts=max_attempts,
    )
    if is_quiet_time(now):
        ctx.stats.quiet = True
        return ctx.stats
    with _rate_owner(ctx.engine, enabled=rate is not None) as owner:
        if not owner:
            ctx.stats.busy = True  # another worker is sending; it takes everything that is due
            return ctx.stats
        await _sweep_claimed(ctx, sender, batch, lease, concurrency, _Pacer(rate))
    return ctx.stats


# Telegram's limit is per bot, not per process: with several bot workers on one PostgreSQL, only
# the worker holding this session-level advisory lock sends rate-limited reminders, so the pace
# holds overall. The lock dies with its connection, so a killed worker never blocks the others.
RATE_OWNER_LOCK = 0x6A7A_7A68  # arbitrary, fixed: "jzzh"


@contextlib.contextmanager
def _rate_owner(engine: Engine, *, enabled: bool) -> Iterator[bool]:
    if not enabled or engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as conn:
        owner = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": RATE_OWNER_LOCK}).scalar())
        conn.commit()
        try:
            yield owner
        finally:
            if owner:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": RATE_OWNER_LOCK})
                conn.commit()


async def _sweep_claimed(
    ctx: _Sweep, sender: Sender, batch: int, lease: timedelta, concurrency: int, pacer: _Pacer
) -> None:
    now = ctx.now
    wall_clock = ctx.wall_clock
    seen: set[int] = set()
    while True:
        claimed = claim_due_reminders(ctx.engine, now, ctx.worker_id, batch, lease, wall_clock())
        fresh = [r for r in claimed if r.id not in seen]
        if not fresh:
            _release(ctx, [r.id for r in claimed])
            break
        seen.update(r.id for r in fresh)
        ctx.stats.claimed += len(fresh)
        await _process(ctx, sender, fresh, max(1, concurrency), pacer)
        fresh_ids = {r.id for r in fresh}
        _release(ctx, [r.id for r in claimed if r.id not in fresh_ids])


def _release(ctx: _Sweep, ids: Sequence[int]) -> None:
    """Give back rows we claimed but will not handle in this sweep."""
    if not ids:
        return
    with ctx.engine.begin() as conn:
        conn.execute(
            update(Reminder)
            .where(Reminder.id.in_(ids), Reminder.claimed_by == ctx.worker_id)
            .values(claimed_by=None, claimed_until=None)
        )


def list_reminders(
    database_url: str | None = None, due_before: datetime | None = None
) -> list[tuple[Reminder, str]]:
    """Reminders (with the user's sender id), soonest due first — for ``reminders list``."""
    from bot.config import load_settings

    engine = engine_for(database_url or load_settings().database_url)
    query = (
        select(Reminder, User.sender_id)
        .join(User, User.id == Reminder.user_id)
        .order_by(Reminder.next_due_at.is_(None), Reminder.next_due_at, Reminder.id)
    )
    if due_before is not None:
        query = query.where(
            Reminder.state == ReminderState.ACTIVE.value,
            Reminder.next_due_at <= _db_time(engine, as_utc(due_before)),
        )
    from sqlalchemy.orm import Session

    with Session(engine, expire_on_commit=False) as session:
        return [(row[0], row[1]) for row in session.execute(query).all()]
