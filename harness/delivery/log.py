"""The attempt log: what happened to one event, attempt by attempt.

It reads like the OMS dashboard's list of attempts: number, time, status code,
outcome, latency and the first bytes of the answer or the error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from harness.delivery.outcome import Outcome

__all__ = ["Attempt", "AttemptLog"]

_DETAIL_WIDTH = 72


@dataclass(frozen=True)
class Attempt:
    """One attempt of one event, as the OMS would record it."""

    number: int
    started_at: str
    outcome: Outcome
    status: int | None
    latency: float
    error: str | None = None
    body_prefix: str = ""
    location: str | None = None

    @property
    def received(self) -> bool:
        """Whether this attempt acknowledged the event."""
        return self.outcome.received

    @property
    def detail(self) -> str:
        """The one fact worth showing beside the status: error, Location or body."""
        if self.location is not None and self.outcome is Outcome.REDIRECT:
            return f"Location: {self.location} (not followed)"
        if self.error:
            return self.error
        if self.body_prefix:
            return repr(self.body_prefix)
        return ""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with stable keys."""
        return {
            "number": self.number,
            "started_at": self.started_at,
            "outcome": self.outcome.value,
            "received": self.received,
            "status": self.status,
            "latency_ms": round(self.latency * 1000, 1),
            "error": self.error,
            "location": self.location,
            "body_prefix": self.body_prefix,
        }


@dataclass
class AttemptLog:
    """Every attempt made to deliver one event, and the verdict."""

    event_id: str | None
    event_type: str | None
    url: str
    attempts: list[Attempt] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    """Extra request headers sent with every attempt; secret values show as ***."""

    @property
    def received(self) -> bool:
        """Whether some attempt acknowledged the event."""
        return any(attempt.received for attempt in self.attempts)

    @property
    def received_on(self) -> int | None:
        """The number of the acknowledging attempt, or ``None``."""
        return next((a.number for a in self.attempts if a.received), None)

    @property
    def last(self) -> Attempt | None:
        """The last attempt made, if any."""
        return self.attempts[-1] if self.attempts else None

    @property
    def verdict(self) -> str:
        """``received on attempt 3`` or ``not received after 6 attempts``."""
        if self.received_on is not None:
            return f"received on attempt {self.received_on}"
        count = len(self.attempts)
        return f"not received after {count} attempt{'s' if count != 1 else ''}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict with stable keys."""
        return {
            "event_id": self.event_id,
            "event_type": self.event_type,
            "url": self.url,
            "headers": dict(self.headers),
            "received": self.received,
            "received_on": self.received_on,
            "verdict": self.verdict,
            "attempts": [attempt.to_dict() for attempt in self.attempts],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """``to_dict()`` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def render(self) -> str:
        """A table for people, one row per attempt, and the verdict."""
        what = " ".join(part for part in (self.event_type, self.event_id) if part)
        lines = [f"{what or 'event'} -> {self.url}"]
        lines.extend(f"  {name}: {value}" for name, value in self.headers.items())
        lines.append(
            f"  {'#':>2}  {'started (UTC)':<24}  {'status':>6}  {'outcome':<18}  "
            f"{'latency':>9}  detail"
        )
        for attempt in self.attempts:
            status = "-" if attempt.status is None else str(attempt.status)
            latency = f"{attempt.latency * 1000:.0f} ms"
            lines.append(
                f"  {attempt.number:>2}  {attempt.started_at:<24}  {status:>6}  "
                f"{attempt.outcome.label:<18}  {latency:>9}  "
                f"{_clip(attempt.detail)}".rstrip()
            )
        lines.append(self.verdict)
        last = self.last
        if last is not None and not self.received:
            lines.append(f"why: {last.outcome.explain(last.status)}")
        return "\n".join(lines)


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= _DETAIL_WIDTH:
        return text
    return text[: _DETAIL_WIDTH - 3] + "..."
