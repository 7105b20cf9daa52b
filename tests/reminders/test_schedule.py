"""Schedule arithmetic: stage days, send moments in Shanghai time, catching up after downtime."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.reminders.schedule import (
    Stage,
    add_years,
    default_next_expiry,
    first_stage_after,
    grace_deadline,
    is_quiet_time,
    next_daytime,
    resolve_due,
    stage_day,
    stage_due_at,
)


def days(expiry: date) -> dict[Stage, date]:
    return {stage: stage_day(expiry, stage) for stage in Stage}


def test_stages_across_a_month_end() -> None:
    assert days(date(2027, 3, 31)) == {
        Stage.WINDOW_OPEN: date(2027, 3, 1),
        Stage.NUDGE_7D: date(2027, 3, 24),
        Stage.NUDGE_1D: date(2027, 3, 30),
        Stage.GRACE: date(2027, 4, 1),
        Stage.LAST_CHANCE: date(2027, 5, 23),
    }


def test_stages_around_a_leap_day() -> None:
    planned = days(date(2028, 3, 1))
    assert planned[Stage.NUDGE_1D] == date(2028, 2, 29)
    assert planned[Stage.NUDGE_7D] == date(2028, 2, 23)
    assert planned[Stage.WINDOW_OPEN] == date(2028, 1, 31)
    # The same expiry in a common year: February is one day shorter.
    assert days(date(2027, 3, 1))[Stage.WINDOW_OPEN] == date(2027, 1, 30)


def test_stages_across_a_year_end() -> None:
    planned = days(date(2027, 1, 1))
    assert planned[Stage.WINDOW_OPEN] == date(2026, 12, 2)
    assert planned[Stage.NUDGE_1D] == date(2026, 12, 31)
    assert planned[Stage.GRACE] == date(2027, 1, 2)
    assert days(date(2026, 12, 31))[Stage.GRACE] == date(2027, 1, 1)
    assert grace_deadline(date(2026, 12, 1)) == date(2027, 1, 30)


def test_last_chance_comes_one_week_before_the_grace_period_ends() -> None:
    expiry = date(2027, 6, 10)
    assert grace_deadline(expiry) - stage_day(expiry, Stage.LAST_CHANCE) == timedelta(days=7)


def test_renewal_moves_a_leap_day_expiry_to_28_february() -> None:
    assert add_years(date(2028, 2, 29), 1) == date(2029, 2, 28)
    assert default_next_expiry(date(2027, 3, 5)) == date(2028, 3, 5)
    assert add_years(date(2027, 2, 28), 1) == date(2028, 2, 28)


def test_messages_go_out_at_the_send_hour_in_shanghai() -> None:
    due = stage_due_at(date(2027, 3, 31), Stage.NUDGE_1D, send_hour=9)
    assert due == datetime(2027, 3, 30, 1, 0, tzinfo=UTC)  # 09:00 UTC+8


@pytest.mark.parametrize(("configured", "local_hour"), [(3, 8), (0, 8), (23, 20), (14, 14)])
def test_a_night_send_hour_is_pulled_into_daytime(configured: int, local_hour: int) -> None:
    due = stage_due_at(date(2027, 3, 31), Stage.NUDGE_1D, send_hour=configured)
    assert (due + timedelta(hours=8)).hour == local_hour


def test_quiet_hours_are_shanghai_nights() -> None:
    assert is_quiet_time(datetime(2027, 3, 1, 14, 0, tzinfo=UTC))  # 22:00 Shanghai
    assert not is_quiet_time(datetime(2027, 3, 1, 1, 0, tzinfo=UTC))  # 09:00 Shanghai
    late_evening = datetime(2027, 3, 1, 14, 0, tzinfo=UTC)
    assert next_daytime(late_evening) == datetime(2027, 3, 2, 0, 0, tzinfo=UTC)  # 08:00 next day
    early_morning = datetime(2027, 3, 1, 21, 30, tzinfo=UTC)  # 05:30 on 2 March in Shanghai
    assert next_daytime(early_morning) == datetime(2027, 3, 2, 0, 0, tzinfo=UTC)


def test_a_new_reminder_starts_at_the_first_stage_still_ahead() -> None:
    expiry = date(2027, 3, 31)
    now = datetime(2027, 3, 10, 4, 0, tzinfo=UTC)  # window already open, nudge_7d ahead
    first = first_stage_after(expiry, now)
    assert first is not None and first.stage is Stage.NUDGE_7D
    assert first_stage_after(expiry, datetime(2027, 6, 1, tzinfo=UTC)) is None


def test_an_on_time_sweep_sends_the_stage_without_a_late_note() -> None:
    expiry = date(2027, 3, 31)
    now = stage_due_at(expiry, Stage.WINDOW_OPEN) + timedelta(minutes=1)
    decision = resolve_due(expiry, Stage.WINDOW_OPEN, now)
    assert decision.send is Stage.WINDOW_OPEN and not decision.late and decision.skipped == []
    assert decision.next is not None and decision.next.stage is Stage.NUDGE_7D


def test_after_downtime_only_the_latest_due_stage_is_sent_and_marked_late() -> None:
    expiry = date(2027, 3, 31)
    now = stage_due_at(expiry, Stage.NUDGE_1D) + timedelta(days=1, hours=2)  # expiry day, 11:00
    decision = resolve_due(expiry, Stage.WINDOW_OPEN, now)
    assert decision.send is Stage.NUDGE_1D and decision.late
    assert decision.skipped == [Stage.WINDOW_OPEN, Stage.NUDGE_7D]
    assert decision.next is not None and decision.next.stage is Stage.GRACE


def test_nothing_is_sent_once_the_grace_period_is_over() -> None:
    expiry = date(2027, 3, 31)
    now = datetime.combine(grace_deadline(expiry) + timedelta(days=2), datetime.min.time(), UTC)
    decision = resolve_due(expiry, Stage.LAST_CHANCE, now)
    assert decision.send is None and decision.next is None
    assert decision.skipped == [Stage.LAST_CHANCE]


def test_a_renewed_cycle_sends_no_nudges() -> None:
    expiry = date(2027, 3, 31)
    now = stage_due_at(expiry, Stage.NUDGE_7D) + timedelta(minutes=1)
    decision = resolve_due(expiry, Stage.NUDGE_7D, now, renewed=True)
    assert decision.send is None and decision.next is None
