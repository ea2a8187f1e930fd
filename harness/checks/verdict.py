"""What a contract check concludes, and how to reproduce it."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.delivery import AttemptLog
from harness.delivery.requests_transport import USER_AGENT

__all__ = ["Verdict", "curl_command"]

# A reproduce command longer than this is shown clipped in the text view; the
# JSON report always carries it whole.
_SHOWN_COMMAND_CHARS = 1500


def curl_command(url: str, body: bytes, headers: Mapping[str, str]) -> str:
    """A curl line that POSTs exactly ``body`` with the harness's headers."""
    parts = ["curl", "-sS", "-i", "-X", "POST", shlex.quote(url)]
    sent = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **dict(headers),
    }
    for name, value in sent.items():
        parts += ["-H", shlex.quote(f"{name}: {value}")]
    text = body.decode("utf-8", errors="replace")
    parts += ["--data-binary", shlex.quote(text)]
    return " ".join(parts)


@dataclass
class Verdict:
    """The result of one check for one event type."""

    check_id: str
    event_type: str
    rule: str
    sends: str
    passed: bool = True
    skipped: str | None = None
    message: str = ""
    logs: list[AttemptLog] = field(default_factory=list)
    latency: float | None = None
    reproduce: str | None = None

    @property
    def status(self) -> str:
        if self.skipped is not None:
            return "skipped"
        return "passed" if self.passed else "failed"

    def fail(self, message: str, *, reproduce: str | None = None) -> Verdict:
        """Mark the verdict failed with ``message`` (the first failure wins)."""
        if self.passed:
            self.passed = False
            self.message = message
            self.reproduce = reproduce
        return self

    def skip(self, reason: str) -> Verdict:
        self.skipped = reason
        self.message = reason
        return self

    @property
    def title(self) -> str:
        return f"{self.check_id}[{self.event_type}]"

    def render(self, *, full_command: bool = False) -> str:
        """The text shown for a failure: rule, what was sent, attempts, reproduce."""
        lines = [
            f"{self.title}: {self.status.upper()}",
            f"rule: {self.rule}",
            f"sent: {self.sends}",
        ]
        if self.message:
            lines.append(f"found: {self.message}")
        if self.latency is not None:
            lines.append(f"latency: {self.latency * 1000:.0f} ms")
        for log in self._logs_worth_showing():
            lines.append("")
            lines.append(log.render())
        if self.reproduce:
            command = self.reproduce
            if not full_command and len(command) > _SHOWN_COMMAND_CHARS:
                command = (
                    command[:_SHOWN_COMMAND_CHARS]
                    + f"... ({len(self.reproduce)} characters: the JSON report, "
                    "--report FILE, has the whole command)"
                )
            lines += ["", "reproduce with:", f"  {command}"]
        return "\n".join(lines)

    def _logs_worth_showing(self) -> list[AttemptLog]:
        """For a failure, the deliveries that were not received, if any were not."""
        lost = [log for log in self.logs if not log.received]
        return lost if not self.passed and lost else self.logs

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict for reports."""
        return {
            "id": self.check_id,
            "event_type": self.event_type,
            "status": self.status,
            "passed": self.passed and self.skipped is None,
            "skipped": self.skipped,
            "rule": self.rule,
            "sends": self.sends,
            "message": self.message,
            "latency_ms": None
            if self.latency is None
            else round(self.latency * 1e3, 1),
            "reproduce": self.reproduce,
            "attempt_logs": [log.to_dict() for log in self.logs],
        }
