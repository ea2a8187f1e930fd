"""The receiver's shared state: what arrived, what was processed, what it remembers.

Handler threads, the worker thread and the test thread all read and write it,
so every method takes the one lock and no caller ever holds a reference to the
inner collections.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

__all__ = ["Delivery", "Ledger"]


@dataclass(frozen=True)
class Delivery:
    """One request that reached the webhook path, and the status answered."""

    method: str
    path: str
    event_id: str | None
    event_type: str | None
    status: int


class Ledger:
    """Thread-safe memory of one receiver run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deliveries: list[Delivery] = []
        self._processed: Counter[str] = Counter()
        self._seen: set[str] = set()
        self._attempts: Counter[str] = Counter()
        self._in_progress: set[str] = set()
        self._orders: set[str] = set()
        self._in_flight = 0

    def record(self, delivery: Delivery) -> None:
        with self._lock:
            self._deliveries.append(delivery)

    def deliveries(self) -> list[Delivery]:
        """A copy of every delivery so far, in arrival order."""
        with self._lock:
            return list(self._deliveries)

    def claim(self, event_id: str, *, dedupe: bool) -> bool:
        """Count one processing of ``event_id``; refuse a repeat when deduping."""
        with self._lock:
            if dedupe and self._processed[event_id]:
                return False
            self._processed[event_id] += 1
            return True

    def processed_count(self, event_id: str) -> int:
        with self._lock:
            return self._processed.get(event_id, 0)

    def first_sight(self, event_id: str) -> bool:
        """Remember ``event_id``; true only the first time it is offered."""
        with self._lock:
            if event_id in self._seen:
                return False
            self._seen.add(event_id)
            return True

    def next_attempt(self, event_id: str) -> int:
        """Count one more attempt at ``event_id`` and return its number (from 1)."""
        with self._lock:
            self._attempts[event_id] += 1
            return self._attempts[event_id]

    def begin(self, event_id: str) -> bool:
        """Mark ``event_id`` as being processed; false if it already is."""
        with self._lock:
            if event_id in self._in_progress:
                return False
            self._in_progress.add(event_id)
            return True

    def end(self, event_id: str) -> None:
        with self._lock:
            self._in_progress.discard(event_id)

    def add_order(self, number: str) -> None:
        with self._lock:
            self._orders.add(number)

    def knows_order(self, number: str) -> bool:
        with self._lock:
            return number in self._orders

    def enter(self) -> int:
        """Count a request in; return how many are being handled now."""
        with self._lock:
            self._in_flight += 1
            return self._in_flight

    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    def leave(self) -> None:
        with self._lock:
            self._in_flight -= 1
