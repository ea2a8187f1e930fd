"""RequestsTransport judges real HTTP answers from pytest-httpserver."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from pytest_httpserver import HTTPServer

from harness.contract import RetryPolicy, default_contract
from harness.delivery import (
    Deliverer,
    DeliveryRequest,
    FakeClock,
    Outcome,
    RequestsTransport,
)

BODY = b'{"id":"evt_7","type":"order_completed","data":{}}'


@pytest.fixture(scope="module")
def local_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def httpserver(local_server: HTTPServer) -> Iterator[HTTPServer]:
    """pytest-httpserver's server, bound to 127.0.0.1, fresh for every test."""
    yield local_server
    local_server.clear()


@pytest.fixture
def policy() -> RetryPolicy:
    return replace(default_contract().retry, timeout=2.0)


@pytest.fixture
def transport(policy: RetryPolicy) -> Iterator[RequestsTransport]:
    with RequestsTransport(policy) as sender:
        yield sender


def send(transport: RequestsTransport, url: str) -> tuple[Outcome, int | None]:
    result = transport.send(DeliveryRequest(url, BODY, {}, 2.0))
    return result.outcome, result.status


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_chords_four_codes_acknowledge(
    httpserver: HTTPServer, transport: RequestsTransport, status: int
) -> None:
    httpserver.expect_request("/hooks", method="POST").respond_with_data(
        "", status=status
    )
    assert send(transport, httpserver.url_for("/hooks")) == (
        Outcome.ACKNOWLEDGED,
        status,
    )


@pytest.mark.parametrize("status", [203, 205, 206, 207, 226])
def test_other_2xx_codes_are_not_received(
    httpserver: HTTPServer, transport: RequestsTransport, status: int
) -> None:
    httpserver.expect_request("/hooks").respond_with_data("", status=status)
    outcome, seen = send(transport, httpserver.url_for("/hooks"))
    assert (outcome, seen) == (Outcome.OTHER_2XX, status)
    assert not outcome.received


@pytest.mark.parametrize("status", [400, 401, 404, 405, 410, 429])
def test_4xx_codes_are_client_errors(
    httpserver: HTTPServer, transport: RequestsTransport, status: int
) -> None:
    httpserver.expect_request("/hooks").respond_with_data("no", status=status)
    assert send(transport, httpserver.url_for("/hooks")) == (
        Outcome.CLIENT_ERROR,
        status,
    )


def test_405_is_explained_as_a_url_that_does_not_take_post(
    httpserver: HTTPServer, transport: RequestsTransport
) -> None:
    httpserver.expect_request("/hooks", method="GET").respond_with_data("only GET")
    httpserver.no_handler_status_code = 405
    result = transport.send(DeliveryRequest(httpserver.url_for("/hooks"), BODY))
    assert (result.outcome, result.status) == (Outcome.CLIENT_ERROR, 405)
    assert "does not take POST" in result.outcome.explain(result.status)
    assert "does not take POST" not in result.outcome.explain(404)


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_codes_are_server_errors(
    httpserver: HTTPServer, transport: RequestsTransport, status: int
) -> None:
    httpserver.expect_request("/hooks").respond_with_data("boom", status=status)
    result = transport.send(DeliveryRequest(httpserver.url_for("/hooks"), BODY))
    assert (result.outcome, result.status) == (Outcome.SERVER_ERROR, status)
    assert result.body_prefix == b"boom"


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_to_itself_is_never_followed(
    httpserver: HTTPServer, transport: RequestsTransport, status: int
) -> None:
    url = httpserver.url_for("/hooks")
    httpserver.expect_request("/hooks").respond_with_data(
        "", status=status, headers={"Location": url}
    )
    result = transport.send(DeliveryRequest(url, BODY))
    assert (result.outcome, result.status) == (Outcome.REDIRECT, status)
    assert result.location == url
    assert len(httpserver.log) == 1


def test_a_redirect_elsewhere_sends_nothing_there(
    httpserver: HTTPServer, policy: RetryPolicy
) -> None:
    httpserver.expect_request("/hooks").respond_with_data(
        "", status=301, headers={"Location": "/hooks/"}
    )
    httpserver.expect_request("/hooks/").respond_with_data("", status=204)
    with Deliverer(policy, clock=FakeClock(), pause_scale=0) as deliverer:
        log = deliverer.deliver(httpserver.url_for("/hooks"), BODY)
    assert log.verdict == "not received after 6 attempts"
    assert {attempt.location for attempt in log.attempts} == {"/hooks/"}
    assert "not followed" in log.render()
    assert [request.path for request, _ in httpserver.log] == ["/hooks"] * 6


def test_the_request_carries_the_exact_bytes_and_headers(
    httpserver: HTTPServer, transport: RequestsTransport
) -> None:
    httpserver.expect_request(
        "/hooks",
        method="POST",
        data=BODY,
        headers={"Content-Type": "application/json", "X-Chord-Test": "yes"},
    ).respond_with_data("", status=204)
    result = transport.send(
        DeliveryRequest(httpserver.url_for("/hooks"), BODY, {"X-Chord-Test": "yes"})
    )
    assert result.outcome is Outcome.ACKNOWLEDGED
    (request, _), *_ = httpserver.log
    assert request.headers["User-Agent"].startswith("chord-webhooks-harness/")


def test_deliver_many_over_real_sockets(
    httpserver: HTTPServer, policy: RetryPolicy
) -> None:
    httpserver.expect_request("/hooks", method="POST").respond_with_data("", status=202)
    events = [{"id": f"evt_{n}", "type": "order_completed"} for n in range(16)]
    with Deliverer(policy, clock=FakeClock()) as deliverer:
        logs = deliverer.deliver_many(
            httpserver.url_for("/hooks"), events, concurrency=4
        )
    assert [log.event_id for log in logs] == [event["id"] for event in events]
    assert all(log.received_on == 1 for log in logs)
    seen = sorted(json.loads(request.get_data())["id"] for request, _ in httpserver.log)
    assert seen == sorted(event["id"] for event in events)
