"""Wall time of the full contract suite, beside a bare loop of the same POSTs.

    python benchmarks/bench_suite.py [--runs 5]

1. The default suite (every check, every event type, processed-once observed)
   against the reference receiver, run as `chord-webhooks verify` runs it.
2. A bare `requests.Session.post` loop sending the same number of POSTs of one
   pre-built event to the same receiver: the floor the suite is compared to.
3. The suite against an endpoint that accepts connections and never answers,
   with a 1 s per-attempt deadline: it must end in bounded time.

Results are written down in benchmarks/suite.md.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import threading
import time

import requests

from harness.checks import Suite, SuiteConfig
from harness.envelope import encode
from harness.generate import EventFactory
from harness.receiver import ReferenceReceiver


def run_suite() -> tuple[float, int, int]:
    """Seconds, number of POSTs the receiver saw, number of verdicts."""
    with ReferenceReceiver() as receiver:
        config = SuiteConfig(url=receiver.url, processed_count=receiver.processed_count)
        started = time.perf_counter()
        with Suite(config) as suite:
            result = suite.run()
        seconds = time.perf_counter() - started
        assert result.passed, [v.title for v in result.failures]
        return seconds, len(receiver.deliveries), len(result.verdicts)


def run_bare(posts: int) -> float:
    body = encode(EventFactory(1).event("order_completed"))
    headers = {"Content-Type": "application/json"}
    with ReferenceReceiver() as receiver, requests.Session() as session:
        started = time.perf_counter()
        for _ in range(posts):
            answer = session.post(receiver.url, data=body, headers=headers, timeout=5)
            assert answer.status_code in (200, 204)
        return time.perf_counter() - started


def run_hanging(timeout: float) -> tuple[float, int]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/webhooks"
    started = time.perf_counter()
    with Suite(SuiteConfig(url=url, timeout=timeout)) as suite:
        result = suite.run()
    seconds = time.perf_counter() - started
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    listener.close()
    return seconds, len(result.failures)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    suite_times, bare_times = [], []
    posts = verdicts = 0
    for _ in range(args.runs):
        seconds, posts, verdicts = run_suite()
        suite_times.append(seconds)
        bare_times.append(run_bare(posts))
    suite_median = statistics.median(suite_times)
    bare_median = statistics.median(bare_times)
    print(f"suite: {verdicts} verdicts, {posts} POSTs")
    print(
        f"suite wall time: median {suite_median:.2f} s, worst {max(suite_times):.2f} s"
    )
    print(f"bare loop of {posts} POSTs: median {bare_median:.2f} s")
    print(f"ratio suite / bare: {suite_median / bare_median:.1f}x")
    hanging, failed = run_hanging(1.0)
    print(f"never-answering endpoint, 1 s timeout: {hanging:.2f} s, {failed} failed")


if __name__ == "__main__":
    main()
