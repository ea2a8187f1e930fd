"""The delivery simulator: send events as Chord OMS does and log every attempt.

``Deliverer`` is the retry engine; it sends through a ``Transport``
(``RequestsTransport`` for real sockets, ``MockTransport`` for tests) and
pauses through a ``Clock`` (``SystemClock``, or ``FakeClock`` in tests).
Each attempt is judged into an ``Outcome``; an ``AttemptLog`` holds them all.
"""

from __future__ import annotations

from harness.delivery.clock import Clock, FakeClock, SystemClock
from harness.delivery.engine import Deliverer
from harness.delivery.headers import parse_header
from harness.delivery.log import Attempt, AttemptLog
from harness.delivery.outcome import Outcome, classify_status
from harness.delivery.requests_transport import RequestsTransport
from harness.delivery.transport import (
    DeliveryRequest,
    MockAnswer,
    MockTransport,
    Transport,
    TransportResult,
)
from harness.delivery.urls import check_url

__all__ = [
    "Attempt",
    "AttemptLog",
    "Clock",
    "Deliverer",
    "DeliveryRequest",
    "FakeClock",
    "MockAnswer",
    "MockTransport",
    "Outcome",
    "RequestsTransport",
    "SystemClock",
    "Transport",
    "TransportResult",
    "check_url",
    "classify_status",
    "parse_header",
]
