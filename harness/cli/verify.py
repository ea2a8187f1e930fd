"""``chord-webhooks verify``: run the contract suite against an endpoint."""

from __future__ import annotations

import argparse
import contextlib
import re
import select
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from harness.checks import Suite, SuiteConfig, SuiteResult, url_observer
from harness.checks.suite import dump_report
from harness.cli.console import Console
from harness.contract import Contract, load_contract
from harness.delivery import parse_header
from harness.errors import HarnessError, UsageError
from harness.files import write_atomically
from harness.options import seconds, whole_number
from harness.receiver import OBSERVE_PREFIX, Mode, parse_mode

__all__ = ["register", "run"]

# How long the reference receiver's child process may take to start and to stop.
_START_SECONDS = 30.0
_STOP_SECONDS = 5.0
_WEBHOOK_PATH = "/webhooks"


def register(subparsers: Any) -> None:
    """Add the ``verify`` subcommand."""
    parser = subparsers.add_parser(
        "verify",
        help="check an endpoint against the Chord OMS delivery contract",
        description="Run every contract check against URL and print a verdict per "
        "check and event type. Without URL, start the built-in reference receiver "
        "on 127.0.0.1, verify it, and stop it. Exit 0 when every check passed, 1 "
        "when one failed, 2 on misuse.",
    )
    parser.add_argument("url", nargs="?", metavar="URL", help="the endpoint to check")
    parser.add_argument(
        "--events",
        metavar="TYPE[,TYPE...]",
        help="event types the endpoint subscribes to (default: all)",
    )
    parser.add_argument(
        "--timeout", metavar="SECONDS", help="per-attempt deadline (default: contract)"
    )
    parser.add_argument("--seed", default="0", metavar="S", help="generator seed")
    parser.add_argument("--report", metavar="FILE.json", help="write a JSON report")
    parser.add_argument("--junit", metavar="FILE.xml", help="write a JUnit XML report")
    parser.add_argument("--contract", metavar="FILE", help="contract TOML file")
    parser.add_argument(
        "--processed-url",
        metavar="TEMPLATE",
        help="URL that answers how often an event id was processed, with {id} in it; "
        "enables the processed-once check",
    )
    parser.add_argument(
        "--header", action="append", default=[], metavar="'Name: value'"
    )
    parser.add_argument(
        "--secret-header",
        action="append",
        default=[],
        metavar="'Name: value'",
        help="sent, but shown as *** everywhere",
    )
    parser.add_argument("--ca-file", metavar="PEM", help="trust this CA for https://")
    parser.add_argument(
        "--receiver-mode",
        metavar="MODE",
        help="without URL: run the reference receiver in this mode (see 'serve')",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, console: Console) -> int:
    contract = load_contract(args.contract)
    _check_writable(args.report, "--report")
    _check_writable(args.junit, "--junit")
    options = _options(args, contract)
    if args.url:
        SuiteConfig(url=args.url, **options)  # a bad URL is misuse: say so first
    with _endpoint(args, contract, console) as (url, observe_url):
        if observe_url and options["processed_count"] is None:
            options["processed_count"] = url_observer(observe_url)
        with Suite(SuiteConfig(url=url, **options)) as suite:
            result = suite.run()
    _print(result, console)
    if args.report:
        write_atomically(Path(args.report), dump_report(result))
        console.info(f"report written to {args.report}")
    if args.junit:
        write_atomically(Path(args.junit), result.to_junit())
        console.info(f"JUnit XML written to {args.junit}")
    return 0 if result.passed else 1


def _options(args: argparse.Namespace, contract: Contract) -> dict[str, Any]:
    """Every option but the URL, checked before anything starts."""
    events = tuple(
        name.strip() for name in (args.events or "").split(",") if name.strip()
    )
    if args.events is not None and not events:
        raise UsageError(
            "--events names no event type", remedy="e.g. --events order_completed"
        )
    return dict(
        contract=contract,
        event_types=tuple(contract.canonical_type(name) for name in events),
        seed=whole_number("--seed", args.seed),
        timeout=None if args.timeout is None else seconds("--timeout", args.timeout),
        headers=dict(parse_header(text) for text in args.header),
        secret_headers=dict(parse_header(t, secret=True) for t in args.secret_header),
        processed_count=url_observer(args.processed_url)
        if args.processed_url
        else None,
        ca_file=args.ca_file,
    )


@contextlib.contextmanager
def _endpoint(
    args: argparse.Namespace, contract: Contract, console: Console
) -> Iterator[tuple[str, str | None]]:
    """The URL to verify: the one given, or a reference receiver started here."""
    if args.url:
        if args.receiver_mode:
            raise UsageError(
                "--receiver-mode only applies without URL",
                remedy="drop URL to verify the built-in receiver, or drop the flag",
            )
        yield args.url, None
        return
    mode = parse_mode(args.receiver_mode or "correct")
    with _receiver_process(mode, args.contract) as url:
        console.info(
            f"no URL given: started the reference receiver ({mode.value}) at {url}"
        )
        yield url, url.removesuffix(_WEBHOOK_PATH) + OBSERVE_PREFIX + "{id}"
    console.info("stopped the reference receiver")


@contextlib.contextmanager
def _receiver_process(mode: Mode, contract_file: str | None) -> Iterator[str]:
    """Run ``chord-webhooks serve`` in a child process and yield its URL.

    In its own process the receiver's work (validating every event) runs on
    the other core instead of taking turns with the suite for one
    interpreter, as a real endpoint would.
    """
    command = [sys.executable, "-m", "harness.cli", "serve", "--mode", mode.value]
    if contract_file:
        command += ["--contract", contract_file]
    with tempfile.TemporaryFile("w+") as log:
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            yield _listening_url(child, log)
        finally:
            _stop(child)


def _listening_url(child: subprocess.Popen[str], log: IO[str]) -> str:
    assert child.stdout is not None
    ready, _, _ = select.select([child.stdout], [], [], _START_SECONDS)
    line = child.stdout.readline() if ready else ""
    match = re.match(r"listening on (\S+) ", line)
    if match is None:
        _stop(child)
        log.seek(0)
        said = " ".join(log.read().split())[-300:] or "nothing"
        raise HarnessError(
            f"the reference receiver did not start (it said: {said})",
            remedy="run 'chord-webhooks serve' to see why, or pass a URL to verify",
        )
    return match.group(1)


def _stop(child: subprocess.Popen[str]) -> None:
    """Ctrl-C is serve's normal way out; kill it if it does not go in time."""
    if child.poll() is None:
        child.send_signal(signal.SIGINT)
        try:
            child.wait(_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    if child.stdout is not None:
        child.stdout.close()


def _print(result: SuiteResult, console: Console) -> None:
    if result.headline:
        console.line(result.headline)
        console.line("")
    types = sorted({v.event_type for v in result.verdicts})
    width = max((len(v.check_id) for v in result.verdicts), default=10)
    type_width = max((len(t) for t in types), default=10)
    console.line(f"{'check':<{width}}  {'event type':<{type_width}}  verdict  latency")
    for verdict in result.verdicts:
        latency = "" if verdict.latency is None else f"{verdict.latency * 1000:.0f} ms"
        console.line(
            f"{verdict.check_id:<{width}}  {verdict.event_type:<{type_width}}  "
            f"{verdict.status:<7}  {latency}".rstrip()
        )
    counts = result.counts()
    failures = result.failures
    if failures and not result.headline:
        console.line("")
        console.line("Failures")
        for verdict in failures:
            console.line("")
            console.line(verdict.render())
    elif failures:
        console.line("")
        console.line(failures[0].render())
    skipped = [v for v in result.verdicts if v.skipped]
    for verdict in skipped[:1]:
        console.line("")
        console.line(f"skipped {verdict.check_id}: {verdict.skipped}")
    console.line("")
    console.line(
        f"{counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped in {result.seconds:.2f} s against {result.url}"
    )


def _check_writable(path: str | None, flag: str) -> None:
    if path is None:
        return
    folder = Path(path).expanduser().resolve().parent
    if Path(path).is_dir() or not folder.is_dir():
        raise UsageError(
            f"{flag} {path!r} is not a file path in an existing folder",
            remedy=f"give {flag} a file name in a folder that exists",
        )
