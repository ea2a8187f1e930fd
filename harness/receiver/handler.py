"""One HTTP request to the reference receiver: read, decide by mode, answer.

Every answer carries ``Connection: close`` so that each handler thread ends
with its request and ``stop()`` has no idle keep-alive connections to wait on.
"""

from __future__ import annotations

import enum
import json
import logging
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from harness.envelope import encode
from harness.receiver.ledger import Delivery
from harness.receiver.modes import Mode

if TYPE_CHECKING:
    from harness.receiver.events import Identity
    from harness.receiver.runtime import Runtime

__all__ = ["OBSERVE_PREFIX", "WebhookHandler"]

logger = logging.getLogger("harness.receiver")

OBSERVE_PREFIX = "/_chord/processed/"

# STRICT_ORDER: the event that makes an order known, and those that need it first.
_OPENS_ORDER = "order_completed"
_FOLLOWS_ORDER = frozenset({"shipment_shipped", "shipping_delivery_status_updated"})


class _Route(enum.Enum):
    """Where a request went: the webhook path, or its slashed twin (REDIRECT)."""

    HOOK = "hook"
    SLASHED = "slashed"


@dataclass(frozen=True)
class Answer:
    """What to answer one delivery; ``accept`` hands the event to the worker."""

    status: int
    reason: str | None = None
    location: str | None = None
    event: dict[str, Any] | None = None
    accept: bool = False


class WebhookHandler(BaseHTTPRequestHandler):
    """Routes requests; POSTs to the webhook path go through the mode's rules."""

    protocol_version = "HTTP/1.1"
    server_version = "chord-webhooks-reference-receiver"

    @property
    def runtime(self) -> Runtime:
        return self.server.runtime  # type: ignore[attr-defined]

    def setup(self) -> None:
        self.timeout = self.runtime.settings.read_timeout
        super().setup()
        self.runtime.track(self.connection)
        self._identity: Identity | None = None

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.runtime.untrack()

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError):
            self.close_connection = True  # the sender went away; nothing to answer

    # -- routing --------------------------------------------------------------

    def do_POST(self) -> None:
        route = self._route()
        if route is None:
            self._drain()
            self._send(404, {"error": f"no webhook at {self._path()}"})
            return
        self._deliver(slashed=route is _Route.SLASHED)

    def do_GET(self) -> None:
        path = self._path()
        if path.startswith(OBSERVE_PREFIX):
            event_id = unquote(path[len(OBSERVE_PREFIX) :])
            count = self.runtime.ledger.processed_count(event_id)
            self._send(200, {"id": event_id, "count": count})
            return
        self._refuse_method()

    def do_HEAD(self) -> None:
        self._refuse_method(head=True)

    def do_PUT(self) -> None:
        self._refuse_method()

    def do_PATCH(self) -> None:
        self._refuse_method()

    def do_DELETE(self) -> None:
        self._refuse_method()

    def do_OPTIONS(self) -> None:
        self._refuse_method()

    def _path(self) -> str:
        return urlsplit(self.path).path

    def _route(self) -> _Route | None:
        path, hook = self._path(), self.runtime.settings.path
        if path == hook:
            return _Route.HOOK
        if path == hook + "/" and self.runtime.settings.mode is Mode.REDIRECT:
            return _Route.SLASHED
        return None

    def _refuse_method(self, *, head: bool = False) -> None:
        self._drain()
        if self._route() is None:
            self._send(404, {"error": f"no webhook at {self._path()}"}, head=head)
            return
        self.runtime.ledger.record(
            Delivery(self.command, self._path(), None, None, 405)
        )
        body = {"error": f"{self.command} not allowed: webhooks arrive by POST"}
        self._send(405, body, head=head, headers={"Allow": "POST"})

    # -- a delivery -----------------------------------------------------------

    def _deliver(self, *, slashed: bool) -> None:
        runtime = self.runtime
        in_flight = runtime.ledger.enter()
        try:
            try:
                answer = self._decide(in_flight, slashed=slashed)
            except (ConnectionError, TimeoutError):
                raise
            except Exception as exc:
                runtime.report(exc)
                answer = Answer(500, reason=f"receiver error: {exc!r}")
            self._reply(answer)
        finally:
            runtime.ledger.leave()

    def _reply(self, answer: Answer) -> None:
        runtime = self.runtime
        job = runtime.work.submit(answer.event) if answer.accept else None
        try:
            identity = self._identity
            event_id = identity.event_id if identity else None
            raw_type = identity.raw_type if identity else None
            delivery = Delivery("POST", self._path(), event_id, raw_type, answer.status)
            runtime.ledger.record(delivery)
            if answer.reason is not None:
                logger.info(
                    "%s %s: answered %d, %s",
                    event_id or "(no id)",
                    raw_type or "(no type)",
                    answer.status,
                    answer.reason,
                )

            if answer.location is not None:
                self._send(answer.status, None, headers={"Location": answer.location})
            elif answer.status < 300:
                self._send(answer.status, {"received": event_id})
            else:
                self._send(answer.status, {"error": answer.reason})
        finally:
            if job is not None:
                job.answered.set()

    def _decide(self, in_flight: int, *, slashed: bool) -> Answer:
        settings, runtime = self.runtime.settings, self.runtime
        mode = settings.mode
        body = self._read_body()
        if isinstance(body, Answer):
            return body
        event, problem = _parse(body)
        if event is not None:
            self._identity = runtime.events.identify(event)

        if mode is Mode.REDIRECT and not slashed:
            return Answer(308, "redirected to the trailing slash", settings.path + "/")
        if mode is Mode.OVERLOADED:
            if in_flight > settings.max_in_flight:
                limit = settings.max_in_flight
                return Answer(503, f"{in_flight} requests at once, limit {limit}")
            if runtime.pause(settings.hold_seconds):
                return _stopping()

        if event is None or self._identity is None:
            return Answer(400, problem)

        if mode is Mode.SLOW and runtime.pause(settings.slow_seconds):
            return _stopping()
        refusal = self._misbehave(mode, event, self._identity)
        if refusal is not None:
            return refusal
        if mode is Mode.PROCESS_FIRST:
            return self._process_first(event, self._identity)
        status = 203 if mode is Mode.NON_ACK_2XX else 200
        return Answer(status, event=event, accept=True)

    def _misbehave(
        self, mode: Mode, event: dict[str, Any], identity: Identity
    ) -> Answer | None:
        """The refusal a misbehaving mode gives this event, if any."""
        settings, runtime = self.runtime.settings, self.runtime
        event_id, canonical = identity.event_id, identity.canonical

        if mode is Mode.FAIL_FIRST and event_id is not None:
            attempt = runtime.ledger.next_attempt(event_id)
            if attempt <= settings.fail_first:
                return Answer(
                    503, f"attempt {attempt}, failing the first {settings.fail_first}"
                )
        if mode is Mode.ERROR_ON_REPEAT and _is_repeat(runtime, event_id):
            return Answer(500, "a repeated id broke a unique index")
        if mode is Mode.REJECT_UNKNOWN and canonical is None:
            return Answer(400, "unknown event type")
        if mode is Mode.STRICT_FIELDS and canonical is not None:
            extras = runtime.events.extra_fields(event, canonical)
            if extras:
                return Answer(
                    400, f"fields the schema does not name: {', '.join(extras)}"
                )
        if mode is Mode.STRICT_ORDER:
            return self._check_order(event, canonical)
        return None

    def _check_order(
        self, event: dict[str, Any], canonical: str | None
    ) -> Answer | None:
        ledger, number = self.runtime.ledger, self.runtime.events.order_number(event)
        if canonical == _OPENS_ORDER and number is not None:
            ledger.add_order(number)
        elif canonical in _FOLLOWS_ORDER and (
            number is None or not ledger.knows_order(number)
        ):
            return Answer(422, f"order {number!r} has not been completed here")
        return None

    def _process_first(self, event: dict[str, Any], identity: Identity) -> Answer:
        runtime, event_id = self.runtime, identity.event_id
        if event_id is not None and not runtime.ledger.begin(event_id):
            return Answer(409, "this id is being processed")
        try:
            if runtime.pause(runtime.settings.slow_seconds):
                return _stopping()
            runtime.processor.process(event)
        finally:
            if event_id is not None:
                runtime.ledger.end(event_id)
        return Answer(200, event=event)

    # -- bytes on the wire ----------------------------------------------------

    def _read_body(self) -> bytes | Answer:
        settings = self.runtime.settings
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            self.close_connection = True
            return Answer(411, "chunked body: a Content-Length is required")
        text = self.headers.get("Content-Length")
        if text is None:
            return Answer(411, "no Content-Length")
        try:
            length = int(text)
        except ValueError:
            length = -1
        if length < 0:
            return Answer(400, f"bad Content-Length {text!r}")
        if length > settings.max_body:
            return Answer(413, f"{length} bytes, over the cap of {settings.max_body}")

        body = self.rfile.read(length)
        if len(body) < length:
            raise ConnectionResetError("the sender closed before the whole body came")
        if settings.mode is Mode.BODY_LIMIT and length > settings.body_limit:
            return Answer(
                413, f"{length} bytes, over the limit of {settings.body_limit}"
            )
        return body

    def _drain(self) -> None:
        """Read and drop a request body so closing does not reset the sender."""
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            return
        if 0 < length <= self.runtime.settings.max_body:
            self.rfile.read(length)

    def _send(
        self,
        status: int,
        payload: dict[str, Any] | None,
        *,
        head: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        body = b"" if payload is None else encode(payload)
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body and not head:
            self.wfile.write(body)
        self.close_connection = True


def _parse(body: bytes) -> tuple[dict[str, Any] | None, str]:
    """The event a body holds, or ``None`` and what is wrong with it."""
    try:
        event = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"the body is not JSON ({exc})"
    if not isinstance(event, dict):
        return None, "the body is not a JSON object"
    return event, ""


def _is_repeat(runtime: Runtime, event_id: str | None) -> bool:
    return event_id is not None and not runtime.ledger.first_sight(event_id)


def _stopping() -> Answer:
    return Answer(503, "the receiver is stopping")
