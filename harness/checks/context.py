"""The state one run of the contract suite shares between its checks."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from harness.checks.verdict import curl_command
from harness.contract import Contract, default_contract
from harness.delivery import (
    Attempt,
    AttemptLog,
    Deliverer,
    Outcome,
    RequestsTransport,
    check_url,
)
from harness.delivery.requests_transport import USER_AGENT
from harness.envelope import encode
from harness.errors import UsageError
from harness.generate import EventFactory

__all__ = ["ProcessedCount", "SuiteConfig", "SuiteContext", "url_observer"]

ProcessedCount = Callable[[str], int]
"""How a user lets the suite see their side effects: event id -> times processed."""


@dataclass(frozen=True)
class SuiteConfig:
    """Everything a run of the contract suite is told, validated once."""

    url: str
    contract: Contract = field(default_factory=default_contract)
    event_types: tuple[str, ...] = ()
    seed: int = 0
    timeout: float | None = None
    ack_budget: float | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    secret_headers: Mapping[str, str] = field(default_factory=dict)
    processed_count: ProcessedCount | None = None
    ca_file: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", check_url(self.url))
        names = self.event_types or self.contract.event_names
        canonical = tuple(dict.fromkeys(self.contract.canonical_type(n) for n in names))
        object.__setattr__(self, "event_types", canonical)
        for name, value in (("timeout", self.timeout), ("budget", self.ack_budget)):
            if value is not None and not value > 0:
                raise UsageError(
                    f"{name} {value!r} is not a positive number of seconds",
                    remedy="give a number above 0, e.g. 2.5",
                )

    @property
    def attempt_timeout(self) -> float:
        """The per-attempt deadline: the override, or the contract's."""
        return self.timeout if self.timeout is not None else self.contract.retry.timeout

    @property
    def budget(self) -> float:
        """The time within which an acknowledgement counts as prompt."""
        budget = self.ack_budget or self.contract.checks.ack_budget
        return min(budget, self.attempt_timeout)


class SuiteContext:
    """Shared by the checks of one run: one deliverer, seeds, the timeout streak.

    Thread-safe: the burst check delivers from several threads at once.
    """

    def __init__(self, config: SuiteConfig) -> None:
        self.config = config
        self.contract = config.contract
        self.transport = RequestsTransport(
            config.contract.retry, ca_file=config.ca_file
        )
        self.deliverer = Deliverer(
            config.contract.retry,
            transport=self.transport,
            pause_scale=0.0,
            timeout=config.attempt_timeout,
            headers=config.headers,
            secret_headers=config.secret_headers,
            envelope=config.contract.envelope,
        )
        self._lock = threading.Lock()
        self._timeout_streak = 0
        self.unreachable: Attempt | None = None

    def close(self) -> None:
        self.transport.close()

    # -- events ---------------------------------------------------------------

    def factory(self, check_id: str, event_type: str) -> EventFactory:
        """A generator seeded for this check and type, independent of run order."""
        key = f"{self.config.seed}:{check_id}:{event_type}".encode()
        return EventFactory(zlib.crc32(key), self.contract)

    # -- sending --------------------------------------------------------------

    @property
    def stalled(self) -> bool:
        """Whether the endpoint timed out on its last few attempts in a row."""
        return self._timeout_streak >= self.contract.checks.timeout_streak_limit

    def _note(self, attempts: Sequence[Attempt]) -> None:
        with self._lock:
            for attempt in attempts:
                if attempt.outcome is Outcome.TIMEOUT:
                    self._timeout_streak += 1
                else:
                    self._timeout_streak = 0

    def deliver(self, event: Mapping[str, Any] | bytes) -> AttemptLog:
        """Deliver with the OMS's repeats (no pauses): the whole attempt log."""
        log = self.deliverer.deliver(self.config.url, event)
        self._note(log.attempts)
        return log

    def send_once(self, event: Mapping[str, Any] | bytes) -> AttemptLog:
        """One attempt, no repeat, wrapped in an attempt log."""
        body = event if isinstance(event, bytes) else encode(event)
        log = self._empty_log(event)
        attempt = self.deliverer.attempt(self.config.url, body)
        log.attempts.append(attempt)
        self._note(log.attempts)
        return log

    def repeat(self, event: Mapping[str, Any], times: int) -> AttemptLog:
        """Send the same bytes ``times`` times, stopping at the first failure."""
        body = encode(event)
        log = self._empty_log(event)
        for number in range(1, times + 1):
            attempt = self.deliverer.attempt(self.config.url, body, number)
            log.attempts.append(attempt)
            self._note([attempt])
            if not attempt.received:
                break
        return log

    def send_many(self, events: Sequence[Mapping[str, Any]]) -> list[AttemptLog]:
        """One attempt per event, ``burst_concurrency`` at a time."""
        single = replace(self.contract.retry, max_attempts=1)
        burst = Deliverer(
            single,
            transport=self.transport,
            pause_scale=0.0,
            timeout=self.config.attempt_timeout,
            headers=self.config.headers,
            secret_headers=self.config.secret_headers,
            envelope=self.contract.envelope,
        )
        logs = burst.deliver_many(
            self.config.url, events, concurrency=self.contract.checks.burst_concurrency
        )
        for log in logs:
            self._note(log.attempts)
        return logs

    def abandon(self, event: Mapping[str, Any]) -> None:
        """Send ``event`` on a raw socket and hang up before the answer.

        This is what the OMS does when its deadline passes while the endpoint
        is still working: the endpoint got the event, the OMS saw no answer.
        """
        body = encode(event)
        parts = urllib.parse.urlsplit(self.config.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        target = parts.path or "/"
        if parts.query:
            target += f"?{parts.query}"
        head = [
            f"POST {target} HTTP/1.1",
            f"Host: {parts.netloc}",
            "Content-Type: application/json",
            f"User-Agent: {USER_AGENT}",
            f"Content-Length: {len(body)}",
            "Connection: close",
            *(f"{name}: {value}" for name, value in self.config.headers.items()),
            *(f"{name}: {value}" for name, value in self.config.secret_headers.items()),
        ]
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        timeout = self.config.attempt_timeout
        try:
            with socket.create_connection(
                (parts.hostname, port), timeout=timeout
            ) as raw:
                sock: socket.socket = raw
                if parts.scheme == "https":
                    context = ssl.create_default_context(cafile=self.config.ca_file)
                    sock = context.wrap_socket(raw, server_hostname=parts.hostname)
                sock.sendall(request)
                time.sleep(self.contract.checks.abandon_after)
        except OSError:
            # The repeat that follows judges the endpoint; a failed hang-up
            # attempt only means the endpoint saw less than the OMS would send.
            return

    def processed(self, event_id: str) -> int | None:
        """The user's count of how often ``event_id`` was processed, if observable."""
        observe = self.config.processed_count
        return None if observe is None else int(observe(event_id))

    def _empty_log(self, event: Mapping[str, Any] | bytes) -> AttemptLog:
        keys = self.contract.envelope
        parsed = event if isinstance(event, Mapping) else {}
        return AttemptLog(
            event_id=parsed.get(keys.id),
            event_type=parsed.get(keys.type),
            url=self.config.url,
            headers=self.deliverer.shown_headers,
        )

    def reproduce(self, event: Mapping[str, Any] | bytes) -> str:
        body = event if isinstance(event, bytes) else encode(event)
        return curl_command(self.config.url, body, self.deliverer.shown_headers)


def url_observer(template: str, *, timeout: float = 5.0) -> ProcessedCount:
    """An observer that GETs ``template`` with ``{id}`` filled in.

    The answer is a JSON number or an object with a ``count`` key.
    """
    if "{id}" not in template:
        raise UsageError(
            f"processed-count URL {template!r} has no {{id}} placeholder",
            remedy="write it like http://127.0.0.1:8000/processed/{id}",
        )
    check_url(template.replace("{id}", "x"))

    def observe(event_id: str) -> int:
        url = template.replace("{id}", urllib.parse.quote(event_id, safe=""))
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            value = json.loads(answer.read(65536))
        count = value.get("count") if isinstance(value, dict) else value
        if not isinstance(count, int) or isinstance(count, bool):
            raise ValueError(f"{url} answered {value!r}, not a count")
        return count

    return observe
