"""The watchdog that enforces each attempt's total deadline."""

from __future__ import annotations

import gc
import socket
import threading
import time

from harness.contract import default_contract
from harness.delivery import RequestsTransport
from harness.delivery.deadline import AttemptWatch, Watchdog


def wait_until(condition: object, limit: float = 2.0) -> bool:
    ends = time.monotonic() + limit
    while time.monotonic() < ends:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.005)
    return False


def test_an_armed_watch_fires_after_its_deadline() -> None:
    watchdog = Watchdog()
    watch = AttemptWatch()
    started = time.monotonic()
    watchdog.arm(watch, 0.05)
    assert wait_until(lambda: watch.fired)
    assert time.monotonic() - started >= 0.05
    assert watch.finish() is True
    watchdog.close()


def test_a_finished_watch_never_fires() -> None:
    watchdog = Watchdog()
    watch = AttemptWatch()
    watchdog.arm(watch, 0.05)
    assert watch.finish() is False
    time.sleep(0.1)
    assert not watch.fired
    watchdog.close()


def test_a_shorter_deadline_armed_later_fires_first() -> None:
    watchdog = Watchdog()
    slow, fast = AttemptWatch(), AttemptWatch()
    watchdog.arm(slow, 30.0)
    watchdog.arm(fast, 0.05)
    assert wait_until(lambda: fast.fired)
    assert not slow.fired
    watchdog.close()
    assert not slow.fired


def test_one_thread_serves_many_watches() -> None:
    watchdog = Watchdog()
    before = set(threading.enumerate())
    watches = [AttemptWatch() for _ in range(50)]
    for watch in watches:
        watchdog.arm(watch, 10.0)
    started = [
        thread
        for thread in threading.enumerate()
        if thread not in before and thread.name == "chord-deadline-watchdog"
    ]
    assert len(started) == 1
    for watch in watches:
        watch.finish()
    watchdog.close()
    assert not started[0].is_alive()


def test_firing_shuts_the_attached_socket_down() -> None:
    class Connection:
        def __init__(self, sock: socket.socket) -> None:
            self.sock = sock

    left, right = socket.socketpair()
    with left, right:
        watch = AttemptWatch()
        watch.attach(Connection(left))
        reader = threading.Thread(target=lambda: result.append(left.recv(10)))
        result: list[bytes] = []
        reader.start()
        watch.fire()
        reader.join(2)
        assert result == [b""]  # the blocked read woke up with end-of-file


def test_attaching_after_the_deadline_cuts_at_once() -> None:
    class Connection:
        def __init__(self, sock: socket.socket) -> None:
            self.sock = sock

    left, right = socket.socketpair()
    with left, right:
        watch = AttemptWatch()
        watch.fire()
        watch.attach(Connection(left))
        left.settimeout(1)
        assert left.recv(10) == b""


def test_firing_shuts_a_held_duplicate_down() -> None:
    left, right = socket.socketpair()
    with left, right:
        watch = AttemptWatch()
        watch.hold(left)
        watch.fire()
        left.settimeout(1)
        assert left.recv(10) == b""  # the duplicate reaches the same connection
        assert watch.finish() is True


def test_finishing_releases_held_duplicates_but_not_the_socket() -> None:
    left, right = socket.socketpair()
    with left, right:
        watch = AttemptWatch()
        watch.hold(left)
        assert watch.finish() is False
        watch.fire()  # too late: nothing happens
        right.sendall(b"ok")
        left.settimeout(1)
        assert left.recv(10) == b"ok"


def test_a_dropped_transport_stops_its_watchdog_thread() -> None:
    policy = default_contract().retry
    before = set(threading.enumerate())
    transport = RequestsTransport(policy)
    watch = AttemptWatch()
    transport._watchdog.arm(watch, 30.0)
    (thread,) = [t for t in threading.enumerate() if t not in before]
    del transport
    gc.collect()
    thread.join(2)
    assert not thread.is_alive()
