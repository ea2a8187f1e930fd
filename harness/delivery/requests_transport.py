"""The real transport: ``requests``, no redirects, one total deadline."""

from __future__ import annotations

import ssl
import threading
import time
import weakref
from types import MappingProxyType

import requests
from requests.structures import CaseInsensitiveDict

from harness import __version__
from harness.contract import RetryPolicy
from harness.delivery.deadline import (
    AttemptWatch,
    Watchdog,
    WatchedAdapter,
    watching,
)
from harness.delivery.failures import NETWORK_ERRORS, classify_error
from harness.delivery.outcome import Outcome, classify_status
from harness.delivery.transport import DeliveryRequest, TransportResult
from harness.delivery.urls import check_url
from harness.errors import InputError, UsageError

__all__ = ["USER_AGENT", "RequestsTransport"]

USER_AGENT = f"chord-webhooks-harness/{__version__}"
_CHUNK = 16384


class _Body:
    """The part of an answer's body read so far; kept when reading fails."""

    def __init__(self) -> None:
        self.prefix = bytearray()
        self.read = 0


class _DeadlinePassed(TimeoutError):
    """Raised between body chunks once the attempt's deadline has passed."""


def _check_ca_file(path: str) -> str:
    remedy = "pass the PEM file of the CA that signed the endpoint's certificate"
    try:
        ssl.create_default_context(cafile=path)
    except FileNotFoundError:
        raise InputError(f"CA file {path!r} not found", remedy=remedy) from None
    except IsADirectoryError:
        raise InputError(f"CA file {path!r} is a folder", remedy=remedy) from None
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise InputError(
            f"CA file {path!r} holds no PEM certificate ({exc})", remedy=remedy
        ) from exc
    return path


class RequestsTransport:
    """Sends attempts with ``requests`` the way Chord OMS does.

    Never follows a redirect.  Bounds every attempt by one total deadline
    (connect, TLS, headers and body together) with a watchdog.  Reads at most
    ``policy.body_cap_bytes`` of an answer and keeps ``policy.body_log_bytes``.
    Thread-safe: each concurrent attempt borrows its own ``requests.Session``,
    and sessions are reused, keeping their connections alive, across attempts.
    Does not read proxy settings, ``.netrc`` or CA bundles from the
    environment: it talks only to the URL it is given.  ``ca_file`` trusts the
    CAs in a PEM file; ``verify=False`` trusts any certificate, and urllib3
    warns (``InsecureRequestWarning``) on each such request.
    """

    def __init__(
        self,
        policy: RetryPolicy,
        *,
        ca_file: str | None = None,
        verify: bool = True,
    ) -> None:
        self._policy = policy
        self._verify: bool | str = _check_ca_file(ca_file) if ca_file else verify
        self._lock = threading.Lock()
        self._idle: list[requests.Session] = []
        self._sessions: list[requests.Session] = []
        self._closed = False
        self._watchdog = Watchdog()
        # A transport dropped without close() must not leave its thread behind.
        weakref.finalize(self, self._watchdog.close)

    def __enter__(self) -> RequestsTransport:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every session and its connections; later sends are refused."""
        with self._lock:
            self._closed = True
            sessions, self._sessions, self._idle = self._sessions, [], []
        self._watchdog.close()
        for session in sessions:
            session.close()

    def send(self, request: DeliveryRequest) -> TransportResult:
        """Make one attempt and judge it; network failures become outcomes."""
        check_url(request.url)
        session = self._borrow()
        try:
            return self._send(session, request)
        finally:
            self._give_back(session)

    def _borrow(self) -> requests.Session:
        with self._lock:
            if self._closed:
                raise UsageError(
                    "this transport is closed",
                    remedy="send before close(), or make a new transport",
                )
            if self._idle:
                return self._idle.pop()
            session = requests.Session()
            session.trust_env = False
            session.headers.clear()
            adapter = WatchedAdapter()
            session.mount("http://", adapter)
            session.mount("https://", adapter)
            self._sessions.append(session)
            return session

    def _give_back(self, session: requests.Session) -> None:
        with self._lock:
            if not self._closed:
                self._idle.append(session)
                return
        session.close()

    def _headers(self, request: DeliveryRequest) -> CaseInsensitiveDict[str]:
        headers: CaseInsensitiveDict[str] = CaseInsensitiveDict()
        headers["Content-Type"] = self._policy.content_type
        headers["User-Agent"] = USER_AGENT
        headers["Accept"] = "*/*"
        headers["Accept-Encoding"] = "identity"
        headers.update(request.headers)
        return headers

    def _send(
        self, session: requests.Session, request: DeliveryRequest
    ) -> TransportResult:
        timeout = request.timeout
        started = time.monotonic()
        watch = AttemptWatch()
        response: requests.Response | None = None
        failure: BaseException | None = None
        body = _Body()
        self._watchdog.arm(watch, timeout)
        try:
            with watching(watch):
                response = session.request(
                    self._policy.method,
                    request.url,
                    data=request.body,
                    headers=self._headers(request),
                    timeout=(timeout, timeout),
                    allow_redirects=False,
                    stream=True,
                    verify=self._verify,
                )
                self._read_body(response, started + timeout, body)
        except NETWORK_ERRORS as exc:
            failure = exc
        finally:
            fired = watch.finish()
            if response is not None:
                response.close()
        latency = time.monotonic() - started
        return self._judge(response, failure, fired, latency, timeout, body)

    def _read_body(
        self, response: requests.Response, deadline: float, body: _Body
    ) -> None:
        cap = self._policy.body_cap_bytes
        keep = self._policy.body_log_bytes
        # read1 hands over what has arrived, so a body cut short keeps its prefix
        # and the clock is checked as often as bytes come in.
        read_some = getattr(response.raw, "read1", response.raw.read)
        while body.read < cap:
            if time.monotonic() >= deadline:
                raise _DeadlinePassed("the deadline passed while reading the answer")
            chunk = read_some(min(_CHUNK, cap - body.read), decode_content=False)
            if not chunk:
                return
            body.read += len(chunk)
            if len(body.prefix) < keep:
                body.prefix += chunk[: keep - len(body.prefix)]

    def _judge(
        self,
        response: requests.Response | None,
        failure: BaseException | None,
        fired: bool,
        latency: float,
        timeout: float,
        body: _Body,
    ) -> TransportResult:
        status = response.status_code if response is not None else None
        headers = (
            MappingProxyType(dict(response.headers)) if response is not None else None
        )
        location = response.headers.get("Location") if response is not None else None
        if fired or latency > timeout:
            outcome, error = Outcome.TIMEOUT, f"no complete answer within {timeout:g} s"
        elif failure is not None:
            outcome, error = classify_error(failure)
        else:
            outcome, error = classify_status(status, self._policy.success_codes), None
        return TransportResult(
            outcome=outcome,
            status=status,
            latency=latency,
            error=error,
            body_prefix=bytes(body.prefix),
            location=location,
            headers=headers if headers is not None else MappingProxyType({}),
            body_read=body.read,
        )
