"""The transport seam: "send this request, get an outcome", and a mock of it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol, runtime_checkable

from harness.contract import RetryPolicy, default_contract
from harness.delivery.failures import classify_error
from harness.delivery.outcome import Outcome, classify_status

__all__ = [
    "DeliveryRequest",
    "MockAnswer",
    "MockTransport",
    "Transport",
    "TransportResult",
]


@dataclass(frozen=True)
class DeliveryRequest:
    """One POST of one event: the exact bytes, extra headers and a deadline."""

    url: str
    body: bytes
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 10.0


@dataclass(frozen=True)
class TransportResult:
    """What one attempt produced, already judged.

    ``status`` is ``None`` when no status line arrived; ``body_prefix`` holds
    the first bytes of the answer's body (at most the policy's log size) and
    ``body_read`` how many body bytes were read in all (at most the cap).
    """

    outcome: Outcome
    status: int | None = None
    latency: float = 0.0
    error: str | None = None
    body_prefix: bytes = b""
    location: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body_read: int = 0

    @classmethod
    def answer(
        cls,
        status: int,
        policy: RetryPolicy,
        *,
        body: bytes = b"",
        location: str | None = None,
        latency: float = 0.0,
        headers: Mapping[str, str] | None = None,
    ) -> TransportResult:
        """A complete HTTP answer, judged by ``policy``'s success codes."""
        return cls(
            outcome=classify_status(status, policy.success_codes),
            status=status,
            latency=latency,
            body_prefix=body[: policy.body_log_bytes],
            location=location,
            headers=MappingProxyType(dict(headers or {})),
            body_read=min(len(body), policy.body_cap_bytes),
        )

    @classmethod
    def failure(cls, exc: BaseException, *, latency: float = 0.0) -> TransportResult:
        """An attempt that ended in a network failure (no complete answer)."""
        outcome, error = classify_error(exc)
        return cls(outcome=outcome, latency=latency, error=error)


@runtime_checkable
class Transport(Protocol):
    """Sends one request and judges what came back; never raises for the network."""

    def send(self, request: DeliveryRequest) -> TransportResult:
        """Make one attempt; map every network failure to an outcome."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


MockAnswer = TransportResult | int | BaseException
"""What a ``MockTransport`` handler may give back: a result, a status, a failure."""


class MockTransport:
    """A transport with no sockets: a handler decides each answer.

    The handler gets each ``DeliveryRequest`` and returns a ``TransportResult``,
    a status code (judged by ``policy``), or an exception (returned or raised)
    that is mapped to its outcome as the real transport would, e.g.
    ``TimeoutError()`` -> TIMEOUT, ``ConnectionRefusedError()`` ->
    CONNECTION_REFUSED.  Every request it saw is kept in ``requests``.
    """

    def __init__(
        self,
        handler: Callable[[DeliveryRequest], MockAnswer],
        *,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._handler = handler
        self._policy = policy
        self._lock = threading.Lock()
        self._requests: list[DeliveryRequest] = []
        self.closed = False

    @classmethod
    def sequence(
        cls, answers: Iterable[MockAnswer], *, policy: RetryPolicy | None = None
    ) -> MockTransport:
        """Answer the n-th request with the n-th answer; fail the test past the end."""
        items = list(answers)
        lock = threading.Lock()
        position = [0]

        def next_answer(request: DeliveryRequest) -> MockAnswer:
            with lock:
                index = position[0]
                position[0] += 1
            if index >= len(items):
                raise AssertionError(
                    f"MockTransport got request {index + 1} but was given "
                    f"{len(items)} answers"
                )
            return items[index]

        return cls(next_answer, policy=policy)

    @property
    def requests(self) -> list[DeliveryRequest]:
        """The requests sent so far, in order (a copy)."""
        with self._lock:
            return list(self._requests)

    def send(self, request: DeliveryRequest) -> TransportResult:
        """Record ``request`` and turn the handler's answer into a result."""
        with self._lock:
            self._requests.append(request)
        try:
            answer = self._handler(request)
        except AssertionError:
            raise
        except Exception as exc:
            # A raised failure is an answer too; bugs are re-raised by failure().
            answer = exc
        if isinstance(answer, TransportResult):
            return answer
        if isinstance(answer, BaseException):
            return TransportResult.failure(answer)
        return TransportResult.answer(answer, self._resolve_policy())

    def close(self) -> None:
        """Mark the transport closed; there is nothing to release."""
        self.closed = True

    def _resolve_policy(self) -> RetryPolicy:
        if self._policy is None:
            self._policy = default_contract().retry
        return self._policy
