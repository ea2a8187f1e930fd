"""One total deadline per attempt, enforced by shutting the socket down.

``requests`` bounds each socket read, not the whole answer: a server that
drips one byte at a time keeps a per-read timeout alive for ever.  So every
attempt gets a watchdog.  The connection classes below tell the attempt's
watch which connection it is using; when the deadline passes, the watchdog
shuts that connection's socket down, which wakes the blocked read at once
wherever it is (TCP connect, TLS handshake, status line, headers or body).
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["AttemptWatch", "Watchdog", "WatchedAdapter", "watching"]


class AttemptWatch:
    """Tracks the connection one attempt uses; ``fire`` cuts it off.

    Besides the connection, it holds a duplicate of every socket opened for
    the attempt: wrapping a socket in TLS detaches the connection's own socket
    object during the handshake, and the duplicate still reaches it then.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: Any = None
        self._spares: list[socket.socket] = []
        self._fired = False
        self._done = False

    @property
    def fired(self) -> bool:
        """Whether the deadline passed before the attempt finished."""
        with self._lock:
            return self._fired

    def attach(self, connection: Any) -> None:
        """Note the connection in use; cut it at once if the deadline passed."""
        with self._lock:
            if self._done:
                return
            self._connection = connection
            if self._fired:
                _shut(getattr(connection, "sock", None))

    def hold(self, sock: socket.socket) -> None:
        """Keep a duplicate of a socket just opened for this attempt."""
        try:
            spare = sock.dup()
        except OSError:
            return
        with self._lock:
            if not self._done:
                self._spares.append(spare)
                if self._fired:
                    _shut(spare)
                return
        spare.close()

    def fire(self) -> None:
        """The deadline passed: shut the attempt's socket down."""
        with self._lock:
            if self._done:
                return
            self._fired = True
            _shut(getattr(self._connection, "sock", None))
            for spare in self._spares:
                _shut(spare)

    def finish(self) -> bool:
        """End the watch, release its duplicates; return whether it fired first."""
        with self._lock:
            self._done = True
            self._connection = None
            spares, self._spares = self._spares, []
            fired = self._fired
        for spare in spares:
            spare.close()
        return fired

    @property
    def done(self) -> bool:
        """Whether the attempt has finished (the watch can be dropped)."""
        with self._lock:
            return self._done


class Watchdog:
    """One thread that fires each armed watch when its deadline passes.

    A thread per attempt would cost more than a local HTTP round trip; this
    one sleeps until the earliest deadline.  Finished watches are dropped when
    they reach the front, without waking the thread early.
    """

    def __init__(self) -> None:
        self._wakeup = threading.Condition()
        self._heap: list[tuple[float, int, AttemptWatch]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._closed = False

    def arm(self, watch: AttemptWatch, seconds: float) -> None:
        """Fire ``watch`` in ``seconds`` unless it finishes first."""
        entry = (time.monotonic() + seconds, next(self._order), watch)
        with self._wakeup:
            if self._closed:
                return  # the transport is closing; per-read timeouts still apply
            heapq.heappush(self._heap, entry)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="chord-deadline-watchdog", daemon=True
                )
                self._thread.start()
            if self._heap[0] is entry:
                self._wakeup.notify()

    def close(self) -> None:
        """Stop the thread; watches still armed will not fire."""
        with self._wakeup:
            self._closed = True
            self._heap.clear()
            self._wakeup.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _run(self) -> None:
        with self._wakeup:
            while not self._closed:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wakeup.wait()
                    continue
                deadline, _, watch = self._heap[0]
                remaining = deadline - time.monotonic()
                if remaining > 0:
                    self._wakeup.wait(remaining)
                    continue
                heapq.heappop(self._heap)
                watch.fire()


def _shut(sock: socket.socket | None) -> None:
    if sock is None:
        return
    # The plain socket's shutdown, also for a TLS socket: it ends the blocked
    # read in the other thread without touching the TLS object that thread uses.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


# The watch of the attempt running on this thread.  A context variable is
# per thread and per task, so concurrent attempts never see each other's watch.
_current: contextvars.ContextVar[AttemptWatch | None] = contextvars.ContextVar(
    "harness_delivery_attempt_watch", default=None
)


@contextlib.contextmanager
def watching(watch: AttemptWatch) -> Iterator[AttemptWatch]:
    """Make ``watch`` the one that connections opened or used here report to."""
    token = _current.set(watch)
    try:
        yield watch
    finally:
        _current.reset(token)


class _Reporting:
    """Mixin for urllib3 connections: report to the current attempt's watch.

    ``_new_conn`` is urllib3's (private, stable since 1.x) hook that opens the
    TCP socket; it is the one point where the socket exists before TLS.
    """

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        watch = _current.get()
        if watch is not None:
            watch.hold(sock)
        return sock

    def connect(self) -> None:
        watch = _current.get()
        if watch is not None:
            watch.attach(self)
        super().connect()  # type: ignore[misc]
        if watch is not None:
            watch.attach(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        watch = _current.get()
        if watch is not None:
            watch.attach(self)
        super().request(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_Reporting, HTTPConnection):
    """A plain connection that a watchdog can cut."""


class _HTTPSConnection(_Reporting, HTTPSConnection):
    """A TLS connection that a watchdog can cut."""


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class WatchedAdapter(HTTPAdapter):
    """A ``requests`` adapter whose connections report to the attempt's watch."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _HTTPPool,
            "https": _HTTPSPool,
        }
