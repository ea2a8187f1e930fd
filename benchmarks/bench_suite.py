"""Wall time of the full contract suite, beside a bare loop of the same POSTs.

    python benchmarks/bench_suite.py [--runs 5]

1. The default suite (every check, every event type, processed-once observed)
   against the reference receiver in its own process, as `chord-webhooks
   verify` runs it; and, for comparison, against a receiver in the suite's own
   process (one interpreter shared by both).
2. A bare `requests.Session.post` loop sending the same number of POSTs, of as
   many distinct pre-built events (so the receiver validates each), to a fresh
   receiver process: the floor the suite is compared to.
3. The suite against an endpoint that accepts connections and never answers,
   with a 1 s per-attempt deadline: it must end in bounded time.

Results are written down in benchmarks/suite.md.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import requests

from harness.checks import Suite, SuiteConfig, url_observer
from harness.envelope import encode
from harness.generate import EventFactory
from harness.receiver import ReferenceReceiver


@contextlib.contextmanager
def receiver_process() -> Iterator[str]:
    """`chord-webhooks serve` in a child process; yields its webhook URL."""
    child = subprocess.Popen(
        [sys.executable, "-m", "harness.cli", "serve"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = child.stdout.readline()
        yield re.match(r"listening on (\S+) ", line).group(1)
    finally:
        child.send_signal(signal.SIGINT)
        child.wait(10)


def run_suite(seed: int, *, in_process: bool) -> tuple[float, int]:
    """Seconds and number of verdicts of one whole suite run."""
    with contextlib.ExitStack() as stack:
        if in_process:
            receiver = stack.enter_context(ReferenceReceiver())
            url, observe = receiver.url, receiver.processed_count
        else:
            url = stack.enter_context(receiver_process())
            observe = url_observer(url.replace("/webhooks", "/_chord/processed/{id}"))
        config = SuiteConfig(url=url, seed=seed, processed_count=observe)
        started = time.perf_counter()
        with Suite(config) as suite:
            result = suite.run()
        seconds = time.perf_counter() - started
    assert result.passed, [v.title for v in result.failures]
    return seconds, len(result.verdicts)


def count_posts(seed: int) -> int:
    """How many POSTs one suite run makes (counted by an in-process receiver)."""
    with ReferenceReceiver() as receiver:
        config = SuiteConfig(
            url=receiver.url, seed=seed, processed_count=receiver.processed_count
        )
        with Suite(config) as suite:
            suite.run()
        return sum(1 for d in receiver.deliveries if d.method == "POST")


def run_bare(posts: int, seed: int) -> float:
    factory = EventFactory(seed)
    types = ("order_completed", "shipment_shipped", "shipping_delivery_status_updated")
    bodies = [encode(factory.event(types[i % 3])) for i in range(posts)]
    headers = {"Content-Type": "application/json"}
    with receiver_process() as url, requests.Session() as session:
        started = time.perf_counter()
        for body in bodies:
            answer = session.post(url, data=body, headers=headers, timeout=10)
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

    posts = count_posts(100)
    own, shared, bare = [], [], []
    verdicts = 0
    for run in range(args.runs):
        seconds, verdicts = run_suite(run, in_process=False)
        own.append(seconds)
        shared.append(run_suite(1000 + run, in_process=True)[0])
        bare.append(run_bare(posts, 2000 + run))
    print(f"suite: {verdicts} verdicts, {posts} POSTs, {args.runs} runs")
    for label, times in (
        ("suite, receiver in its own process", own),
        ("suite, receiver in the same process", shared),
        (f"bare loop of {posts} POSTs", bare),
    ):
        print(
            f"{label}: median {statistics.median(times):.2f} s, "
            f"worst {max(times):.2f} s"
        )
    ratio = statistics.median(own) / statistics.median(bare)
    print(f"ratio suite (own process) / bare loop: {ratio:.2f}x")
    hanging, failed = run_hanging(1.0)
    print(f"never-answering endpoint, 1 s timeout: {hanging:.2f} s, {failed} failed")


if __name__ == "__main__":
    main()
