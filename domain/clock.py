"""Time. Every service asks a Clock for 'now', so that a simulated clock (demo and test mode only)
can move a whole deployment — web app and Prefect sweeps alike — through a legal period in seconds.

All datetimes in the system are naive and in China Standard Time (UTC+8): the regulations count days
in local dates, and every user sits in that one zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Protocol

CST = timezone(timedelta(hours=8), "CST")


def real_now() -> datetime:
    """Wall-clock time in CST, naive, to the microsecond."""
    return datetime.now(UTC).astimezone(CST).replace(tzinfo=None)


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return real_now()


class FixedClock:
    """A clock that says what it is told; for unit tests."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> None:
        self.at += delta
