"""The retry engine over the real RequestsTransport, with `responses` as the network.

No sockets and no sleeping: `responses` answers in order, a FakeClock pauses.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
import responses
from responses.registries import OrderedRegistry

from harness.contract import RetryPolicy, default_contract
from harness.delivery import Deliverer, FakeClock, Outcome, RequestsTransport

URL = "http://127.0.0.1:8000/hooks"
EVENT = {"id": "evt_42", "type": "order_completed", "data": {"order": {"n": "é"}}}


@pytest.fixture
def policy() -> RetryPolicy:
    return default_contract().retry


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(registry=OrderedRegistry) as mock:
        yield mock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def deliverer(policy: RetryPolicy, clock: FakeClock) -> Iterator[Deliverer]:
    with (
        RequestsTransport(policy) as transport,
        Deliverer(policy, transport=transport, clock=clock) as engine,
    ):
        yield engine


def add(mocked: responses.RequestsMock, answer: int | Exception, **kw: object) -> None:
    if isinstance(answer, Exception):
        mocked.post(URL, body=answer)
    else:
        mocked.post(URL, status=answer, **kw)  # type: ignore[arg-type]


def test_failures_then_success_is_received_on_attempt_5(
    mocked: responses.RequestsMock, deliverer: Deliverer
) -> None:
    add(mocked, 500)
    add(mocked, 302, headers={"Location": "http://127.0.0.1:8000/elsewhere"})
    add(mocked, requests.exceptions.ReadTimeout("read timed out"))
    add(mocked, 503)
    add(mocked, 200)
    log = deliverer.deliver(URL, EVENT)
    assert [a.outcome for a in log.attempts] == [
        Outcome.SERVER_ERROR,
        Outcome.REDIRECT,
        Outcome.TIMEOUT,
        Outcome.SERVER_ERROR,
        Outcome.ACKNOWLEDGED,
    ]
    assert [a.status for a in log.attempts] == [500, 302, None, 503, 200]
    assert log.received_on == 5
    assert log.verdict == "received on attempt 5"
    assert log.attempts[1].location == "http://127.0.0.1:8000/elsewhere"
    assert len(mocked.calls) == 5


def test_six_failures_are_not_received_and_no_seventh_attempt_is_made(
    mocked: responses.RequestsMock, deliverer: Deliverer, policy: RetryPolicy
) -> None:
    for _ in range(policy.max_attempts):
        add(mocked, 500)
    add(mocked, 200)  # would be the seventh attempt
    mocked.assert_all_requests_are_fired = False
    log = deliverer.deliver(URL, EVENT)
    assert not log.received
    assert log.received_on is None
    assert log.verdict == "not received after 6 attempts"
    assert len(mocked.calls) == policy.max_attempts == 6


@pytest.mark.parametrize("status", [203, 206])
def test_203_and_206_are_never_received(
    mocked: responses.RequestsMock, deliverer: Deliverer, status: int
) -> None:
    for _ in range(6):
        add(mocked, status)
    log = deliverer.deliver(URL, EVENT)
    assert {a.outcome for a in log.attempts} == {Outcome.OTHER_2XX}
    assert log.verdict == "not received after 6 attempts"


def test_301_is_never_followed_and_its_location_is_logged(
    mocked: responses.RequestsMock, deliverer: Deliverer
) -> None:
    target = "http://127.0.0.1:8000/hooks/"
    for _ in range(6):
        add(mocked, 301, headers={"Location": target})
    log = deliverer.deliver(URL, EVENT)
    assert {a.location for a in log.attempts} == {target}
    assert all(call.request.url == URL for call in mocked.calls)
    assert f"Location: {target}" in log.render()


def test_connection_error_then_204_is_received_on_attempt_2(
    mocked: responses.RequestsMock, deliverer: Deliverer
) -> None:
    add(mocked, requests.exceptions.ConnectionError(ConnectionRefusedError(111, "no")))
    add(mocked, 204)
    log = deliverer.deliver(URL, EVENT)
    assert [a.outcome for a in log.attempts] == [
        Outcome.CONNECTION_REFUSED,
        Outcome.ACKNOWLEDGED,
    ]
    assert log.received_on == 2


def test_every_attempt_sends_the_same_bytes_and_id(
    mocked: responses.RequestsMock, deliverer: Deliverer
) -> None:
    for status in (500, 502, 204):
        add(mocked, status)
    log = deliverer.deliver(URL, EVENT)
    bodies = {call.request.body for call in mocked.calls}
    assert len(mocked.calls) == 3
    assert bodies == {
        b'{"id":"evt_42","type":"order_completed","data":{"order":{"n":"\xc3\xa9"}}}'
    }
    assert log.event_id == "evt_42"
    for call in mocked.calls:
        assert call.request.headers["Content-Type"] == "application/json"


def test_pauses_follow_the_schedule_on_the_fake_clock(
    mocked: responses.RequestsMock,
    deliverer: Deliverer,
    clock: FakeClock,
    policy: RetryPolicy,
) -> None:
    for _ in range(6):
        add(mocked, 500)
    log = deliverer.deliver(URL, EVENT)
    assert len(policy.pauses) == 5  # the shipped contract: one pause per repeat
    assert clock.sleeps == list(policy.pauses)
    started = [a.started_at for a in log.attempts]
    assert started[0] == "2024-05-14T18:22:05.000Z"
    assert started[1] == "2024-05-14T18:22:10.000Z"  # after the 5 s pause
    assert started[2] == "2024-05-14T18:27:10.000Z"  # after 300 s more
