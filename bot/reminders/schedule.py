"""When each reminder message is due — pure date arithmetic, no storage, no clock.

A permit is endorsed within the 30 days before it expires; after expiry there are 60 days in
which a late endorsement still keeps the years counting. One reminder cycle therefore has
five stages, all sent at the configured hour in Shanghai time (never at night):

    window_open   expiry − 30 days   the renewal window opens
    nudge_7d      expiry − 7 days    (skipped once the user tapped 「✅ 已办好」)
    nudge_1d      expiry − 1 day     (likewise)
    grace         expiry + 1 day     expired: renew within 60 days and the years keep counting
    last_chance   expiry + 53 days   one week before the grace period ends

Tapping 「✅ 已办好」 starts the next cycle (new expiry, default one year later), so the
remaining stages of the old cycle are never sent.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from bot.config import TIMEZONE

RENEWAL_WINDOW_DAYS = 30
GRACE_DAYS = 60
LAST_CHANCE_DAYS_BEFORE_GRACE_END = 7
DEFAULT_SEND_HOUR = 9
# Messages go out only between 08:00 and 21:00 Shanghai time.
DAYTIME_START_HOUR = 8
DAYTIME_END_HOUR = 21
# A message sent more than this after its due time carries a short "sorry, late" note.
LATE_AFTER = timedelta(hours=1)


class Stage(StrEnum):
    WINDOW_OPEN = "window_open"
    NUDGE_7D = "nudge_7d"
    NUDGE_1D = "nudge_1d"
    GRACE = "grace"
    LAST_CHANCE = "last_chance"


STAGE_ORDER: tuple[Stage, ...] = tuple(Stage)
STAGE_OFFSET_DAYS: dict[Stage, int] = {
    Stage.WINDOW_OPEN: -RENEWAL_WINDOW_DAYS,
    Stage.NUDGE_7D: -7,
    Stage.NUDGE_1D: -1,
    Stage.GRACE: 1,
    Stage.LAST_CHANCE: GRACE_DAYS - LAST_CHANCE_DAYS_BEFORE_GRACE_END,
}
BEFORE_EXPIRY_STAGES = frozenset({Stage.WINDOW_OPEN, Stage.NUDGE_7D, Stage.NUDGE_1D})


@dataclass(frozen=True)
class ScheduledStage:
    stage: Stage
    due_at: datetime  # aware, UTC


@dataclass(frozen=True)
class DueDecision:
    """What to do with a reminder whose scheduled stage has come due.

    ``send`` is the one stage worth sending now (the latest one already due and still
    relevant); ``skipped`` are stale earlier stages dropped without a message (after downtime
    the user gets one message, not a burst); ``next`` is what to schedule afterwards (``None``:
    the cycle is over).
    """

    send: Stage | None
    late: bool
    skipped: list[Stage] = field(default_factory=list)
    next: ScheduledStage | None = None


def add_years(day: date, years: int) -> date:
    """Same calendar day ``years`` later; 29 February becomes 28 February in common years."""
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def daytime_send_hour(hour: int) -> int:
    """Clamp a configured send hour into daytime so a typo cannot wake people at 03:00."""
    return min(max(hour, DAYTIME_START_HOUR), DAYTIME_END_HOUR - 1)


def local_moment(day: date, hour: int) -> datetime:
    """``hour``:00 Shanghai time on ``day``, as an aware UTC datetime."""
    return datetime.combine(day, time(daytime_send_hour(hour)), TIMEZONE).astimezone(UTC)


def shanghai_today(now: datetime) -> date:
    return now.astimezone(TIMEZONE).date()


def stage_day(expiry: date, stage: Stage) -> date:
    return expiry + timedelta(days=STAGE_OFFSET_DAYS[stage])


def stage_due_at(expiry: date, stage: Stage, send_hour: int = DEFAULT_SEND_HOUR) -> datetime:
    return local_moment(stage_day(expiry, stage), send_hour)


def grace_deadline(expiry: date) -> date:
    """The last day on which a late endorsement still keeps the years counting."""
    return expiry + timedelta(days=GRACE_DAYS)


def stage_relevant_until(expiry: date, stage: Stage, send_hour: int = DEFAULT_SEND_HOUR) -> datetime:
    """After this moment the stage's message would be stale: the next stage has come due, or
    (for the last chance) the grace period is over."""
    index = STAGE_ORDER.index(stage)
    if index + 1 < len(STAGE_ORDER):
        return stage_due_at(expiry, STAGE_ORDER[index + 1], send_hour)
    end_day = grace_deadline(expiry) + timedelta(days=1)
    return datetime.combine(end_day, time(0), TIMEZONE).astimezone(UTC)


def plan_cycle(expiry: date, send_hour: int = DEFAULT_SEND_HOUR) -> list[ScheduledStage]:
    """All stages of one cycle in order."""
    return [ScheduledStage(s, stage_due_at(expiry, s, send_hour)) for s in STAGE_ORDER]


def first_stage_after(
    expiry: date, now: datetime, send_hour: int = DEFAULT_SEND_HOUR, after: Stage | None = None
) -> ScheduledStage | None:
    """The first stage due strictly after ``now`` (and after stage ``after``, if given)."""
    start = STAGE_ORDER.index(after) + 1 if after is not None else 0
    for planned in plan_cycle(expiry, send_hour)[start:]:
        if planned.due_at > now:
            return planned
    return None


def resolve_due(
    expiry: date,
    scheduled: Stage,
    now: datetime,
    send_hour: int = DEFAULT_SEND_HOUR,
    renewed: bool = False,
) -> DueDecision:
    """Decide what to send for a reminder scheduled at ``scheduled`` and found due at ``now``.

    ``renewed`` (the user tapped 「✅ 已办好」 for this cycle) suppresses every stage.
    """
    index = STAGE_ORDER.index(scheduled)
    due = [s for s in STAGE_ORDER[index:] if stage_due_at(expiry, s, send_hour) <= now]
    if renewed or not due:
        return DueDecision(send=None, late=False, skipped=due if renewed else [],
                           next=None if renewed else first_stage_after(expiry, now, send_hour))
    latest = due[-1]
    following = first_stage_after(expiry, now, send_hour, after=latest)
    if now >= stage_relevant_until(expiry, latest, send_hour):
        return DueDecision(send=None, late=True, skipped=due, next=following)
    late = now - stage_due_at(expiry, latest, send_hour) > LATE_AFTER
    return DueDecision(send=latest, late=late, skipped=due[:-1], next=following)


def is_quiet_time(now: datetime) -> bool:
    """True at night in Shanghai, when no reminder may be sent."""
    hour = now.astimezone(TIMEZONE).hour
    return not DAYTIME_START_HOUR <= hour < DAYTIME_END_HOUR


def next_daytime(now: datetime) -> datetime:
    """``now`` itself in daytime, else the next 08:00 Shanghai time."""
    if not is_quiet_time(now):
        return now
    local = now.astimezone(TIMEZONE)
    day = local.date() if local.hour < DAYTIME_START_HOUR else local.date() + timedelta(days=1)
    return datetime.combine(day, time(DAYTIME_START_HOUR), TIMEZONE).astimezone(UTC)


def default_next_expiry(expiry: date) -> date:
    """After an endorsement the permit runs one more year."""
    return add_years(expiry, 1)
