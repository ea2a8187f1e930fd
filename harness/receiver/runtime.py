"""What one running receiver shares between its threads: settings, state, errors."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass

from harness.receiver.events import EventReader
from harness.receiver.ledger import Ledger
from harness.receiver.modes import Mode
from harness.receiver.work import Processor, WorkQueue

__all__ = ["Runtime", "Settings"]


@dataclass(frozen=True)
class Settings:
    """The receiver's knobs, checked by ``ReferenceReceiver`` before it starts."""

    mode: Mode
    path: str
    slow_seconds: float
    fail_first: int
    max_in_flight: int
    body_limit: int
    max_body: int
    hold_seconds: float
    read_timeout: float


class Runtime:
    """State of one receiver run, reached by every handler through its server."""

    def __init__(
        self,
        settings: Settings,
        events: EventReader,
        processor: Processor,
        ledger: Ledger,
    ) -> None:
        self.settings = settings
        self.events = events
        self.processor = processor
        self.ledger = ledger
        self.work = WorkQueue()
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._errors: list[BaseException] = []
        self._connections: dict[threading.Thread, socket.socket] = {}

    def pause(self, seconds: float) -> bool:
        """Sleep ``seconds`` unless the receiver stops first; true if it stopped."""
        return self.stopping.wait(seconds)

    def report(self, error: BaseException) -> None:
        """Keep an exception raised in a server thread for ``check_errors``."""
        with self._lock:
            self._errors.append(error)

    def errors(self) -> list[BaseException]:
        with self._lock:
            return list(self._errors)

    def take_errors(self) -> list[BaseException]:
        with self._lock:
            taken, self._errors = self._errors, []
            return taken

    def track(self, connection: socket.socket) -> None:
        """Remember the calling handler thread and its socket until ``untrack``."""
        with self._lock:
            self._connections[threading.current_thread()] = connection

    def untrack(self) -> None:
        with self._lock:
            self._connections.pop(threading.current_thread(), None)

    def close_connections(self, grace: float) -> None:
        """Cut every open connection and wait up to ``grace`` seconds for handlers."""
        with self._lock:
            open_now = dict(self._connections)
        for connection in open_now.values():
            with contextlib.suppress(OSError):  # already closed by its handler
                connection.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + grace
        for thread in open_now:
            thread.join(max(0.0, deadline - time.monotonic()))
