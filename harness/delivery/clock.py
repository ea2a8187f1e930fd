"""Time as the retry engine sees it: a real clock, and a fake one for tests."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FakeClock", "SystemClock", "iso_ms"]


@runtime_checkable
class Clock(Protocol):
    """What the engine needs from time: a monotonic reading, the date, a pause."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary start; never goes back."""
        ...

    def now(self) -> datetime:
        """The current date and time, timezone-aware, in UTC."""
        ...

    def sleep(self, seconds: float) -> None:
        """Pause for ``seconds``."""
        ...


class SystemClock:
    """The machine's clock: real pauses."""

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)

    def sleep(self, seconds: float) -> None:
        """Really wait."""
        if seconds > 0:
            time.sleep(seconds)


class FakeClock:
    """A clock that moves only when slept on or advanced; records every sleep.

    Safe to share between threads (``Deliverer.deliver_many``).
    """

    def __init__(
        self, start: datetime = datetime(2024, 5, 14, 18, 22, 5, tzinfo=UTC)
    ) -> None:
        if start.tzinfo is None:
            start = start.replace(tzinfo=UTC)
        self._start = start.astimezone(UTC)
        self._elapsed = 0.0
        self._sleeps: list[float] = []
        self._lock = threading.Lock()

    @property
    def sleeps(self) -> list[float]:
        """The pauses asked for, in order (a copy)."""
        with self._lock:
            return list(self._sleeps)

    @property
    def elapsed(self) -> float:
        """Seconds this clock has moved since it was made."""
        with self._lock:
            return self._elapsed

    def monotonic(self) -> float:
        """Seconds since the clock was made."""
        return self.elapsed

    def now(self) -> datetime:
        """The start time plus the seconds slept and advanced."""
        with self._lock:
            return self._start + timedelta(seconds=self._elapsed)

    def sleep(self, seconds: float) -> None:
        """Record the pause and move the clock on at once."""
        with self._lock:
            self._sleeps.append(seconds)
            self._elapsed += max(seconds, 0.0)

    def advance(self, seconds: float) -> None:
        """Move the clock on without recording a sleep."""
        with self._lock:
            self._elapsed += seconds


def iso_ms(moment: datetime) -> str:
    """``moment`` as ISO 8601 in UTC with milliseconds: ``2024-05-14T18:22:05.123Z``."""
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")
