"""When a web session ends, and how long a sign-in waits after wrong passwords.

Pure: the times are given, nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class SessionLimits:
    """A session ends after `idle` without a request, and `absolute` after sign-in."""

    idle: timedelta
    absolute: timedelta

    def live(self, *, created_at: datetime, last_seen_at: datetime, now: datetime) -> bool:
        return now < created_at + self.absolute and now < last_seen_at + self.idle


@dataclass(frozen=True, slots=True)
class Throttle:
    """After `allowed` wrong passwords within `window`, each further try waits: `first_wait`
    after the last wrong one, doubled for every wrong one beyond, at most `longest_wait`."""

    allowed: int
    first_wait: timedelta
    longest_wait: timedelta
    window: timedelta

    def wait_until(self, failures: Sequence[datetime], *, now: datetime) -> datetime | None:
        """The time before which a sign-in is refused unchecked, or None when it may try."""
        recent = sorted(at for at in failures if at > now - self.window)
        beyond = len(recent) - self.allowed
        if beyond < 0:
            return None
        wait = min(self.first_wait * 2 ** min(beyond, 32), self.longest_wait)
        until = recent[-1] + wait
        return until if until > now else None
