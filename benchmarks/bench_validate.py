"""Validations per second: the catalog against a bare validator and jsonschema.validate.

Run from the repository root::

    python benchmarks/bench_validate.py [--payloads 120] [--repeat 5]

Every contender sees the same payloads, in the same process and run, with the
same registry and format checker:

- ``Catalog.is_valid`` / ``Catalog.validate``: the harness's entry points
  (envelope type lookup, then the cached validator; ``validate`` also builds
  ``Violation`` objects when there are errors);
- a bare ``Draft202012Validator`` built once per type: the floor the catalog
  adds its overhead to (``is_valid`` and ``list(iter_errors())``);
- ``jsonschema.validate()`` per payload: a fresh validator, and a meta-schema
  check, on every call, as naive code does.

Payloads come from ``harness.generate.EventFactory`` when it is importable,
otherwise from the schemas' examples.  Payloads are timed in chunks of 8, the
contenders interleaved on each chunk, and each chunk's best of ``--repeat``
counts, so that other load on the machine stays out of the ratios.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import os
import platform
import time
import tracemalloc
from collections.abc import Callable
from importlib import metadata
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from harness.catalog import Catalog


def payloads(catalog: Catalog, count: int) -> tuple[list[Any], str]:
    """Valid events of every type, ``count`` in all."""
    try:
        from harness.generate import EventFactory
    except ImportError:
        pool = [e for name in catalog.types for e in catalog.examples(name)]
        return [copy.deepcopy(pool[i % len(pool)]) for i in range(count)], "examples"
    events = []
    seed = 0
    while len(events) < count:
        factory = EventFactory(seed)
        events.extend(factory.event(name) for name in catalog.types)
        seed += 1
    return events[:count], "EventFactory(seed).event(type), seeds 0.."


def broken(events: list[Any]) -> list[Any]:
    """The same events with three rules broken in each."""
    result = []
    for event in events:
        event = copy.deepcopy(event)
        event["created_at"] = "yesterday"
        event["id"] = ""
        event["data"]["surprise"] = True
        event["data"].pop(next(iter(event["data"])))
        result.append(event)
    return result


Contender = tuple[Callable[[list[Any]], object], list[Any]]


def best_rate(
    contenders: dict[str, Contender], repeat: int, chunk: int = 8
) -> dict[str, float]:
    """Validations per second of each contender.

    The payloads are timed in chunks, every contender on a chunk in turn, and
    each chunk's best of ``repeat`` counts: short interleaved timings keep a
    busy machine's noise out of the comparison.
    """
    count = len(next(iter(contenders.values()))[1])
    seconds = dict.fromkeys(contenders, 0.0)
    for low in range(0, count, chunk):
        best = dict.fromkeys(contenders, float("inf"))
        for _ in range(repeat):
            for name, (one_pass, items) in contenders.items():
                part = items[low : low + chunk]
                start = time.perf_counter()
                one_pass(part)
                best[name] = min(best[name], time.perf_counter() - start)
        for name in contenders:
            seconds[name] += best[name]
    return {name: count / total for name, total in seconds.items()}


def contenders(
    catalog: Catalog, events: list[Any], fresh: bool
) -> dict[str, Contender]:
    """Each contender: a function checking a list of items, and its items.

    The bare validators get each event already paired with its validator, so
    their figures carry no type lookup at all: the floor.
    """
    format_checker = Draft202012Validator.FORMAT_CHECKER
    bare = {
        name: Draft202012Validator(
            catalog.validator(name).schema,
            registry=catalog.registry,
            format_checker=format_checker,
        )
        for name in catalog.types
    }
    paired = [(bare[catalog.type_of(event)], event) for event in events]
    schemas = [(validator.schema, event) for validator, event in paired]

    def bare_errors(items: list[Any]) -> None:
        for validator, event in items:
            errors = list(validator.iter_errors(event))
            if errors:
                best_match(errors)

    def fresh_validate(items: list[Any]) -> None:
        for schema, event in items:
            with contextlib.suppress(jsonschema.ValidationError):
                jsonschema.validate(
                    event,
                    schema,
                    registry=catalog.registry,
                    format_checker=format_checker,
                )

    found: dict[str, Contender] = {
        "Catalog.is_valid": (lambda xs: [catalog.is_valid(e) for e in xs], events),
        "bare validator .is_valid": (lambda xs: [v.is_valid(e) for v, e in xs], paired),
        "Catalog.validate": (lambda xs: [catalog.validate(e) for e in xs], events),
        "bare validator iter_errors + best_match": (bare_errors, paired),
    }
    if fresh:
        found["jsonschema.validate() per payload"] = (fresh_validate, schemas)
    return found


def lookup_cost(catalog: Catalog, events: list[Any], rounds: int = 200) -> float:
    """Seconds per call of the envelope type lookup (the catalog's own work)."""
    start = time.perf_counter()
    for _ in range(rounds):
        for event in events:
            catalog.type_of(event, strict=False)
    return (time.perf_counter() - start) / (rounds * len(events))


def build_cost(repeat: int) -> tuple[float, float]:
    """Seconds and peak MiB to build a catalog over the shipped schemas."""
    Catalog()  # warm the per-process caches (imports, meta-schema checks)
    seconds = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        Catalog()
        seconds = min(seconds, time.perf_counter() - start)
    tracemalloc.start()
    Catalog()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return seconds, peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payloads", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    catalog = Catalog.default()
    events, source = payloads(catalog, args.payloads)
    invalid = broken(events)
    assert all(catalog.is_valid(event) for event in events)
    assert not any(catalog.is_valid(event) for event in invalid)

    valid_rates = best_rate(contenders(catalog, events, True), args.repeat)
    invalid_rates = best_rate(contenders(catalog, invalid, False), args.repeat)
    seconds, peak = build_cost(args.repeat)
    lookup = lookup_cost(catalog, events)

    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"jsonschema {metadata.version('jsonschema')}, "
        f"referencing {metadata.version('referencing')}"
    )
    print(f"payloads: {len(events)} ({source}), best of {args.repeat} per chunk\n")
    print("| contender | valid payloads /s | invalid payloads /s |")
    print("| --- | ---: | ---: |")
    for name, rate in valid_rates.items():
        other = invalid_rates.get(name)
        shown = f"{other:,.0f}" if other else "-"
        print(f"| {name} | {rate:,.1f} | {shown} |")
    print()
    for mine, floor in (
        ("Catalog.is_valid", "bare validator .is_valid"),
        ("Catalog.validate", "bare validator iter_errors + best_match"),
    ):
        print(
            f"{mine} / {floor}: {valid_rates[mine] / valid_rates[floor]:.2f}x valid, "
            f"{invalid_rates[mine] / invalid_rates[floor]:.2f}x invalid"
        )
    print(
        f"envelope type lookup the catalog adds per call: {lookup * 1e6:.2f} us "
        f"({lookup * valid_rates['bare validator .is_valid'] * 100:.4f} % of one "
        "valid-payload validation)"
    )
    print(f"\nbuilding a Catalog (warm): {seconds * 1000:.0f} ms, peak {peak:.1f} MiB")


if __name__ == "__main__":
    main()
