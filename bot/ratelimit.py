"""Per-user flood control: more than ``max_messages`` in ``window_s`` seconds → slow down.

In memory on purpose: it protects Rasa and the database of *this* process from one noisy chat,
and a restart forgetting the counters is harmless. The first message over the limit gets a
friendly notice; further ones inside the same window are dropped silently (answering each one
would double the flood), until the user's rate falls below the limit again.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

SLOW_DOWN_TEXT = "你发消息有点快 🙂 请稍等几秒再发，我会继续回答你。"
DEFAULT_MAX_MESSAGES = 20
DEFAULT_WINDOW_S = 10.0


class Verdict(Enum):
    ALLOW = "allow"
    NOTICE = "notice"  # first message over the limit: tell the user to slow down
    DROP = "drop"  # still flooding after the notice: ignore quietly


@dataclass
class FloodControl:
    max_messages: int = DEFAULT_MAX_MESSAGES
    window_s: float = DEFAULT_WINDOW_S
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, deque[float]] = field(default_factory=dict)
    _warned: dict[str, float] = field(default_factory=dict)
    _checks: int = 0

    @classmethod
    def from_env(cls) -> FloodControl:
        """``FLOOD_MAX_MESSAGES`` (0 disables) and ``FLOOD_WINDOW_S`` override the defaults."""
        raw_max = os.environ.get("FLOOD_MAX_MESSAGES", "").strip()
        raw_window = os.environ.get("FLOOD_WINDOW_S", "").strip()
        return cls(
            max_messages=int(raw_max) if raw_max else DEFAULT_MAX_MESSAGES,
            window_s=float(raw_window) if raw_window else DEFAULT_WINDOW_S,
        )

    @property
    def enabled(self) -> bool:
        return self.max_messages > 0 and self.window_s > 0

    def check(self, sender_id: str) -> Verdict:
        """Count one message of ``sender_id`` and say whether to answer it."""
        if not self.enabled:
            return Verdict.ALLOW
        now = self.clock()
        self._checks += 1
        if self._checks % 1000 == 0:
            self._forget_idle(now)
        stamps = self._seen.setdefault(sender_id, deque())
        while stamps and stamps[0] <= now - self.window_s:
            stamps.popleft()
        stamps.append(now)
        if len(stamps) <= self.max_messages:
            self._warned.pop(sender_id, None)
            return Verdict.ALLOW
        # keep memory bounded for a flooding sender: only the newest max+1 stamps matter
        while len(stamps) > self.max_messages + 1:
            stamps.popleft()
        warned_at = self._warned.get(sender_id)
        if warned_at is not None and warned_at > now - self.window_s:
            return Verdict.DROP
        self._warned[sender_id] = now
        return Verdict.NOTICE

    def _forget_idle(self, now: float) -> None:
        idle = [s for s, stamps in self._seen.items() if not stamps or stamps[-1] <= now - self.window_s]
        for sender in idle:
            self._seen.pop(sender, None)
            self._warned.pop(sender, None)

    def tracked_senders(self) -> int:
        return len(self._seen)
