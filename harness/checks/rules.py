"""The contract checks: one named unit per rule a Chord OMS endpoint must keep.

Each check sends something to the endpoint through the suite's context and
fills in a ``Verdict``.  The ids are stable: reports, JUnit files and pytest
node ids use them.
"""

from __future__ import annotations

import enum
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.checks.context import SuiteContext
from harness.checks.verdict import Verdict
from harness.delivery import Attempt, AttemptLog, Outcome

__all__ = ["CHECKS", "LIFECYCLE", "Check", "Scope", "check_by_id"]

LIFECYCLE = "lifecycle"
"""The event-type label of checks that span one order's whole lifecycle."""

# How often the processed-once check asks the user's observer.
_OBSERVE_POLL_SECONDS = 0.01


class Scope(enum.Enum):
    """Whether a check runs once per subscribed event type or once per suite."""

    PER_TYPE = "per-type"
    SUITE = "suite"


@dataclass(frozen=True)
class Check:
    """One rule of the contract, and how to test an endpoint against it."""

    id: str
    title: str
    rule: str
    sends: str
    run: Callable[[SuiteContext, Verdict], None]
    scope: Scope = Scope.PER_TYPE
    needs_observer: bool = False

    def verdict(self, event_type: str) -> Verdict:
        return Verdict(self.id, event_type, rule=self.rule, sends=self.sends)


def _answer(attempt: Attempt) -> str:
    """``HTTP 503 (server error)`` or ``no HTTP answer (timeout)``."""
    status = "no HTTP answer" if attempt.status is None else f"HTTP {attempt.status}"
    return f"{status} ({attempt.outcome.label})"


def _not_received(log: AttemptLog) -> str:
    """The last attempt's answer and what it means."""
    last = log.last
    if last is None:
        return "nothing was sent"
    return f"{_answer(last)}: {last.outcome.explain(last.status)}"


def _expect_ack(
    ctx: SuiteContext, verdict: Verdict, log: AttemptLog, event: Any
) -> None:
    """Fail ``verdict`` unless the first attempt of ``log`` acknowledged."""
    verdict.logs.append(log)
    first = log.attempts[0] if log.attempts else None
    if first is not None and first.received:
        return
    if log.received:
        message = (
            f"acknowledged only on attempt {log.received_on}; the OMS counted every "
            f"earlier answer as not received: {_answer(log.attempts[0])}"
        )
    else:
        message = _not_received(log)
    verdict.fail(message, reproduce=ctx.reproduce(event))


# -- the checks ---------------------------------------------------------------


def _acknowledged(ctx: SuiteContext, verdict: Verdict) -> None:
    event = ctx.factory("acknowledged", verdict.event_type).event(verdict.event_type)
    log = ctx.deliver(event)
    verdict.latency = log.attempts[0].latency if log.attempts else None
    _expect_ack(ctx, verdict, log, event)


def _no_redirect(ctx: SuiteContext, verdict: Verdict) -> None:
    event = ctx.factory("no-redirect", verdict.event_type).event(verdict.event_type)
    log = ctx.send_once(event)
    verdict.logs.append(log)
    attempt = log.attempts[0]
    verdict.latency = attempt.latency
    if attempt.outcome is Outcome.REDIRECT:
        verdict.fail(
            f"HTTP {attempt.status} redirect to {attempt.location!r}. Chord never "
            "follows a redirect: every event sent to this URL is lost. Register the "
            "final URL instead.",
            reproduce=ctx.reproduce(event),
        )
    elif attempt.status is None:
        verdict.fail(
            f"no HTTP answer, so the rule could not be checked: {_not_received(log)}",
            reproduce=ctx.reproduce(event),
        )


def _prompt(ctx: SuiteContext, verdict: Verdict) -> None:
    event = ctx.factory("prompt", verdict.event_type).event(verdict.event_type)
    log = ctx.send_once(event)
    verdict.logs.append(log)
    attempt = log.attempts[0]
    verdict.latency = attempt.latency
    budget = ctx.config.budget
    if not attempt.received:
        verdict.fail(_not_received(log), reproduce=ctx.reproduce(event))
    elif attempt.latency > budget:
        verdict.fail(
            f"acknowledged after {attempt.latency * 1000:.0f} ms, over the "
            f"{budget * 1000:.0f} ms budget: answer before any slow work, or a slow "
            "moment turns into timeouts and repeats",
            reproduce=ctx.reproduce(event),
        )


def _repeat_acknowledged(ctx: SuiteContext, verdict: Verdict) -> None:
    event = ctx.factory("repeat", verdict.event_type).event(verdict.event_type)
    times = ctx.contract.retry.max_attempts
    log = ctx.repeat(event, times)
    verdict.logs.append(log)
    failed = next((a for a in log.attempts if not a.received), None)
    if failed is not None:
        verdict.fail(
            f"delivery {failed.number} of the same event (same id, same bytes) got "
            f"{_answer(failed)}. The OMS repeats an event whenever an "
            "acknowledgement is lost; a repeat must be acknowledged like the first.",
            reproduce=ctx.reproduce(event),
        )


def _repeat_after_timeout(ctx: SuiteContext, verdict: Verdict) -> None:
    event = ctx.factory("repeat-after-timeout", verdict.event_type).event(
        verdict.event_type
    )
    ctx.abandon(event)
    log = ctx.send_once(event)
    verdict.logs.append(log)
    verdict.latency = log.attempts[0].latency
    if not log.attempts[0].received:
        verdict.fail(
            "the repeat of an event whose first attempt the OMS had given up on got "
            f"{_not_received(log)}. An endpoint still working on the first attempt "
            "must acknowledge the repeat.",
            reproduce=ctx.reproduce(event),
        )


def _unknown_event_type(ctx: SuiteContext, verdict: Verdict) -> None:
    event = ctx.factory("unknown-type", verdict.event_type).event(verdict.event_type)
    keys = ctx.contract.envelope
    known = set(ctx.contract.event_names)
    for spec in ctx.contract.events:
        known.update(spec.aliases)
    name = f"{verdict.event_type}_preview"
    while name in known:
        name += "_next"
    event[keys.type] = name
    log = ctx.send_once(event)
    _expect_ack(ctx, verdict, log, event)
    if not verdict.passed:
        verdict.message = (
            f"an event of type {name!r}, which the catalog does not have, got "
            f"{verdict.message}. Chord adds event types; an endpoint that refuses one "
            "makes the OMS repeat it to no end. Acknowledge and ignore it."
        )


def _with_extras(value: Any, depth: int = 0) -> Any:
    """Add an unknown property to every object down to a few levels."""
    if isinstance(value, dict):
        copy = {key: _with_extras(item, depth + 1) for key, item in value.items()}
        if depth <= 3:
            copy[f"harness_extra_{depth}"] = {
                "added_by": "chord-webhooks",
                "depth": depth,
            }
        return copy
    if isinstance(value, list):
        return [_with_extras(item, depth) for item in value]
    return value


def _extra_fields(ctx: SuiteContext, verdict: Verdict) -> None:
    event = ctx.factory("extra-fields", verdict.event_type).event(verdict.event_type)
    event = _with_extras(event)
    log = ctx.send_once(event)
    _expect_ack(ctx, verdict, log, event)
    if not verdict.passed:
        verdict.message = (
            f"a valid event with added unknown properties got {verdict.message}. A "
            "sender adds fields over time; ignore the ones you do not know."
        )


def _out_of_order(ctx: SuiteContext, verdict: Verdict) -> None:
    factory = ctx.factory("out-of-order", LIFECYCLE)
    keys = ctx.contract.envelope
    subscribed = set(ctx.config.event_types)
    events = [
        event
        for event in factory.scenario("lifecycle")
        if ctx.contract.canonical_type(event[keys.type]) in subscribed
    ]
    if len({event[keys.type] for event in events}) < 2:
        verdict.skip("fewer than two of the lifecycle's event types are subscribed")
        return
    shuffled = _shuffle_away_from_order(events, ctx.config.seed)
    verdict.sends = f"{verdict.sends} ({len(shuffled)} events)"
    for event in shuffled:
        log = ctx.send_once(event)
        _expect_ack(ctx, verdict, log, event)
        if not verdict.passed:
            verdict.message = (
                f"{event[keys.type]} {event[keys.id]} (delivered out of order) got "
                f"{verdict.message}. Chord does not promise an order of delivery."
            )
            return


def _shuffle_away_from_order(events: list[Any], seed: int) -> list[Any]:
    """A seeded shuffle that never leaves the lifecycle's own order."""
    shuffled = list(reversed(events))
    rng = random.Random(seed)
    rng.shuffle(shuffled)
    if shuffled == events:
        shuffled.reverse()
    return shuffled


def _burst(ctx: SuiteContext, verdict: Verdict) -> None:
    settings = ctx.contract.checks
    factory = ctx.factory("burst", verdict.event_type)
    unique = max(1, settings.burst_size - settings.burst_duplicates)
    events = list(factory.events(verdict.event_type, unique))
    rng = random.Random(ctx.config.seed)
    repeats = [rng.choice(events) for _ in range(settings.burst_size - unique)]
    burst = events + repeats
    rng.shuffle(burst)
    verdict.sends = (
        f"{len(burst)} deliveries of {verdict.event_type}, {settings.burst_concurrency}"
        f" at a time, {len(repeats)} of them repeats of an earlier id"
    )
    logs = ctx.send_many(burst)
    failed = [
        (log, event) for log, event in zip(logs, burst, strict=True) if not log.received
    ]
    verdict.latency = max((log.attempts[0].latency for log in logs), default=None)
    if failed:
        verdict.logs.extend(log for log, _ in failed[:3])
        log, event = failed[0]
        verdict.fail(
            f"{len(failed)} of {len(burst)} concurrent deliveries were not "
            f"acknowledged; the first: {_not_received(log)}",
            reproduce=ctx.reproduce(event),
        )


def _edge_payloads(ctx: SuiteContext, verdict: Verdict) -> None:
    factory = ctx.factory("edge-payloads", verdict.event_type)
    cases = factory.edge_cases(verdict.event_type)
    verdict.sends = f"{verdict.sends} ({len(cases)} events)"
    for event in cases:
        log = ctx.send_once(event)
        _expect_ack(ctx, verdict, log, event)
        if not verdict.passed:
            size = len(ctx.reproduce(event))
            verdict.message = (
                f"an edge-case event (about {size // 1024} KiB on the wire) got "
                f"{verdict.message}"
            )
            return


def _processed_once(ctx: SuiteContext, verdict: Verdict) -> None:
    if ctx.config.processed_count is None:
        verdict.skip(
            "no way to observe processing was given. Enable it with a "
            "`chord_processed_count` fixture in your rootdir conftest.py (a function "
            "from event id to the number of times your app processed it), or with "
            "--processed-url 'http://HOST/...{id}' on the command line"
        )
        return
    event = ctx.factory("processed-once", verdict.event_type).event(verdict.event_type)
    keys = ctx.contract.envelope
    event_id = event[keys.id]
    first = ctx.deliver(event)
    second = ctx.send_once(event)
    verdict.logs += [first, second]
    if not any(
        _took(attempt.status) for attempt in (*first.attempts, *second.attempts)
    ):
        # No attempt was taken in, so there is no processing to count (and no
        # reason to wait for one); the acknowledged check reports why.
        verdict.fail(
            f"no delivery of event {event_id} got a 2xx answer "
            f"({_not_received(first)}), so processing could not be observed",
            reproduce=ctx.reproduce(event),
        )
        return
    count = _settled_count(ctx, event_id)
    if count != 1:
        verdict.fail(
            f"event {event_id} was delivered twice and processed {count} times; "
            "handle each event id once (the OMS repeats events)",
            reproduce=ctx.reproduce(event),
        )


def _took(status: int | None) -> bool:
    """Whether an answer says the endpoint took the event in (any 2xx)."""
    return status is not None and 200 <= status < 300


def _settled_count(ctx: SuiteContext, event_id: str) -> int:
    """Poll the user's observer until the count is at least 1 and stays put.

    A second processing of the repeat would come about as long after the first
    as the first took to show, so the watch lasts three times that long (and
    at least the contract's minimum): quick endpoints are judged quickly, slow
    ones are given the time they need.
    """
    settings = ctx.contract.checks
    started = time.monotonic()
    deadline = started + settings.observe_deadline
    count = ctx.processed(event_id) or 0
    while count < 1 and time.monotonic() < deadline:
        time.sleep(_OBSERVE_POLL_SECONDS)
        count = ctx.processed(event_id) or 0
    took = time.monotonic() - started
    settle = min(deadline, time.monotonic() + max(settings.observe_settle, 3 * took))
    while count <= 1 and time.monotonic() < settle:
        time.sleep(_OBSERVE_POLL_SECONDS)
        count = ctx.processed(event_id) or 0
    return count


CHECKS: tuple[Check, ...] = (
    Check(
        "acknowledged",
        "acknowledged",
        "a valid event is acknowledged with 200, 201, 202 or 204 on the first "
        "attempt; any other answer, other 2xx included, is 'not received'",
        "one valid event, repeated as the OMS does until acknowledged",
        _acknowledged,
    ),
    Check(
        "no-redirect",
        "no redirect",
        "the URL answers a POST without a 3xx; Chord never follows a redirect",
        "one valid event",
        _no_redirect,
    ),
    Check(
        "prompt",
        "prompt",
        "acknowledged within the time budget, before any slow work",
        "one valid event, one attempt",
        _prompt,
    ),
    Check(
        "repeat-acknowledged",
        "repeat acknowledged",
        "the same event (same id, same bytes) delivered again, as after a lost "
        "acknowledgement, is acknowledged every time, up to the contract's repeats",
        "one valid event, sent once and then repeated 5 times",
        _repeat_acknowledged,
    ),
    Check(
        "repeat-after-timeout",
        "repeat after timeout",
        "after the OMS gave up waiting on an attempt, the repeat is acknowledged",
        "one valid event, abandoned before the answer, then repeated",
        _repeat_after_timeout,
    ),
    Check(
        "processed-once",
        "processed once",
        "an event delivered twice is processed once",
        "one valid event, then the same event again",
        _processed_once,
        needs_observer=True,
    ),
    Check(
        "unknown-event-type",
        "unknown event type",
        "an event of a type the catalog does not have is acknowledged (and ignored)",
        "a valid event renamed to a type Chord might add later",
        _unknown_event_type,
    ),
    Check(
        "extra-fields",
        "extra fields",
        "a valid event with unknown properties added at several depths is acknowledged",
        "one valid event with added properties at four depths",
        _extra_fields,
    ),
    Check(
        "out-of-order",
        "out of order",
        "one order's events delivered out of order are each acknowledged",
        "a lifecycle (order, shipments, delivery updates) in a shuffled order",
        _out_of_order,
        scope=Scope.SUITE,
    ),
    Check(
        "burst",
        "burst",
        "a burst of concurrent deliveries, repeats among them, is acknowledged in full",
        "concurrent deliveries",
        _burst,
    ),
    Check(
        "edge-payloads",
        "edge payloads",
        "the extremes (100+ line items, unicode everywhere, zero totals, nulls where "
        "allowed) are acknowledged",
        "the generator's edge-case events",
        _edge_payloads,
    ),
)


def check_by_id(check_id: str) -> Check:
    for check in CHECKS:
        if check.id == check_id:
            return check
    raise KeyError(check_id)
