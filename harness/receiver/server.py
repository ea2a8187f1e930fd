"""``ReferenceReceiver``: the reference webhook receiver, started and stopped."""

from __future__ import annotations

import errno
import ipaddress
import logging
import math
import socket
import socketserver
import sys
import threading
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

from harness.contract import Contract, default_contract
from harness.errors import UsageError
from harness.receiver.events import EventReader
from harness.receiver.handler import OBSERVE_PREFIX, WebhookHandler
from harness.receiver.ledger import Delivery, Ledger
from harness.receiver.modes import Mode, parse_mode
from harness.receiver.runtime import Runtime, Settings
from harness.receiver.work import Hook, Processor, run_worker

__all__ = ["ReferenceReceiver", "is_loopback"]

logger = logging.getLogger("harness.receiver")

# How long stop() waits for each kind of thread before it moves on.
_STOP_GRACE_SECONDS = 2.0
# How often the accept loop looks for a stop request.
_POLL_SECONDS = 0.05
# The receiver's own cap on a request body, far above any real event.
_MAX_BODY_BYTES = 16 * 1024 * 1024


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Server(ThreadingHTTPServer):
    """The standard threading server, bound quietly and reporting its errors."""

    daemon_threads = True
    allow_reuse_address = True
    allow_reuse_port = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], runtime: Runtime) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.runtime = runtime
        super().__init__(address, WebhookHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would look the host up in DNS; nothing needs it.
        socketserver.TCPServer.server_bind(self)
        self.server_name = str(self.server_address[0])
        self.server_port = int(self.server_address[1])

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, ConnectionError | TimeoutError):
            self.runtime.report(error)


class ReferenceReceiver:
    """A Chord OMS webhook receiver on 127.0.0.1: correct, or wrong on purpose.

    In ``Mode.CORRECT`` it answers 200 as soon as a POSTed event is parsed,
    then, on a worker thread, validates the event, processes each id once,
    ignores unknown types and logs one line per event on the
    ``harness.receiver`` logger. Every other mode breaks one rule of the
    delivery contract, so that each contract check has an endpoint to fail.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        mode: Mode | str = Mode.CORRECT,
        contract: Contract | None = None,
        slow_seconds: float = 3.0,
        fail_first: int = 2,
        max_in_flight: int = 2,
        body_limit: int = 32768,
        path: str = "/webhooks",
        hold_seconds: float = 0.05,
        hook: Hook | None = None,
    ) -> None:
        self.host = _check_host(host)
        self.port = _check_port(port)
        self.mode = mode if isinstance(mode, Mode) else parse_mode(mode)
        self.contract = contract if contract is not None else default_contract()
        self.hook = hook
        self._settings = Settings(
            mode=self.mode,
            path=_check_path(path),
            slow_seconds=_check_seconds("slow_seconds", slow_seconds),
            fail_first=_check_count("fail_first", fail_first, least=0),
            max_in_flight=_check_count("max_in_flight", max_in_flight, least=1),
            body_limit=_check_count("body_limit", body_limit, least=1),
            max_body=_MAX_BODY_BYTES,
            hold_seconds=_check_seconds("hold_seconds", hold_seconds),
            read_timeout=self.contract.retry.timeout,
        )
        self._ledger = Ledger()
        self._runtime: Runtime | None = None
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []
        self._stopped = False

    # -- lifecycle ------------------------------------------------------------

    def start(self) -> ReferenceReceiver:
        """Bind and serve on background threads; return ``self``."""
        if self._server is not None or self._stopped:
            raise UsageError(
                "this receiver was already started",
                remedy="create a new ReferenceReceiver for each run",
            )
        events = EventReader(self.contract)
        processor = Processor(
            events, self._ledger, dedupe=self.mode is not Mode.NO_DEDUPE, hook=self.hook
        )
        runtime = Runtime(self._settings, events, processor, self._ledger)
        server = self._bind(runtime)
        self._runtime, self._server = runtime, server
        self.port = int(server.server_address[1])

        self._threads = [
            threading.Thread(
                target=server.serve_forever,
                kwargs={"poll_interval": _POLL_SECONDS},
                name=f"chord-receiver-{self.port}",
                daemon=True,
            ),
            threading.Thread(
                target=run_worker,
                args=(runtime.work, processor, runtime.report),
                name=f"chord-receiver-{self.port}-worker",
                daemon=True,
            ),
        ]
        for thread in self._threads:
            thread.start()
        if not is_loopback(self.host):
            logger.warning(
                "listening on %s, not a loopback address: other machines can "
                "send events to this receiver",
                self.host,
            )
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections and join every thread; idempotent."""
        server, runtime = self._server, self._runtime
        if server is None or runtime is None or self._stopped:
            return
        self._stopped = True

        runtime.stopping.set()
        server.shutdown()
        runtime.close_connections(_STOP_GRACE_SECONDS)
        server.server_close()
        runtime.work.close()
        for thread in self._threads:
            thread.join(_STOP_GRACE_SECONDS)

    def __enter__(self) -> ReferenceReceiver:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _bind(self, runtime: Runtime) -> _Server:
        where = f"{self.host}:{self.port}"
        try:
            return _Server((self.host, self.port), runtime)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {self.port} on {self.host} is already in use",
                    remedy="free it, or pass another port (0 picks a free one)",
                ) from exc
            if exc.errno == errno.EACCES:
                raise UsageError(
                    f"no permission to listen on {where}",
                    remedy="pass a port above 1023, or 0 for a free one",
                ) from exc
            raise UsageError(
                f"cannot listen on {where} ({exc.strerror or exc})",
                remedy="pass an address of this machine, such as 127.0.0.1",
            ) from exc

    # -- observation ----------------------------------------------------------

    @property
    def url(self) -> str:
        """The webhook URL, ``http://127.0.0.1:<port>/webhooks`` by default."""
        if self._server is None:
            raise UsageError(
                "the receiver has no URL before it starts",
                remedy="call start() or use it in a with block",
            )
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self._settings.path}"

    @property
    def observe_url(self) -> str:
        """The prefix of ``GET <prefix><event id>`` that reports processed counts."""
        return self.url.removesuffix(self._settings.path) + OBSERVE_PREFIX

    @property
    def deliveries(self) -> list[Delivery]:
        """Every request that reached the webhook path, in arrival order."""
        return self._ledger.deliveries()

    @property
    def in_flight(self) -> int:
        """How many deliveries are being handled right now."""
        return self._ledger.in_flight()

    def processed_count(self, event_id: str) -> int:
        """How many times the receiver processed ``event_id``."""
        return self._ledger.processed_count(event_id)

    def wait_idle(self, timeout: float = 5.0) -> bool:
        """Wait until the post-answer work is drained; false on timeout."""
        if self._runtime is None:
            return True
        return self._runtime.work.wait_idle(timeout)

    @property
    def errors(self) -> list[BaseException]:
        """Exceptions raised in the receiver's threads, oldest first."""
        return [] if self._runtime is None else self._runtime.errors()

    def check_errors(self) -> None:
        """Re-raise, here, what the receiver's threads raised; then forget it."""
        errors = [] if self._runtime is None else self._runtime.take_errors()
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise ExceptionGroup("the reference receiver's threads raised", errors)


def _check_host(host: str) -> str:
    if not isinstance(host, str) or not host.strip():
        raise UsageError(
            f"host {host!r} cannot be listened on",
            remedy="pass an address of this machine, such as 127.0.0.1",
        )
    return host


def _check_port(port: Any) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise UsageError(
            f"port {port!r} is out of range",
            remedy="pass a port from 1 to 65535, or 0 for a free one",
        )
    return port


def _check_path(path: str) -> str:
    if not path.startswith("/") or path.startswith(OBSERVE_PREFIX) or " " in path:
        raise UsageError(
            f"webhook path {path!r} cannot be served",
            remedy="pass a path that starts with '/', such as /webhooks",
        )
    return path


def _check_seconds(name: str, value: float) -> float:
    if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        raise UsageError(
            f"{name} must be a number of seconds, 0 or more; got {value!r}",
            remedy="pass a finite, non-negative number",
        )
    return float(value)


def _check_count(name: str, value: int, *, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise UsageError(
            f"{name} must be a whole number, {least} or more; got {value!r}",
            remedy=f"pass {least} or more",
        )
    return value
