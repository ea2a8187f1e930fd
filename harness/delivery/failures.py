"""Map a failed attempt's exception to an outcome and a short error text.

``requests`` wraps ``urllib3`` errors, which wrap ``http.client`` and socket
errors; the useful fact is usually a few levels down, so the whole chain is
searched, most specific class first.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from collections.abc import Iterator

import requests
import urllib3.exceptions

from harness.delivery.outcome import Outcome

__all__ = ["NETWORK_ERRORS", "classify_error"]

# Exceptions that mean "the network or the peer failed", never a bug of ours.
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    http.client.HTTPException,
    requests.RequestException,
    urllib3.exceptions.HTTPError,
)

_ERROR_TEXT_LIMIT = 240


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """Yield ``exc`` and every exception it wraps, outermost first."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        current = todo.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = [arg for arg in current.args if isinstance(arg, BaseException)]
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            nested.append(reason)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                nested.append(linked)
        todo.extend(nested)


def _first(chain: list[BaseException], kinds: tuple[type, ...]) -> BaseException | None:
    return next((exc for exc in chain if isinstance(exc, kinds)), None)


def _text(exc: BaseException) -> str:
    words = " ".join(str(exc).split()) or type(exc).__name__
    if len(words) > _ERROR_TEXT_LIMIT:
        words = words[: _ERROR_TEXT_LIMIT - 3] + "..."
    return words


def _tls(found: BaseException) -> str:
    reason = getattr(found, "verify_message", None) or getattr(found, "reason", None)
    if isinstance(found, ssl.SSLCertVerificationError):
        return (
            f"certificate verify failed: {reason or _text(found)}; "
            "to trust the endpoint's CA, pass --ca-file PEM"
        )
    if reason == "WRONG_VERSION_NUMBER" or "wrong version number" in str(found):
        return "the server did not speak TLS (plain HTTP on an https:// URL?)"
    return f"TLS handshake failed: {reason or _text(found)}"


def classify_error(exc: BaseException) -> tuple[Outcome, str]:
    """The outcome and a one-line error text for a failed attempt.

    Exceptions that are not network failures (a ``TypeError`` from a bug)
    are re-raised: hiding them behind an outcome would hide the bug.
    """
    chain = list(_chain(exc))
    if not any(isinstance(item, NETWORK_ERRORS) for item in chain):
        raise exc

    found = _first(chain, (ssl.SSLError,))
    if found is not None or isinstance(exc, requests.exceptions.SSLError):
        return Outcome.TLS_FAILURE, _tls(found or exc)

    found = _first(chain, (socket.gaierror, urllib3.exceptions.NameResolutionError))
    if found is not None:
        return Outcome.CONNECTION_REFUSED, f"host name not resolved: {_text(found)}"
    found = _first(chain, (ConnectionRefusedError,))
    if found is not None:
        return Outcome.CONNECTION_REFUSED, "connection refused"
    # Checked before timeouts: urllib3 derives this class from ConnectTimeoutError.
    found = _first(chain, (urllib3.exceptions.NewConnectionError,))
    if found is not None:
        return Outcome.CONNECTION_REFUSED, f"could not connect: {_text(found)}"

    timeouts = (
        requests.exceptions.Timeout,
        urllib3.exceptions.TimeoutError,
        TimeoutError,
    )
    if _first(chain, timeouts) is not None:
        return Outcome.TIMEOUT, "no answer within the deadline"

    found = _first(chain, (http.client.RemoteDisconnected,))
    if found is not None:
        return Outcome.CONNECTION_CLOSED, "closed the connection without answering"
    malformed = (
        http.client.BadStatusLine,
        http.client.LineTooLong,
        urllib3.exceptions.HeaderParsingError,
        requests.exceptions.InvalidHeader,
        requests.exceptions.ContentDecodingError,
    )
    found = _first(chain, malformed)
    if found is not None:
        return Outcome.MALFORMED_ANSWER, f"not a valid HTTP answer: {_text(found)}"

    found = _first(chain, (http.client.IncompleteRead,))
    if found is not None:
        return Outcome.CONNECTION_CLOSED, f"answer cut short: {_text(found)}"
    found = _first(chain, (ConnectionResetError, ConnectionAbortedError))
    if found is not None:
        return Outcome.CONNECTION_CLOSED, "connection reset by the endpoint"
    found = _first(chain, (BrokenPipeError,))
    if found is not None:
        return Outcome.CONNECTION_CLOSED, "connection closed while sending the event"
    found = _first(chain, (http.client.HTTPException,))
    if found is not None:
        return Outcome.MALFORMED_ANSWER, f"not a valid HTTP answer: {_text(found)}"
    return Outcome.CONNECTION_CLOSED, _text(chain[-1])
