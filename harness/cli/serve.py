"""``chord-webhooks serve``: run the reference receiver until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from typing import Any

from harness.cli.console import Console
from harness.contract import load_contract
from harness.options import seconds, whole_number
from harness.receiver import Mode, ReferenceReceiver, parse_mode

__all__ = ["register", "run"]

_LOGGER = "harness.receiver"
_SWITCH_INTERVAL_SECONDS = 0.0005


def register(subparsers: Any) -> None:
    """Add the ``serve`` subcommand."""
    modes = "; ".join(f"{mode.value}: {mode.summary}" for mode in Mode)
    parser = subparsers.add_parser(
        "serve",
        help="run the reference receiver (correct, or wrong on purpose)",
        description="Run the built-in reference receiver: a correct Chord OMS "
        "webhook endpoint, or one that breaks a rule of the contract on purpose. "
        f"Modes: {modes}.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument("--port", default="0", help="port to bind; 0 picks a free one")
    parser.add_argument(
        "--mode", default=Mode.CORRECT.value, metavar="MODE", help="how to behave"
    )
    parser.add_argument(
        "--slow-seconds",
        default="3.0",
        metavar="S",
        help="delay of the slow and process-first modes",
    )
    parser.add_argument(
        "--fail-first",
        default="2",
        metavar="N",
        help="attempts per event the fail-first mode refuses",
    )
    parser.add_argument(
        "--max-in-flight",
        default="2",
        metavar="N",
        help="concurrent requests the overloaded mode accepts",
    )
    parser.add_argument(
        "--body-limit",
        default="32768",
        metavar="BYTES",
        help="largest body the body-limit mode accepts",
    )
    parser.add_argument(
        "--contract", metavar="FILE", help="contract TOML (default: the shipped one)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, console: Console) -> int:
    """Serve until interrupted; Ctrl-C and SIGTERM are the normal way out (exit 0)."""
    receiver = ReferenceReceiver(
        host=args.host,
        port=whole_number("--port", args.port, least=0, most=65535),
        mode=parse_mode(args.mode),
        contract=load_contract(args.contract),
        slow_seconds=seconds("--slow-seconds", args.slow_seconds, zero_ok=True),
        fail_first=whole_number("--fail-first", args.fail_first, least=0),
        max_in_flight=whole_number("--max-in-flight", args.max_in_flight, least=1),
        body_limit=whole_number("--body-limit", args.body_limit, least=1),
    )

    with _events_to(console), _stop_requests() as stop, _prompt_threads():
        receiver.start()
        try:
            console.line(f"listening on {receiver.url} (mode: {receiver.mode.value})")
            console.out.flush()
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            receiver.stop()
    console.info("stopped")
    return 0


@contextlib.contextmanager
def _prompt_threads() -> Iterator[None]:
    """Hand the interpreter between threads every 0.5 ms instead of 5 ms.

    The receiver validates events on a worker thread after answering; with the
    default interval a request waiting to be answered can wait 5 ms for each
    of its turns, which adds tens of ms to every answer during a burst.
    """
    previous = sys.getswitchinterval()
    sys.setswitchinterval(_SWITCH_INTERVAL_SECONDS)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


@contextlib.contextmanager
def _stop_requests() -> Iterator[threading.Event]:
    """An event that SIGTERM sets, for as long as the block runs.

    Ctrl-C arrives as ``KeyboardInterrupt``. The handler is installed only on
    the main thread (the only one Python lets set it) and put back afterwards.
    """
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Lines(logging.Formatter):
    """One line per record; warnings say that they are."""

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.levelno >= logging.WARNING:
            return f"warning: {text}"
        return text


@contextlib.contextmanager
def _events_to(console: Console) -> Iterator[None]:
    """Send the receiver's log, one line per event, to stderr while serving."""
    logger = logging.getLogger(_LOGGER)
    handler = logging.StreamHandler(console.err)
    handler.setFormatter(_Lines())
    previous_level, previous_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)
        logger.propagate = previous_propagate
