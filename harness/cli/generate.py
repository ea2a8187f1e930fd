"""``chord-webhooks generate``: seeded, realistic event fixtures.

JSON Lines on stdout by default (the bytes ``harness.envelope.encode`` gives,
one event per line), or one pretty JSON file per event with ``--out DIR``,
named so that listing the folder lists the events in order.  Events are built
and written one at a time, so memory stays flat whatever ``--count`` is.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from harness.cli.console import Console
from harness.contract import Contract, load_contract
from harness.envelope import encode, encode_pretty, event_type
from harness.errors import UsageError
from harness.generate import SCENARIOS, EventFactory
from harness.generate.fixtures import FixtureFolder

__all__ = ["register", "run"]

_MIN_WIDTH = 6
_PROGRESS_STEPS = 200


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return value


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number, got {text!r}"
        ) from None


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "generate",
        help="write seeded, realistic event fixtures",
        description="Generate Chord OMS webhook events that validate against the "
        "schemas and add up. The same --seed gives the same bytes on every "
        "machine. Output: JSON Lines on stdout, or one JSON file per event "
        "with --out.",
    )
    parser.add_argument(
        "type",
        nargs="?",
        metavar="TYPE",
        help="event type (name or alias); with --scenario, keep only this type",
    )
    parser.add_argument(
        "--count",
        type=_count,
        default=1,
        metavar="N",
        help="events to generate (with --scenario: how many orders) (default: 1)",
    )
    parser.add_argument(
        "--seed", type=_seed, default=0, metavar="S", help="random seed (default: 0)"
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help="write one pretty JSON file per event into DIR (created if missing)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into a DIR that already holds files, replacing same-named ones",
    )
    parser.add_argument(
        "--scenario",
        metavar="NAME",
        help=f"one order's story, in order: {', '.join(SCENARIOS)}",
    )
    parser.add_argument("--contract", metavar="FILE", help="a contract TOML file")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, console: Console) -> int:
    contract = load_contract(args.contract)
    factory = EventFactory(args.seed, contract)
    if args.type is None and args.scenario is None:
        raise UsageError(
            "generate needs an event TYPE or --scenario NAME",
            remedy=f"e.g. 'chord-webhooks generate order_completed'; types: "
            f"{', '.join(contract.event_names)}; scenarios: {', '.join(SCENARIOS)}",
        )
    wanted = contract.canonical_type(args.type) if args.type else None
    stream = _stream(factory, contract, args, wanted)

    if args.out is None:
        for _, event in stream:
            console.line(encode(event).decode())
        return 0

    folder = FixtureFolder(args.out, force=args.force)
    folder.prepare()
    written = 0
    width = max(_MIN_WIDTH, len(str(args.count)))
    step = max(1, args.count // _PROGRESS_STEPS)
    show = console.interactive
    label = f"generate {args.scenario or wanted}"
    for done, event in stream:
        written += 1
        name = event_type(event, contract.envelope) or "event"
        if args.scenario:
            filename = f"{written:0{width}d}-{name}.json"
        else:
            filename = f"{name}-{written:0{width}d}.json"
        folder.write(filename, encode_pretty(event))
        if show and (done % step == 0 or done == args.count):
            console.progress(done, args.count, label)
    console.info(f"wrote {written} files to {args.out}")
    return 0


def _stream(
    factory: EventFactory,
    contract: Contract,
    args: argparse.Namespace,
    wanted: str | None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Pairs of (units done, event); bad names raise before anything is built."""
    if args.scenario is None:
        events = factory.events(wanted, args.count)
        return ((index, event) for index, event in enumerate(events, start=1))
    first = factory.scenario(args.scenario)
    return _scenarios(factory, contract, args, wanted, first)


def _scenarios(
    factory: EventFactory,
    contract: Contract,
    args: argparse.Namespace,
    wanted: str | None,
    first: list[dict[str, Any]],
) -> Iterator[tuple[int, dict[str, Any]]]:
    story = first
    for run_index in range(1, args.count + 1):
        if run_index > 1:
            story = factory.scenario(args.scenario)
        for event in story:
            if wanted is None or event_type(event, contract.envelope) == wanted:
                yield run_index, event
