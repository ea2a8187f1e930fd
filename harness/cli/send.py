"""``chord-webhooks send``: deliver one event to an endpoint the way Chord OMS does.

Repeats until acknowledged or out of attempts, pausing by the contract's
schedule (scaled by ``--pause-scale``), and prints the attempt log.  Exit 0
when the event was received, 1 when it was not, 2 on misuse.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from harness.cli.console import Console
from harness.contract import Contract, load_contract
from harness.delivery import Deliverer, RequestsTransport, check_url, parse_header
from harness.errors import InputError, UsageError
from harness.files import read_text
from harness.options import seconds

__all__ = ["register", "run"]

_FILE_REMEDY = "pass a JSON file holding one event object"
_NUMBER_HINTS = {
    "--timeout": "give seconds above 0, e.g. --timeout 10",
    "--pause-scale": "give 0 (no pauses), 1 (the contract's schedule) or a factor",
}
_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number",
               bool: "boolean", type(None): "null"}  # fmt: skip


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "send",
        help="deliver one event to an endpoint, with Chord's repeats",
        description="POST one event to URL as Chord OMS does: only 200, 201, 202 "
        "and 204 acknowledge it; anything else, redirects included, is repeated "
        "with the same bytes, up to the contract's number of attempts. Exit 0 "
        "received, 1 not received, 2 misuse.",
    )
    parser.add_argument("url", metavar="URL", help="the endpoint, e.g. "
                        "http://localhost:8000/webhooks")  # fmt: skip
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--event", metavar="TYPE", help="generate an event of this type (or alias)"
    )
    source.add_argument(
        "--file", metavar="PAYLOAD.json", help="send the event object in this file"
    )
    parser.add_argument(
        "--seed", type=int, metavar="S", help="seed of the generated event (default 0)"
    )
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        help="deadline of each attempt, connect to last byte (default: the contract's)",
    )
    parser.add_argument(
        "--pause-scale",
        metavar="FACTOR",
        default="1",
        help="multiply the pauses between repeats (0: repeat at once; default 1)",
    )
    parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="an extra request header (repeatable)",
    )
    parser.add_argument(
        "--secret-header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="an extra header whose value is shown as *** (repeatable)",
    )
    parser.add_argument(
        "--ca-file", metavar="PEM", help="trust the CA certificates in this PEM file"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the attempt log as JSON"
    )
    parser.add_argument("--contract", metavar="FILE", help="a contract TOML file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, console: Console) -> int:
    url = check_url(args.url)
    timeout = (
        None
        if args.timeout is None
        else seconds("--timeout", args.timeout, remedy=_NUMBER_HINTS["--timeout"])
    )
    pause_scale = seconds(
        "--pause-scale",
        args.pause_scale,
        zero_ok=True,
        what="a factor",
        remedy=_NUMBER_HINTS["--pause-scale"],
    )
    headers = dict(parse_header(text) for text in args.header)
    secrets = dict(parse_header(text, secret=True) for text in args.secret_header)
    contract = load_contract(args.contract)
    event = _event(args, contract)
    policy = contract.retry

    with (
        RequestsTransport(policy, ca_file=args.ca_file) as transport,
        Deliverer(
            policy,
            transport=transport,
            pause_scale=pause_scale,
            headers=headers,
            secret_headers=secrets,
            timeout=timeout,
            envelope=contract.envelope,
        ) as deliverer,
    ):
        _announce(console, deliverer)
        log = deliverer.deliver(url, event)

    if args.json:
        console.json(log.to_dict())
    else:
        console.line(log.render())
    return 0 if log.received else 1


def _event(args: argparse.Namespace, contract: Contract) -> dict[str, Any]:
    if args.file is None:
        # Imported here: Faker is slow to load and only --event needs it.
        from harness.generate import EventFactory

        name = contract.canonical_type(args.event)
        seed = 0 if args.seed is None else args.seed
        return EventFactory(seed, contract).event(name)
    if args.seed is not None:
        raise UsageError(
            "--seed applies only to --event", remedy="drop --seed, or use --event TYPE"
        )
    return _read_payload(Path(args.file))


def _read_payload(path: Path) -> dict[str, Any]:
    shown = str(path)
    text = read_text(path, what="payload file", error=InputError, remedy=_FILE_REMEDY)
    try:
        event = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"payload file {shown!r} is not valid JSON (line {exc.lineno}, column "
            f"{exc.colno}: {exc.msg})",
            remedy=_FILE_REMEDY,
        ) from None
    if not isinstance(event, dict):
        kind = _JSON_KINDS.get(type(event), type(event).__name__)
        raise InputError(
            f"payload file {shown!r} holds a JSON {kind}, not an object",
            remedy=f"{_FILE_REMEDY}; the OMS sends one event per request",
        )
    return event


def _announce(console: Console, deliverer: Deliverer) -> None:
    policy = deliverer.policy
    if policy.max_attempts < 2 or deliverer.pause_scale == 0:
        return
    pauses = [
        policy.pause_before(n) * deliverer.pause_scale
        for n in range(2, policy.max_attempts + 1)
    ]
    if not any(pauses):
        return
    shown = ", ".join(f"{pause:g} s" for pause in pauses)
    console.info(
        f"if not acknowledged, repeats after pauses of {shown} "
        "(--pause-scale 0 repeats at once)"
    )
