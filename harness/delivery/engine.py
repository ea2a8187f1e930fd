"""The retry engine: deliver an event the way Chord OMS does.

Send; while the event is not received, pause by the contract's schedule and
send the very same bytes again, up to ``policy.max_attempts`` attempts in all.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from harness.contract import EnvelopeKeys, RetryPolicy
from harness.delivery.clock import Clock, SystemClock, iso_ms
from harness.delivery.headers import check_headers, mask_secrets
from harness.delivery.log import Attempt, AttemptLog
from harness.delivery.requests_transport import RequestsTransport
from harness.delivery.transport import DeliveryRequest, Transport
from harness.delivery.urls import check_url
from harness.envelope import encode
from harness.envelope import event_id as read_event_id
from harness.envelope import event_type as read_event_type
from harness.errors import UsageError

__all__ = ["Deliverer"]

logger = logging.getLogger("harness.delivery")

_HINTS = {
    "pause_scale": "give 0 (no pauses), 1 (the contract's schedule) or any "
    "positive factor",
    "timeout": "give a positive number of seconds, e.g. 10",
}


def _check_number(name: str, value: float, *, zero_ok: bool) -> float:
    bad = not isinstance(value, int | float) or isinstance(value, bool)
    if bad or math.isnan(value) or math.isinf(value):
        raise UsageError(
            f"{name} {value!r} is not a finite number", remedy=_HINTS[name]
        )
    if value < 0 or (value == 0 and not zero_ok):
        raise UsageError(f"{name} {value!r} is out of range", remedy=_HINTS[name])
    return float(value)


class Deliverer:
    """Plays the OMS for one endpoint: attempts, repeats, pauses, logs.

    ``transport`` defaults to a ``RequestsTransport`` that this deliverer owns
    and closes; a transport passed in is left open for its owner to close.
    ``pause_scale`` multiplies every pause (0: none); ``timeout`` replaces the
    policy's per-attempt deadline.  ``headers`` are sent with every attempt;
    ``secret_headers`` too, but their values show as *** in logs and output.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        transport: Transport | None = None,
        clock: Clock | None = None,
        pause_scale: float = 1.0,
        headers: Mapping[str, str] | None = None,
        secret_headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        envelope: EnvelopeKeys | None = None,
    ) -> None:
        if policy.follow_redirects:
            raise UsageError(
                "the contract says to follow redirects, but Chord OMS never does and "
                "the harness cannot",
                remedy="set follow_redirects = false in the contract file",
            )
        self.policy = policy
        self.pause_scale = _check_number("pause_scale", pause_scale, zero_ok=True)
        self.timeout = (
            policy.timeout
            if timeout is None
            else _check_number("timeout", timeout, zero_ok=False)
        )
        self.clock: Clock = clock or SystemClock()
        self.envelope = envelope or EnvelopeKeys()
        plain = check_headers(headers or {})
        secret = check_headers(secret_headers or {}, secret=True)
        self._headers = {**plain, **secret}
        self._secret_names = frozenset(name.lower() for name in secret)
        self._owns_transport = transport is None
        self.transport: Transport = transport or RequestsTransport(policy)

    def __enter__(self) -> Deliverer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the transport if this deliverer made it."""
        if self._owns_transport:
            self.transport.close()

    @property
    def shown_headers(self) -> dict[str, str]:
        """The extra headers sent, with secret values replaced by ***."""
        return mask_secrets(self._headers, self._secret_names)

    def deliver(
        self,
        url: str,
        event: Mapping[str, Any] | bytes,
        *,
        event_id: str | None = None,
        event_type: str | None = None,
    ) -> AttemptLog:
        """Deliver one event until acknowledged or out of attempts.

        Every attempt sends the same bytes: a mapping is encoded once with
        ``harness.envelope.encode``; bytes are sent exactly as given.
        """
        url = check_url(url)
        body, found_id, found_type = self._prepare(event)
        log = AttemptLog(
            event_id=event_id if event_id is not None else found_id,
            event_type=event_type if event_type is not None else found_type,
            url=url,
            headers=self.shown_headers,
        )
        for number in range(1, self.policy.max_attempts + 1):
            pause = self.policy.pause_before(number) * self.pause_scale
            if pause > 0:
                self.clock.sleep(pause)
            attempt = self._attempt(url, body, number, log.event_id)
            log.attempts.append(attempt)
            if attempt.received:
                break
        return log

    def attempt(
        self,
        url: str,
        body: bytes,
        number: int = 1,
        *,
        headers: Mapping[str, str] | None = None,
    ) -> Attempt:
        """Make one attempt, with no repeat; ``headers`` add to the usual ones."""
        return self._attempt(check_url(url), body, number, None, headers)

    def deliver_many(
        self,
        url: str,
        events: Iterable[Mapping[str, Any] | bytes],
        *,
        concurrency: int,
    ) -> list[AttemptLog]:
        """Deliver several events at once, at most ``concurrency`` at a time.

        Returns one log per event, in the order the events were given.
        """
        if isinstance(concurrency, bool) or not isinstance(concurrency, int):
            raise UsageError(
                f"concurrency {concurrency!r} is not a whole number",
                remedy="give a whole number of parallel deliveries, e.g. 8",
            )
        if concurrency < 1:
            raise UsageError(
                f"concurrency {concurrency} is below 1",
                remedy="give at least 1 parallel delivery",
            )
        url = check_url(url)
        items = list(events)
        if not items:
            return []
        workers = min(concurrency, len(items))
        with ThreadPoolExecutor(workers, thread_name_prefix="chord-deliver") as pool:
            return list(pool.map(lambda event: self.deliver(url, event), items))

    def _prepare(
        self, event: Mapping[str, Any] | bytes
    ) -> tuple[bytes, str | None, str | None]:
        if isinstance(event, bytes | bytearray | memoryview):
            body = bytes(event)
            try:
                parsed = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                parsed = None
        elif isinstance(event, Mapping):
            parsed = dict(event)
            try:
                body = encode(parsed)
            except (TypeError, ValueError) as exc:
                raise UsageError(
                    f"the event cannot be sent as JSON ({exc})",
                    remedy="use only str, numbers, bool, None, lists and dicts; "
                    "write dates as ISO 8601 strings and money as decimal strings",
                ) from exc
        else:
            raise UsageError(
                f"cannot deliver a {type(event).__name__}",
                remedy="pass the event as a dict or as its JSON bytes",
            )
        return (
            body,
            read_event_id(parsed, self.envelope),
            read_event_type(parsed, self.envelope),
        )

    def _attempt(
        self,
        url: str,
        body: bytes,
        number: int,
        event_id: str | None,
        headers: Mapping[str, str] | None = None,
    ) -> Attempt:
        extra = (
            {**self._headers, **check_headers(headers)} if headers else self._headers
        )
        request = DeliveryRequest(
            url=url, body=body, headers=extra, timeout=self.timeout
        )
        started_at = iso_ms(self.clock.now())
        result = self.transport.send(request)
        attempt = Attempt(
            number=number,
            started_at=started_at,
            outcome=result.outcome,
            status=result.status,
            latency=result.latency,
            error=result.error,
            body_prefix=result.body_prefix[: self.policy.body_log_bytes].decode(
                "utf-8", errors="replace"
            ),
            location=result.location,
        )
        if logger.isEnabledFor(logging.INFO):
            self._log(attempt, result.latency, event_id, url)
        return attempt

    def _log(
        self, attempt: Attempt, latency: float, event_id: str | None, url: str
    ) -> None:
        logger.info(
            "attempt %s/%s of event %s to %s: %s %s in %.0f ms%s",
            attempt.number,
            self.policy.max_attempts,
            event_id or "-",
            url,
            "-" if attempt.status is None else attempt.status,
            attempt.outcome.value,
            latency * 1000,
            f" ({attempt.detail})" if attempt.detail else "",
        )
