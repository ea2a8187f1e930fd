"""How the OMS judges one delivery attempt: the outcome classes."""

from __future__ import annotations

import enum
from collections.abc import Collection

__all__ = ["Outcome", "classify_status"]

_STATUS_HINTS = {
    401: "the endpoint wants credentials: pass them with --header or --secret-header",
    403: "the endpoint refuses these credentials or this sender",
    404: "nothing answers at this path: check the URL's path",
    405: "the URL does not take POST: check the path and the route's allowed methods",
    410: "the endpoint says it is gone: register its current URL",
    413: "the body is too large for the endpoint: raise its request size limit",
    415: "the endpoint rejects Content-Type application/json",
    429: "the endpoint rate-limited the OMS: it must accept bursts of deliveries",
}


class Outcome(enum.Enum):
    """The class of one attempt's result, as the OMS would judge it."""

    ACKNOWLEDGED = (
        "acknowledged",
        "the endpoint acknowledged the event with one of Chord's codes "
        "(200, 201, 202 or 204)",
    )
    OTHER_2XX = (
        "other_2xx",
        "a 2xx code that Chord does not accept: only 200, 201, 202 and 204 "
        "acknowledge an event, so the OMS counts this as not received and repeats it",
    )
    REDIRECT = (
        "redirect",
        "a redirect: Chord never follows it, so the event is lost; register the "
        "final URL (often the same path with or without a trailing slash)",
    )
    CLIENT_ERROR = (
        "client_error",
        "a 4xx answer: the endpoint refused the event, so the OMS repeats it",
    )
    SERVER_ERROR = (
        "server_error",
        "a 5xx answer: the endpoint failed while handling the event, so the OMS "
        "repeats it; a repeat must not fail where the first try half-succeeded",
    )
    TIMEOUT = (
        "timeout",
        "no complete answer within the deadline: answer first, before any slow "
        "work, or the OMS repeats an event you are still processing",
    )
    CONNECTION_REFUSED = (
        "connection_refused",
        "nothing accepted the connection: check the host and port, and that the "
        "server is running",
    )
    CONNECTION_CLOSED = (
        "connection_closed",
        "the connection was reset or closed before a complete answer arrived",
    )
    TLS_FAILURE = (
        "tls_failure",
        "the TLS handshake failed (an untrusted or self-signed certificate, a wrong "
        "host name, or plain HTTP on an https:// URL); to trust a private CA, pass "
        "--ca-file PEM",
    )
    MALFORMED_ANSWER = (
        "malformed_answer",
        "the answer is not valid HTTP (no status line, or one the OMS cannot read)",
    )

    def __new__(cls, value: str, description: str) -> Outcome:
        member = object.__new__(cls)
        member._value_ = value
        member._description = description
        return member

    @property
    def received(self) -> bool:
        """Whether the OMS counts the event as received (only when acknowledged)."""
        return self is Outcome.ACKNOWLEDGED

    @property
    def label(self) -> str:
        """Short words for tables: ``server error``, ``other 2xx``."""
        return self.value.replace("_", " ")

    @property
    def description(self) -> str:
        """Plain words for reports: what this outcome means and what to do."""
        return self._description

    def explain(self, status: int | None = None) -> str:
        """The description, sharpened by a hint for ``status`` where one helps."""
        hint = _STATUS_HINTS.get(status) if status is not None else None
        if hint and self is Outcome.CLIENT_ERROR:
            return f"{status}: {hint}"
        return self.description


def classify_status(status: int, success_codes: Collection[int]) -> Outcome:
    """The outcome of a complete HTTP answer with ``status``."""
    if status in success_codes:
        return Outcome.ACKNOWLEDGED
    if 200 <= status < 300:
        return Outcome.OTHER_2XX
    if 300 <= status < 400:
        return Outcome.REDIRECT
    if 400 <= status < 500:
        return Outcome.CLIENT_ERROR
    if 500 <= status < 600:
        return Outcome.SERVER_ERROR
    return Outcome.MALFORMED_ANSWER
