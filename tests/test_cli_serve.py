"""``chord-webhooks serve``: a real process that serves, logs and stops on a signal."""

from __future__ import annotations

import _thread
import io
import logging
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from harness.catalog import Catalog
from harness.cli import main
from harness.cli.console import Console
from harness.cli.serve import _events_to
from harness.envelope import encode

# Starting Python and loading the schemas can be slow on a busy CI machine;
# these bound a hang, they do not measure anything.
STARTUP_SECONDS = 60.0
EXIT_SECONDS = 15.0

# Ctrl-C as a terminal delivers it, even when this suite runs as a background
# job whose children inherit SIGINT as ignored.
LAUNCH = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from harness.cli import main; sys.exit(main(sys.argv[1:]))"
)


class Served:
    """A ``serve`` subprocess, its listening line and what it wrote."""

    def __init__(self, args: list[str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAUNCH, "serve", *args],
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        stdout = self.process.stdout
        assert stdout is not None
        threading.Thread(
            target=lambda: lines.put(stdout.readline()), daemon=True
        ).start()
        try:
            self.listening = lines.get(timeout=STARTUP_SECONDS).rstrip("\n")
        except queue.Empty:
            self.process.kill()
            pytest.fail("serve printed no listening line in time")
        self.url = self.listening.split()[2]

    def stop(self, signum: int) -> tuple[int, str, str]:
        """Send ``signum``; return the exit code, the rest of stdout, stderr."""
        self.process.send_signal(signum)
        try:
            out, err = self.process.communicate(timeout=EXIT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
            pytest.fail(f"serve did not exit on signal {signum}: {err}")
        return self.process.returncode, out, err


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[type[Served]]:
    started: list[Served] = []

    class Tracked(Served):
        def __init__(self, args: list[str]) -> None:
            super().__init__(args, tmp_path)
            started.append(self)

    yield Tracked  # type: ignore[misc]
    for served in started:
        if served.process.poll() is None:
            served.process.kill()
            served.process.communicate()


def make_event() -> dict:
    event = dict(Catalog().examples("order_completed")[0])
    event["id"] = f"evt_{uuid.uuid4().hex}"
    return event


def post(url: str, event: dict) -> int:
    response = requests.post(
        url,
        data=encode(event),
        headers={"Content-Type": "application/json"},
        timeout=5,
        allow_redirects=False,
    )
    return response.status_code


def test_serve_listens_answers_logs_and_exits_0_on_ctrl_c(
    serve: type[Served],
) -> None:
    served = serve(["--port", "0"])
    event = make_event()

    assert served.listening.startswith("listening on http://127.0.0.1:")
    assert served.listening.endswith("/webhooks (mode: correct)")
    assert post(served.url, event) == 200
    code, out, err = served.stop(signal.SIGINT)

    assert code == 0
    assert out == ""
    assert f"{event['id']} order_completed: processed" in err.splitlines()
    assert err.splitlines()[-1] == "stopped"
    assert "Traceback" not in err


def test_serve_in_process_runs_a_mode_and_exits_0_on_sigterm() -> None:
    # Same command in this process: a helper thread waits for the listening
    # line, sends two deliveries, then SIGTERMs this process, which serve's
    # handler turns into a clean stop.  Were no handler installed, it falls
    # back to a simulated Ctrl-C so the test fails instead of killing pytest.
    out, err = io.StringIO(), io.StringIO()
    event = make_event()
    statuses: list[int] = []
    handled: list[bool] = []
    before = signal.getsignal(signal.SIGTERM)

    def drive() -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while "listening on" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.01)
        url = out.getvalue().split()[2]
        statuses.extend(post(url, event) for _ in "ab")
        handled.append(signal.getsignal(signal.SIGTERM) not in (before, signal.SIG_DFL))
        if handled[0]:
            os.kill(os.getpid(), signal.SIGTERM)
        else:
            _thread.interrupt_main()

    driver = threading.Thread(target=drive, daemon=True)
    driver.start()
    args = ["serve", "--mode", "fail-first", "--fail-first", "1"]
    code = main(args, stdout=out, stderr=err)
    driver.join(EXIT_SECONDS)

    assert handled == [True]
    assert code == 0
    assert statuses == [503, 200]
    assert out.getvalue().rstrip("\n").endswith("(mode: fail-first)")
    lines = err.getvalue().splitlines()
    refused = (
        f"{event['id']} order_completed: answered 503, attempt 1, failing the first 1"
    )
    assert refused in lines
    assert f"{event['id']} order_completed: processed" in lines
    assert signal.getsignal(signal.SIGTERM) == before


def test_the_log_goes_to_stderr_one_line_each_and_warnings_say_so() -> None:
    out, err = io.StringIO(), io.StringIO()
    logger = logging.getLogger("harness.receiver")
    level = logger.level

    with _events_to(Console(out, err)):
        logger.info("evt_1 order_completed: %s", "processed")
        logger.warning("listening on %s, not a loopback address", "0.0.0.0")
        logger.debug("not shown")
    logger.info("after serving: not shown")

    assert err.getvalue().splitlines() == [
        "evt_1 order_completed: processed",
        "warning: listening on 0.0.0.0, not a loopback address",
    ]
    assert out.getvalue() == ""
    assert logger.level == level


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


MISUSE = [
    (["--port", "70000"], "--port takes a whole number from 0 to 65535, not '70000'"),
    (["--port", "-1"], "--port takes a whole number from 0 to 65535, not '-1'"),
    (["--port", "abc"], "--port takes a whole number from 0 to 65535, not 'abc'"),
    (["--mode", "slo"], "did you mean 'slow'?"),
    (["--mode", "nonsense"], "modes: correct, redirect, slow"),
    (["--slow-seconds", "-1"], "--slow-seconds takes a number of seconds"),
    (["--slow-seconds", "nan"], "--slow-seconds takes a number of seconds"),
    (["--fail-first", "two"], "--fail-first takes a whole number 0 or more"),
    (["--max-in-flight", "0"], "--max-in-flight takes a whole number 1 or more"),
    (["--body-limit", "-5"], "--body-limit takes a whole number 1 or more"),
    (["--contract", "no-such.toml"], "not found"),
    (["--host", "192.0.2.1"], "cannot listen on 192.0.2.1:0"),
    (["--bogus"], "unrecognized arguments: --bogus"),
]


@pytest.mark.parametrize(("args", "expected"), MISUSE)
def test_misuse_is_one_line_and_exit_2(args: list[str], expected: str) -> None:
    out, err = io.StringIO(), io.StringIO()

    code = main(["serve", *args], stdout=out, stderr=err)

    assert code == 2
    assert out.getvalue() == ""
    [line] = err.getvalue().splitlines()
    assert line.startswith("chord-webhooks: error: ")
    assert expected in line


def test_a_port_in_use_is_one_line_and_exit_2(busy_port: int) -> None:
    out, err = io.StringIO(), io.StringIO()

    code = main(["serve", "--port", str(busy_port)], stdout=out, stderr=err)

    assert code == 2
    [line] = err.getvalue().splitlines()
    assert f"port {busy_port} on 127.0.0.1 is already in use" in line
