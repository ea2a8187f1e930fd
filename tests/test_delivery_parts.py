"""The delivery simulator's small parts: outcomes, URLs, headers, log, mock, clock."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import types
from datetime import UTC, datetime

import pytest
import requests
import urllib3.exceptions

import harness.delivery as delivery
from harness.contract import default_contract
from harness.delivery import (
    Attempt,
    AttemptLog,
    DeliveryRequest,
    FakeClock,
    MockTransport,
    Outcome,
    SystemClock,
    TransportResult,
    check_url,
    classify_status,
    parse_header,
)
from harness.delivery.clock import iso_ms
from harness.delivery.failures import classify_error
from harness.errors import UsageError

CODES = frozenset({200, 201, 202, 204})


def test_public_names_are_sorted_and_match_the_package() -> None:
    assert delivery.__all__ == sorted(delivery.__all__)
    public = {
        name
        for name, value in vars(delivery).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and name != "annotations"  # the __future__ import
    }
    assert public == set(delivery.__all__)


# Outcomes


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, Outcome.ACKNOWLEDGED),
        (201, Outcome.ACKNOWLEDGED),
        (202, Outcome.ACKNOWLEDGED),
        (204, Outcome.ACKNOWLEDGED),
        (203, Outcome.OTHER_2XX),
        (205, Outcome.OTHER_2XX),
        (206, Outcome.OTHER_2XX),
        (207, Outcome.OTHER_2XX),
        (299, Outcome.OTHER_2XX),
        (300, Outcome.REDIRECT),
        (304, Outcome.REDIRECT),
        (308, Outcome.REDIRECT),
        (400, Outcome.CLIENT_ERROR),
        (499, Outcome.CLIENT_ERROR),
        (500, Outcome.SERVER_ERROR),
        (599, Outcome.SERVER_ERROR),
        (101, Outcome.MALFORMED_ANSWER),
        (600, Outcome.MALFORMED_ANSWER),
    ],
)
def test_status_classes(status: int, outcome: Outcome) -> None:
    assert classify_status(status, CODES) is outcome


def test_success_codes_come_from_the_policy() -> None:
    assert classify_status(203, {203}) is Outcome.ACKNOWLEDGED
    assert classify_status(200, {204}) is Outcome.OTHER_2XX


def test_only_acknowledged_is_received() -> None:
    assert [o for o in Outcome if o.received] == [Outcome.ACKNOWLEDGED]


def test_every_outcome_explains_itself() -> None:
    for outcome in Outcome:
        assert len(outcome.description) > 20
        assert outcome.label == outcome.value.replace("_", " ")
    assert "never follows" in Outcome.REDIRECT.description
    assert "--ca-file" in Outcome.TLS_FAILURE.description
    assert "POST" in Outcome.CLIENT_ERROR.explain(405)
    assert Outcome.SERVER_ERROR.explain(405) == Outcome.SERVER_ERROR.description


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (TimeoutError("timed out"), Outcome.TIMEOUT),
        (requests.exceptions.ConnectTimeout("slow"), Outcome.TIMEOUT),
        (
            urllib3.exceptions.ReadTimeoutError(None, "/", "read timed out"),  # type: ignore[arg-type]
            Outcome.TIMEOUT,
        ),
        (ConnectionRefusedError(111, "refused"), Outcome.CONNECTION_REFUSED),
        (socket.gaierror(-2, "Name or service not known"), Outcome.CONNECTION_REFUSED),
        (ConnectionResetError(104, "reset"), Outcome.CONNECTION_CLOSED),
        (BrokenPipeError(32, "pipe"), Outcome.CONNECTION_CLOSED),
        (http.client.RemoteDisconnected("closed"), Outcome.CONNECTION_CLOSED),
        (http.client.IncompleteRead(b"ab", 10), Outcome.CONNECTION_CLOSED),
        (http.client.BadStatusLine("SSH-2.0"), Outcome.MALFORMED_ANSWER),
        (http.client.LineTooLong("header line"), Outcome.MALFORMED_ANSWER),
        (ssl.SSLCertVerificationError(1, "self-signed"), Outcome.TLS_FAILURE),
        (requests.exceptions.SSLError("handshake"), Outcome.TLS_FAILURE),
    ],
)
def test_network_errors_map_to_outcomes(error: Exception, outcome: Outcome) -> None:
    assert classify_error(error)[0] is outcome


def test_wrapped_errors_are_found_in_the_chain() -> None:
    inner = http.client.RemoteDisconnected("Remote end closed connection")
    wrapped = requests.exceptions.ConnectionError(
        urllib3.exceptions.ProtocolError("Connection aborted.", inner)
    )
    assert classify_error(wrapped)[0] is Outcome.CONNECTION_CLOSED
    garbage = requests.exceptions.ConnectionError(
        urllib3.exceptions.ProtocolError(
            "Connection aborted.", http.client.BadStatusLine("hello")
        )
    )
    assert classify_error(garbage)[0] is Outcome.MALFORMED_ANSWER


def test_a_bug_is_not_disguised_as_an_outcome() -> None:
    with pytest.raises(KeyError):
        classify_error(KeyError("oops"))


# URLs


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("not a url", "not a URL"),
        ("localhost:8000/hooks", "no scheme"),
        ("ftp://127.0.0.1/hooks", "scheme 'ftp'"),
        ("http://", "no host"),
        ("https:///hooks", "no host"),
        ("http://127.0.0.1:70000/hooks", "invalid port"),
        ("http://127.0.0.1:0/hooks", "port 0"),
        ("http://127.0.0.1:80a/hooks", "invalid port"),
        ("http://[::1/hooks", "not a URL"),
        ("http://127.0.0.1/ho oks", "spaces"),
        ("", "empty"),
    ],
)
def test_bad_urls_are_usage_errors_naming_the_remedy(url: str, words: str) -> None:
    with pytest.raises(UsageError) as caught:
        check_url(url)
    text = str(caught.value)
    assert words in text
    assert "\n" not in text
    assert caught.value.remedy


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",
        "https://localhost/webhooks/",
        "HTTP://Example.test/x?y=1",
        "http://[::1]:8080/hooks",
    ],
)
def test_good_urls_pass_unchanged(url: str) -> None:
    assert check_url(url) == url


# Headers


def test_parse_header_splits_on_the_first_colon() -> None:
    assert parse_header("Authorization: Bearer a:b") == ("Authorization", "Bearer a:b")
    assert parse_header("X-Empty:") == ("X-Empty", "")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("NoColonHere", "no colon"),
        ("X-A: 1\r\nX-B: 2", "line break"),
        ("X-A: 1\nEvil: yes", "line break"),
        ("Bad Name: 1", "not a valid HTTP header name"),
        (": value", "not a valid HTTP header name"),
        ("Content-Length: 5", "cannot be set by hand"),
        ("X-A: bell\x07", "control character"),
    ],
)
def test_bad_headers_are_usage_errors(text: str, words: str) -> None:
    with pytest.raises(UsageError, match=words):
        parse_header(text)


def test_a_secret_header_value_never_appears_in_its_error() -> None:
    with pytest.raises(UsageError) as caught:
        parse_header("Authorization Bearer hunter2", secret=True)
    assert "hunter2" not in str(caught.value)
    assert "--secret-header" in str(caught.value)


# The attempt log


def attempt(number: int, outcome: Outcome, status: int | None, **kw: object) -> Attempt:
    return Attempt(
        number, f"2024-05-14T18:22:0{number}.000Z", outcome, status, 0.0123, **kw
    )  # type: ignore[arg-type]


def test_log_of_a_received_event() -> None:
    log = AttemptLog("evt_1", "order_completed", "http://127.0.0.1/h")
    log.attempts += [
        attempt(1, Outcome.SERVER_ERROR, 500, body_prefix="boom"),
        attempt(2, Outcome.REDIRECT, 301, location="/h/"),
        attempt(3, Outcome.TIMEOUT, None, error="no complete answer within 10 s"),
        attempt(4, Outcome.ACKNOWLEDGED, 204),
    ]
    assert (log.received, log.received_on) == (True, 4)
    assert log.verdict == "received on attempt 4"
    text = log.render()
    lines = text.splitlines()
    assert lines[0] == "order_completed evt_1 -> http://127.0.0.1/h"
    assert lines[2].split()[:4] == ["1", "2024-05-14T18:22:01.000Z", "500", "server"]
    assert lines[2].endswith("'boom'")
    assert "Location: /h/ (not followed)" in lines[3]
    assert "no complete answer within 10 s" in lines[4]
    assert "12 ms" in lines[5]
    assert lines[-1] == "received on attempt 4"


def test_log_of_a_lost_event_says_why() -> None:
    log = AttemptLog(None, None, "http://127.0.0.1/h")
    log.attempts.append(attempt(1, Outcome.CLIENT_ERROR, 405))
    assert log.verdict == "not received after 1 attempt"
    assert (
        log.render().splitlines()[-1].startswith("why: 405: the URL does not take POST")
    )


def test_log_to_dict_is_json_with_stable_keys() -> None:
    log = AttemptLog(
        "evt_1", "order_completed", "http://127.0.0.1/h", headers={"A": "1"}
    )
    log.attempts.append(attempt(1, Outcome.OTHER_2XX, 206))
    data = json.loads(log.to_json())
    assert data == log.to_dict()
    assert list(data) == [
        "event_id",
        "event_type",
        "url",
        "headers",
        "received",
        "received_on",
        "verdict",
        "attempts",
    ]
    assert data["attempts"][0] == {
        "number": 1,
        "started_at": "2024-05-14T18:22:01.000Z",
        "outcome": "other_2xx",
        "received": False,
        "status": 206,
        "latency_ms": 12.3,
        "error": None,
        "location": None,
        "body_prefix": "",
    }


# The mock transport and the clocks


def test_mock_transport_records_requests_and_maps_answers() -> None:
    policy = default_contract().retry
    seen: list[str] = []

    def handler(request: DeliveryRequest) -> int | Exception | TransportResult:
        seen.append(request.url)
        if request.url.endswith("/raise"):
            raise ConnectionRefusedError(111, "refused")
        if request.url.endswith("/return"):
            return TimeoutError("slow")
        if request.url.endswith("/result"):
            return TransportResult(Outcome.TLS_FAILURE, error="bad cert")
        return 202

    mock = MockTransport(handler, policy=policy)
    outcomes = [
        mock.send(DeliveryRequest(f"http://127.0.0.1/{path}", b"{}")).outcome
        for path in ("raise", "return", "result", "ok")
    ]
    assert outcomes == [
        Outcome.CONNECTION_REFUSED,
        Outcome.TIMEOUT,
        Outcome.TLS_FAILURE,
        Outcome.ACKNOWLEDGED,
    ]
    assert [r.url for r in mock.requests] == seen


def test_mock_transport_lets_a_bug_in_its_handler_surface() -> None:
    mock = MockTransport(lambda request: {}["missing"])
    with pytest.raises(KeyError):
        mock.send(DeliveryRequest("http://127.0.0.1/", b"{}"))


def test_mock_sequence_fails_the_test_when_it_runs_out() -> None:
    mock = MockTransport.sequence([204], policy=default_contract().retry)
    mock.send(DeliveryRequest("http://127.0.0.1/", b"{}"))
    with pytest.raises(AssertionError, match="request 2 but was given 1"):
        mock.send(DeliveryRequest("http://127.0.0.1/", b"{}"))


def test_fake_clock_moves_only_when_asked() -> None:
    clock = FakeClock(datetime(2024, 1, 1, tzinfo=UTC))
    assert clock.monotonic() == 0.0
    clock.sleep(1.5)
    clock.advance(0.25)
    assert clock.sleeps == [1.5]
    assert clock.monotonic() == 1.75
    assert iso_ms(clock.now()) == "2024-01-01T00:00:01.750Z"


def test_system_clock_is_utc_and_monotonic() -> None:
    clock = SystemClock()
    assert clock.now().tzinfo is not None
    assert clock.now().utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    first = clock.monotonic()
    clock.sleep(0)
    assert clock.monotonic() >= first
