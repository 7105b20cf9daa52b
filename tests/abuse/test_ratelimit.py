"""Flood control: 20 messages per 10 s pass, the 21st gets the notice, more are dropped."""

from __future__ import annotations

from bot.ratelimit import FloodControl, Verdict


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_twenty_messages_in_ten_seconds_pass_the_next_gets_a_notice_then_silence() -> None:
    clock = Clock()
    flood = FloodControl(max_messages=20, window_s=10, clock=clock)
    verdicts = []
    for _ in range(25):
        verdicts.append(flood.check("tg:1"))
        clock.now += 0.1
    assert verdicts[:20] == [Verdict.ALLOW] * 20
    assert verdicts[20] is Verdict.NOTICE
    assert verdicts[21:] == [Verdict.DROP] * 4


def test_other_users_are_not_affected_and_the_limit_recovers() -> None:
    clock = Clock()
    flood = FloodControl(max_messages=20, window_s=10, clock=clock)
    for _ in range(30):
        flood.check("tg:1")
    assert flood.check("tg:2") is Verdict.ALLOW
    clock.now += 10.5
    assert flood.check("tg:1") is Verdict.ALLOW


def test_a_steady_pace_under_the_limit_is_never_throttled() -> None:
    clock = Clock()
    flood = FloodControl(max_messages=20, window_s=10, clock=clock)
    for _ in range(500):
        assert flood.check("tg:1") is Verdict.ALLOW
        clock.now += 0.51


def test_memory_stays_bounded_for_many_idle_senders() -> None:
    clock = Clock()
    flood = FloodControl(max_messages=20, window_s=10, clock=clock)
    for i in range(5000):
        flood.check(f"tg:{i}")
    clock.now += 60
    for i in range(1000):
        flood.check(f"late:{i}")
    assert flood.tracked_senders() <= 1000 + 1000


def test_zero_disables(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("FLOOD_MAX_MESSAGES", "0")
    flood = FloodControl.from_env()
    assert all(flood.check("tg:1") is Verdict.ALLOW for _ in range(100))
