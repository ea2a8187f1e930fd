"""Every contract check passes against the correct receiver and fails against
the receiver mode that breaks its rule, and only there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.checks import CHECKS, LIFECYCLE, Suite, SuiteConfig, SuiteResult
from harness.receiver import Mode, ReferenceReceiver

ALL = frozenset(check.id for check in CHECKS)
TYPES = ("order_completed", "shipment_shipped")

# Per mode: the checks that must fail, for every subscribed type.  Modes whose
# slow work would make the suite slow are run with short delays and a budget
# below them (see `_run`).
EXPECTED: dict[Mode, frozenset[str]] = {
    Mode.CORRECT: frozenset(),
    Mode.REDIRECT: ALL,
    Mode.SLOW: frozenset({"prompt"}),
    Mode.ERROR_ON_REPEAT: frozenset(
        {"repeat-acknowledged", "repeat-after-timeout", "burst"}
    ),
    Mode.NON_ACK_2XX: ALL - {"no-redirect", "processed-once"},
    Mode.REJECT_UNKNOWN: frozenset({"unknown-event-type"}),
    Mode.FAIL_FIRST: ALL - {"no-redirect", "processed-once"},
    Mode.PROCESS_FIRST: frozenset({"prompt", "repeat-after-timeout", "burst"}),
    Mode.STRICT_FIELDS: frozenset({"extra-fields"}),
    Mode.OVERLOADED: frozenset({"burst"}),
    Mode.BODY_LIMIT: frozenset({"edge-payloads"}),
    Mode.NO_DEDUPE: frozenset({"processed-once"}),
}


def _run(mode: Mode, event_types: tuple[str, ...] = TYPES) -> SuiteResult:
    with ReferenceReceiver(mode=mode, slow_seconds=0.3) as receiver:
        config = SuiteConfig(
            url=receiver.url,
            event_types=event_types,
            timeout=2.0,
            ack_budget=0.15,
            processed_count=receiver.processed_count,
        )
        with Suite(config) as suite:
            result = suite.run()
        receiver.check_errors()
    return result


def _failed(result: SuiteResult) -> set[tuple[str, str]]:
    return {(v.check_id, v.event_type) for v in result.failures}


def _expected(failing: frozenset[str], event_types: tuple[str, ...]) -> set:
    expected = set()
    for check in CHECKS:
        if check.id not in failing:
            continue
        if check.id == "out-of-order":
            expected.add((check.id, LIFECYCLE))
        else:
            expected.update((check.id, event_type) for event_type in event_types)
    return expected


# Modes that answer every request slowly are run for one type, to stay quick.
# body-limit is run for the order types: their extremes carry 100+ line items,
# far over its 32 KiB; a shipment's extremes are smaller than that.
MODE_TYPES: dict[Mode, tuple[str, ...]] = {
    Mode.SLOW: TYPES[:1],
    Mode.PROCESS_FIRST: TYPES[:1],
    Mode.BODY_LIMIT: ("order_completed", "order_canceled"),
}


@pytest.mark.parametrize("mode", list(EXPECTED), ids=lambda mode: mode.value)
def test_each_mode_fails_exactly_the_checks_of_its_rule(mode: Mode) -> None:
    types = MODE_TYPES.get(mode, TYPES)
    result = _run(mode, types)

    assert _failed(result) == _expected(EXPECTED[mode], types)
    skipped = {v.check_id for v in result.verdicts if v.skipped}
    # out-of-order needs two of the lifecycle's types subscribed to shuffle.
    lifecycle = {
        "order_completed",
        "shipment_shipped",
        "shipping_delivery_status_updated",
    }
    shuffles = len(lifecycle & set(types)) > 1
    assert skipped == (set() if shuffles else {"out-of-order"})


def test_strict_order_fails_shipment_events_of_orders_it_has_not_seen() -> None:
    result = _run(Mode.STRICT_ORDER)

    # Every shipment event whose order_completed came later (or never) is refused,
    # except where the check sends no shipment event it would judge.
    untouched = {"no-redirect", "unknown-event-type"}
    expected = {("out-of-order", LIFECYCLE)} | {
        (check.id, "shipment_shipped")
        for check in CHECKS
        if check.id not in untouched | {"out-of-order"}
    }
    assert _failed(result) == expected


def test_correct_receiver_passes_every_check_for_every_type() -> None:
    with ReferenceReceiver() as receiver:
        config = SuiteConfig(url=receiver.url, processed_count=receiver.processed_count)
        with Suite(config) as suite:
            result = suite.run()

    assert result.passed, "\n\n".join(v.render() for v in result.failures)
    assert {v.event_type for v in result.verdicts} == {*config.event_types, LIFECYCLE}
    assert result.counts() == {
        "passed": len(result.verdicts),
        "failed": 0,
        "skipped": 0,
    }


def test_a_failure_carries_rule_attempts_and_a_reproduce_command() -> None:
    result = _run(Mode.NON_ACK_2XX, ("order_completed",))
    verdict = next(v for v in result.failures if v.check_id == "acknowledged")

    assert verdict.logs[0].attempts[0].status == 203
    assert verdict.reproduce.startswith("curl -sS -i -X POST ")
    text = verdict.render()
    assert "rule: " in text
    assert "203" in text
    assert "reproduce with:" in text


def test_redirect_failure_names_the_location() -> None:
    result = _run(Mode.REDIRECT, ("order_completed",))
    verdict = next(v for v in result.failures if v.check_id == "no-redirect")

    assert "/webhooks/" in verdict.message
    assert "never follows" in verdict.message


def test_processed_once_is_skipped_with_the_way_to_enable_it() -> None:
    with ReferenceReceiver() as receiver:
        config = SuiteConfig(url=receiver.url, event_types=TYPES)
        with Suite(config) as suite:
            result = suite.run()

    skipped = [v for v in result.verdicts if v.skipped]
    assert [v.check_id for v in skipped] == ["processed-once"] * len(TYPES)
    assert "chord_processed_count" in skipped[0].skipped
    assert "--processed-url" in skipped[0].skipped


@pytest.fixture
def dead_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    receiver = ReferenceReceiver().start()
    url = receiver.url
    receiver.stop()
    return url


def test_nothing_listening_gives_one_headline(dead_url: str) -> None:
    config = SuiteConfig(url=dead_url, event_types=("order_completed",))
    with Suite(config) as suite:
        result = suite.run()

    assert result.headline == f"nothing answers at {dead_url}: connection refused"
    assert not result.passed
    assert all(
        v.message.startswith("not run: nothing answers") for v in result.failures
    )


@pytest.fixture
def hanging_url() -> Iterator[str]:
    """A server on 127.0.0.1 that accepts connections and never answers."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.05)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/webhooks"
    stop.set()
    thread.join()
    for conn in accepted:
        conn.close()
    listener.close()


def test_an_endpoint_that_never_answers_stops_the_suite_early(hanging_url: str) -> None:
    config = SuiteConfig(url=hanging_url, timeout=0.2)
    with Suite(config) as suite:
        result = suite.run()

    timed_out = [
        attempt.outcome.value
        for verdict in result.verdicts
        for log in verdict.logs
        for attempt in log.attempts
    ]
    # The reachability probe and the first check's attempts time out; then the
    # suite stops sending instead of waiting out every remaining check.
    assert set(timed_out) == {"timeout"}
    assert len(timed_out) <= config.contract.retry.max_attempts
    assert all(not v.passed for v in result.verdicts)
    assert "stopped sending" in result.verdicts[-1].message
