"""Measure the delivery simulator: its rate, its deadline and its memory.

1. Rate: ``Deliverer.deliver`` against a fast local receiver (a
   ``ThreadingHTTPServer`` answering 204, started by this script in a child
   process), side by side with a bare ``requests.Session.post`` loop sending
   the same bytes, in the same run.  Rounds alternate between the two so that
   a noisy neighbour hurts both; the ratio is the median of per-round ratios.
2. Deadline overshoot: how long past a 0.2 s deadline an attempt ends against
   a server that hangs after the request and one that drips its answer one
   byte every 50 ms (median and worst of 20 each).
3. Memory: peak Python allocations while a server streams a 1 GB body.

Run: ``python benchmarks/bench_delivery.py [--events N] [--rounds R]``.
Everything binds to 127.0.0.1.  Results go to stdout as markdown.
"""

from __future__ import annotations

import argparse
import multiprocessing
import platform
import socket
import statistics
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from harness.contract import RetryPolicy, default_contract
from harness.delivery import Deliverer, DeliveryRequest, FakeClock, RequestsTransport
from harness.delivery.requests_transport import USER_AGENT
from harness.envelope import encode

DEADLINE = 0.2
EVENT = {
    "id": "evt_bench",
    "type": "order_completed",
    "created_at": "2024-05-14T18:22:05.123Z",
    "data": {"order": {"number": "R123456789", "total": "59.98", "state": "complete"}},
}


class _Ack(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: the benchmark prints its own figures."""


def _serve_acks(ports: multiprocessing.Queue) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ack)
    server.daemon_threads = True
    ports.put(server.server_address[1])
    server.serve_forever()


@contextmanager
def receiver() -> Iterator[str]:
    """The 204 receiver, in a child process so it does not share our GIL."""
    ports: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=_serve_acks, args=(ports,), daemon=True)
    child.start()
    try:
        yield f"http://127.0.0.1:{ports.get(timeout=10)}/hooks"
    finally:
        child.terminate()
        child.join(5)


@contextmanager
def raw_server(
    handler: Callable[[socket.socket, threading.Event], None],
) -> Iterator[str]:
    """A socket server whose every connection runs ``handler`` in a thread."""
    stop = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)

    def serve(conn: socket.socket) -> None:
        with conn, suppress(OSError):  # the client hung up: expected here
            handler(conn, stop)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    acceptor = threading.Thread(target=accept, daemon=True)
    acceptor.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/hooks"
    finally:
        stop.set()
        acceptor.join()
        listener.close()


def read_request(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk


def hang(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    stop.wait(30)


def silent(conn: socket.socket, stop: threading.Event) -> None:
    stop.wait(30)


def drip(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    for byte in b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n":
        if stop.wait(0.05):
            return
        conn.sendall(bytes([byte]))


def endless(conn: socket.socket, stop: threading.Event) -> None:
    read_request(conn)
    size = 1 << 30
    conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n".encode())
    block = b"x" * 65536
    for _ in range(size // len(block)):
        if stop.is_set():
            return
        conn.sendall(block)


def bare_rate(url: str, body: bytes, count: int) -> float:
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    with requests.Session() as session:
        session.trust_env = False
        started = time.perf_counter()
        for _ in range(count):
            response = session.post(url, data=body, headers=headers, timeout=10)
            assert response.status_code == 204
        return count / (time.perf_counter() - started)


def deliverer_rate(url: str, policy: RetryPolicy, count: int) -> float:
    with Deliverer(policy, clock=FakeClock(), pause_scale=0) as deliverer:
        started = time.perf_counter()
        for _ in range(count):
            log = deliverer.deliver(url, EVENT)
            assert log.received_on == 1
        return count / (time.perf_counter() - started)


def rate(policy: RetryPolicy, count: int, rounds: int) -> list[str]:
    body = encode(EVENT)
    bare: list[float] = []
    ours: list[float] = []
    with receiver() as url:
        bare_rate(url, body, 50)  # warm up both paths
        deliverer_rate(url, policy, 50)
        for _ in range(rounds):
            bare.append(bare_rate(url, body, count))
            ours.append(deliverer_rate(url, policy, count))
    ratio = statistics.median(o / b for o, b in zip(ours, bare, strict=True))
    return [
        "| Loop | events/s (median of rounds) | best round |",
        "| --- | ---: | ---: |",
        f"| bare `requests.Session.post` | {statistics.median(bare):,.0f} | "
        f"{max(bare):,.0f} |",
        f"| `Deliverer.deliver` | {statistics.median(ours):,.0f} | {max(ours):,.0f} |",
        f"| ratio, median of rounds (target >= 0.8) | {ratio:.2f} | |",
    ]


def overshoot(policy: RetryPolicy, runs: int) -> list[str]:
    rows = [
        f"| Server (deadline {DEADLINE:g} s) | median overshoot | worst overshoot |",
        "| --- | ---: | ---: |",
    ]
    cases = (
        ("hangs after the request", hang, "http"),
        ("drips 1 byte/50 ms", drip, "http"),
        ("never finishes the TLS handshake", silent, "https"),
    )
    for name, handler, scheme in cases:
        extra: list[float] = []
        with raw_server(handler) as plain, RequestsTransport(policy) as transport:
            url = plain.replace("http://", f"{scheme}://", 1)
            for _ in range(runs):
                started = time.perf_counter()
                result = transport.send(DeliveryRequest(url, b"{}", {}, DEADLINE))
                extra.append(time.perf_counter() - started - DEADLINE)
                assert result.outcome.value == "timeout", result
        rows.append(
            f"| {name} | {statistics.median(extra) * 1000:.1f} ms | "
            f"{max(extra) * 1000:.1f} ms |"
        )
    return rows


def memory(policy: RetryPolicy) -> list[str]:
    with (
        raw_server(endless) as url,
        RequestsTransport(replace(policy, timeout=10.0)) as transport,
    ):
        tracemalloc.start()
        started = time.perf_counter()
        result = transport.send(DeliveryRequest(url, b"{}", {}, 10.0))
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return [
        "| 1 GB answer body | value |",
        "| --- | ---: |",
        f"| outcome | {result.outcome.value} |",
        f"| body bytes read (cap {policy.body_cap_bytes:,}) | {result.body_read:,} |",
        f"| peak traced Python memory | {peak / 1024:,.0f} KiB |",
        f"| attempt time | {elapsed * 1000:.1f} ms |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    policy = default_contract().retry

    print(f"Python {platform.python_version()}, requests {requests.__version__}, "
          f"{platform.machine()}, {platform.system()}")  # fmt: skip
    print()
    print(f"## Delivery rate ({args.events} events x {args.rounds} rounds each)\n")
    print("\n".join(rate(policy, args.events, args.rounds)))
    print(f"\n## Deadline overshoot ({args.runs} runs each)\n")
    print("\n".join(overshoot(policy, args.runs)))
    print("\n## Memory\n")
    print("\n".join(memory(policy)))


if __name__ == "__main__":
    main()
