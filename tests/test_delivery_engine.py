"""The retry engine with a MockTransport and a FakeClock: no sockets, no sleeping."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace

import pytest

from harness.contract import RetryPolicy, default_contract
from harness.delivery import (
    Deliverer,
    DeliveryRequest,
    FakeClock,
    MockTransport,
    Outcome,
    TransportResult,
)
from harness.envelope import encode
from harness.errors import UsageError

URL = "http://127.0.0.1:8000/hooks"
EVENT = {"id": "evt_1", "type": "order_completed", "data": {"total": "10.0"}}


@pytest.fixture
def policy() -> RetryPolicy:
    return default_contract().retry


def make(
    policy: RetryPolicy, answers: list, **kwargs: object
) -> tuple[Deliverer, MockTransport, FakeClock]:
    transport = MockTransport.sequence(answers, policy=policy)
    clock = FakeClock()
    deliverer = Deliverer(policy, transport=transport, clock=clock, **kwargs)  # type: ignore[arg-type]
    return deliverer, transport, clock


def test_received_on_attempt_5(policy: RetryPolicy) -> None:
    deliverer, transport, _ = make(policy, [500, 302, TimeoutError(), 503, 200])
    log = deliverer.deliver(URL, EVENT)
    assert [a.outcome for a in log.attempts] == [
        Outcome.SERVER_ERROR,
        Outcome.REDIRECT,
        Outcome.TIMEOUT,
        Outcome.SERVER_ERROR,
        Outcome.ACKNOWLEDGED,
    ]
    assert (log.received, log.received_on) == (True, 5)
    assert len(transport.requests) == 5


def test_not_received_after_six_and_no_seventh(policy: RetryPolicy) -> None:
    deliverer, transport, _ = make(policy, [500] * 6)  # a 7th send would fail the test
    log = deliverer.deliver(URL, EVENT)
    assert log.verdict == "not received after 6 attempts"
    assert len(transport.requests) == 6
    assert [a.number for a in log.attempts] == [1, 2, 3, 4, 5, 6]


def test_first_acknowledgement_stops_the_repeats(policy: RetryPolicy) -> None:
    deliverer, transport, clock = make(policy, [201])
    log = deliverer.deliver(URL, EVENT)
    assert log.verdict == "received on attempt 1"
    assert clock.sleeps == []
    assert len(transport.requests) == 1


def test_every_attempt_has_the_same_bytes_and_id(policy: RetryPolicy) -> None:
    deliverer, transport, _ = make(policy, [500, 429, ConnectionResetError(), 204])
    log = deliverer.deliver(URL, EVENT)
    assert {request.body for request in transport.requests} == {encode(EVENT)}
    assert log.event_id == "evt_1"
    assert log.event_type == "order_completed"


def test_bytes_are_sent_exactly_as_given(policy: RetryPolicy) -> None:
    raw = b'{ "type": "order_canceled",  "id": "evt_9" }'
    deliverer, transport, _ = make(policy, [500, 204])
    log = deliverer.deliver(URL, raw)
    assert [request.body for request in transport.requests] == [raw, raw]
    assert (log.event_id, log.event_type) == ("evt_9", "order_canceled")


def test_explicit_id_and_type_win(policy: RetryPolicy) -> None:
    deliverer, _, _ = make(policy, [204])
    log = deliverer.deliver(URL, b"not json", event_id="x1", event_type="t")
    assert (log.event_id, log.event_type) == ("x1", "t")


@pytest.mark.parametrize("scale", [1.0, 0.01, 2.5])
def test_pauses_follow_the_schedule_scaled(policy: RetryPolicy, scale: float) -> None:
    deliverer, _, clock = make(policy, [500] * 6, pause_scale=scale)
    log = deliverer.deliver(URL, EVENT)
    expected = [policy.pause_before(n) * scale for n in range(2, 7)]
    assert clock.sleeps == pytest.approx(expected)
    assert expected[0] == pytest.approx(policy.pauses[0] * scale)
    assert log.attempts[1].started_at != log.attempts[0].started_at


def test_a_short_schedule_reuses_its_last_pause() -> None:
    policy = RetryPolicy(
        success_codes=frozenset({200}),
        max_attempts=4,
        follow_redirects=False,
        timeout=1.0,
        pauses=(1.0, 2.0),
    )
    deliverer, _, clock = make(policy, [500] * 4)
    deliverer.deliver(URL, EVENT)
    assert clock.sleeps == [1.0, 2.0, 2.0]


def test_pause_scale_zero_means_no_pauses(policy: RetryPolicy) -> None:
    deliverer, _, clock = make(policy, [500] * 6, pause_scale=0)
    deliverer.deliver(URL, EVENT)
    assert clock.sleeps == []


@pytest.mark.parametrize("scale", [-1, -0.001, float("nan"), float("inf")])
def test_bad_pause_scale_is_a_usage_error(policy: RetryPolicy, scale: float) -> None:
    with pytest.raises(UsageError, match="pause_scale"):
        Deliverer(policy, transport=MockTransport(lambda r: 204), pause_scale=scale)


@pytest.mark.parametrize("timeout", [0, -2, float("nan")])
def test_bad_timeout_is_a_usage_error(policy: RetryPolicy, timeout: float) -> None:
    with pytest.raises(UsageError, match="timeout"):
        Deliverer(policy, transport=MockTransport(lambda r: 204), timeout=timeout)


def test_timeout_override_reaches_the_transport(policy: RetryPolicy) -> None:
    deliverer, transport, _ = make(policy, [204], timeout=0.75)
    deliverer.deliver(URL, EVENT)
    assert transport.requests[0].timeout == 0.75
    deliverer, transport, _ = make(policy, [204])
    deliverer.deliver(URL, EVENT)
    assert transport.requests[0].timeout == policy.timeout


def test_bad_url_fails_before_any_attempt(policy: RetryPolicy) -> None:
    deliverer, transport, _ = make(policy, [204])
    with pytest.raises(UsageError, match="ftp"):
        deliverer.deliver("ftp://127.0.0.1/hooks", EVENT)
    assert transport.requests == []


def test_an_event_that_is_neither_mapping_nor_bytes_is_refused(
    policy: RetryPolicy,
) -> None:
    deliverer, _, _ = make(policy, [204])
    with pytest.raises(UsageError, match="list"):
        deliverer.deliver(URL, [EVENT])  # type: ignore[arg-type]


def test_secret_headers_are_sent_but_never_shown(
    policy: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    deliverer, transport, _ = make(
        policy,
        [500, 204],
        headers={"X-Trace": "t-1"},
        secret_headers={"Authorization": "Bearer hunter2"},
    )
    with caplog.at_level(logging.INFO, logger="harness.delivery"):
        log = deliverer.deliver(URL, EVENT)
    sent = transport.requests[0].headers
    assert sent["Authorization"] == "Bearer hunter2"
    assert sent["X-Trace"] == "t-1"
    assert log.headers == {"X-Trace": "t-1", "Authorization": "***"}
    for shown in (log.render(), log.to_json(), caplog.text):
        assert "hunter2" not in shown
    assert "Authorization: ***" in log.render()


def test_one_log_line_per_attempt(
    policy: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    deliverer, _, _ = make(policy, [503, TimeoutError(), 204])
    with caplog.at_level(logging.INFO, logger="harness.delivery"):
        deliverer.deliver(URL, EVENT)
    records = [r for r in caplog.records if r.name == "harness.delivery"]
    assert len(records) == 3
    assert "attempt 1/6 of event evt_1" in records[0].getMessage()
    assert "503 server_error" in records[0].getMessage()
    assert "timeout" in records[1].getMessage()
    assert records[0].args  # formatted lazily by logging, not by the caller


def test_attempt_makes_exactly_one_request(policy: RetryPolicy) -> None:
    deliverer, transport, clock = make(policy, [500])
    attempt = deliverer.attempt(URL, b"{}", number=3, headers={"X-Once": "1"})
    assert (attempt.number, attempt.outcome, attempt.status) == (
        3,
        Outcome.SERVER_ERROR,
        500,
    )
    assert len(transport.requests) == 1
    assert transport.requests[0].headers["X-Once"] == "1"
    assert clock.sleeps == []


def test_body_prefix_is_decoded_with_replacement(policy: RetryPolicy) -> None:
    result = TransportResult(Outcome.SERVER_ERROR, 500, body_prefix=b"bad \xff byte")
    deliverer, _, _ = make(policy, [result])
    attempt = deliverer.attempt(URL, b"{}")
    assert attempt.body_prefix == "bad \ufffd byte"


def test_body_prefix_is_cut_to_the_policy_size(policy: RetryPolicy) -> None:
    small = replace(policy, body_log_bytes=4)
    result = TransportResult(Outcome.SERVER_ERROR, 500, body_prefix=b"0123456789")
    deliverer, _, _ = make(small, [result])
    assert deliverer.attempt(URL, b"{}").body_prefix == "0123"


def test_deliver_many_keeps_input_order_and_bounds_concurrency(
    policy: RetryPolicy,
) -> None:
    lock = threading.Lock()
    state = {"active": 0, "peak": 0}
    barrier = threading.Barrier(3, timeout=5)

    def handler(request: DeliveryRequest) -> int:
        with lock:
            state["active"] += 1
            state["peak"] = max(state["peak"], state["active"])
        barrier.wait()  # three must be in flight at once to get past here
        with lock:
            state["active"] -= 1
        return 204

    transport = MockTransport(handler, policy=policy)
    events = [{"id": f"evt_{n}", "type": "order_completed"} for n in range(9)]
    with Deliverer(policy, transport=transport, clock=FakeClock(), pause_scale=0) as d:
        logs = d.deliver_many(URL, events, concurrency=3)
    assert [log.event_id for log in logs] == [event["id"] for event in events]
    assert all(log.received for log in logs)
    assert state["peak"] == 3


def test_deliver_many_repeats_each_event_on_its_own(policy: RetryPolicy) -> None:
    def handler(request: DeliveryRequest) -> int:
        return 500 if b'"bad"' in request.body else 204

    transport = MockTransport(handler, policy=policy)
    with Deliverer(policy, transport=transport, clock=FakeClock()) as deliverer:
        logs = deliverer.deliver_many(
            URL, [{"id": "ok"}, {"id": "bad"}, {"id": "ok2"}], concurrency=2
        )
    assert [len(log.attempts) for log in logs] == [1, 6, 1]
    assert [log.received for log in logs] == [True, False, True]


@pytest.mark.parametrize("concurrency", [0, -1, 1.5, True])
def test_deliver_many_refuses_a_bad_concurrency(
    policy: RetryPolicy, concurrency: object
) -> None:
    deliverer, _, _ = make(policy, [])
    with pytest.raises(UsageError, match="concurrency"):
        deliverer.deliver_many(URL, [EVENT], concurrency=concurrency)  # type: ignore[arg-type]


def test_deliver_many_of_nothing_is_nothing(policy: RetryPolicy) -> None:
    deliverer, transport, _ = make(policy, [])
    assert deliverer.deliver_many(URL, [], concurrency=4) == []
    assert transport.requests == []


def test_closes_only_the_transport_it_made(policy: RetryPolicy) -> None:
    given = MockTransport(lambda request: 204, policy=policy)
    with Deliverer(policy, transport=given):
        pass
    assert not given.closed
    with Deliverer(policy) as deliverer:
        made = deliverer.transport
    with pytest.raises(UsageError, match="closed"):
        made.send(DeliveryRequest(URL, b"{}"))


def test_an_event_that_is_not_json_is_a_usage_error(policy: RetryPolicy) -> None:
    deliverer, transport, _ = make(policy, [204])
    with pytest.raises(UsageError, match="cannot be sent as JSON"):
        deliverer.deliver(URL, {"id": "x", "at": object()})
    assert transport.requests == []


def test_a_contract_that_follows_redirects_is_refused(policy: RetryPolicy) -> None:
    with pytest.raises(UsageError, match="follow_redirects = false"):
        Deliverer(replace(policy, follow_redirects=True), transport=MockTransport(int))
