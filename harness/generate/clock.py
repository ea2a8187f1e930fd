"""Seeded time: a generator's clock starts at a seed-chosen instant and only moves on.

Times are whole milliseconds since the Unix epoch (UTC); the two renderers give
Solidus's millisecond form and EasyPost's whole-second form.  No wall clock is
ever read, so the same seed gives the same times on every machine.
"""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from random import Random

__all__ = [
    "DAY",
    "HOUR",
    "MINUTE",
    "SECOND",
    "Clock",
    "easypost_time",
    "solidus_time",
    "year_of",
]

SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR

_EPOCH = datetime(1970, 1, 1)
# Generated histories start somewhere in 2024 or 2025.
_START = int((datetime(2024, 1, 1) - _EPOCH).total_seconds()) * SECOND
_SPAN = 730 * DAY


@functools.lru_cache(maxsize=1024)
def _day(days: int) -> str:
    """'2024-05-14' for a day number since the epoch (pure, memoized)."""
    return (_EPOCH + timedelta(days=days)).isoformat()[:10]


@functools.lru_cache(maxsize=8192)
def _minute(minutes: int) -> str:
    """'2024-05-14T18:22:' for a minute number since the epoch (pure, memoized).

    The times of one order fall within a few minutes of each other, so most
    hit this cache and only their seconds need formatting.
    """
    days, of_day = divmod(minutes, 1440)
    hours, minute = divmod(of_day, 60)
    return f"{_day(days)}T{hours:02d}:{minute:02d}:"


def solidus_time(ms: int) -> str:
    """'2024-05-14T18:22:05.123Z': Rails JSON time with milliseconds."""
    minutes, rest = divmod(ms, MINUTE)
    return f"{_minute(minutes)}{rest // SECOND:02d}.{rest % SECOND:03d}Z"


def easypost_time(ms: int) -> str:
    """'2022-10-17T17:51:57Z': EasyPost's time, whole seconds."""
    minutes, rest = divmod(ms, MINUTE)
    return f"{_minute(minutes)}{rest // SECOND:02d}Z"


def year_of(ms: int) -> int:
    """The calendar year (UTC) of an instant."""
    return (_EPOCH + timedelta(milliseconds=ms)).year


class Clock:
    """A monotonic, seeded clock in milliseconds."""

    def __init__(self, rng: Random) -> None:
        self._rng = rng
        self.now = _START + rng.randrange(_SPAN)

    def advance(self, low: int, high: int) -> int:
        """Move on by a random step in [low, high] ms (at least 1) and return now."""
        self.now += max(1, low + int(self._rng.random() * (high - low + 1)))
        return self.now

    def move_to(self, ms: int) -> None:
        """Move on to ``ms`` if it is later than now; never back."""
        self.now = max(self.now, ms)
