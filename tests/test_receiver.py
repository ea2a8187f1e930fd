"""The reference receiver in its correct mode, over real sockets on 127.0.0.1."""

from __future__ import annotations

import copy
import http.client
import logging
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest
import requests

import harness.receiver.server as receiver_server
from harness.catalog import Catalog
from harness.envelope import encode
from harness.errors import UsageError
from harness.receiver import (
    Delivery,
    Mode,
    ReferenceReceiver,
    Verdict,
    is_loopback,
    parse_mode,
)

TIMEOUT = 5.0

Start = Callable[..., ReferenceReceiver]
MakeEvent = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


@pytest.fixture
def make_event(catalog: Catalog) -> MakeEvent:
    """A schema example of ``type`` with a fresh id (or the one given)."""

    def make(type: str = "order_completed", event_id: str | None = None) -> dict:
        event = copy.deepcopy(catalog.examples(type)[0])
        event["id"] = event_id or f"evt_{uuid.uuid4().hex}"
        return event

    return make


@pytest.fixture
def start() -> Iterator[Start]:
    """Start receivers; stop each at teardown and re-raise its thread errors."""
    started: list[ReferenceReceiver] = []

    def run(**options: Any) -> ReferenceReceiver:
        receiver = ReferenceReceiver(**options)
        started.append(receiver)
        return receiver.start()

    yield run
    for receiver in started:
        receiver.stop()
    for receiver in started:
        receiver.check_errors()


def post(url: str, event: Any, **options: Any) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    return requests.post(url, data=encode(event), headers=headers, **options)


class Recorder:
    """A processing hook that records each call, optionally held by a gate."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.gate = gate
        self.calls: list[tuple[str, Verdict]] = []
        self.gate_was_open: list[bool] = []

    def __call__(self, event: Mapping[str, Any], verdict: Verdict) -> None:
        if self.gate is not None:
            self.gate_was_open.append(self.gate.wait(TIMEOUT * 2))
        self.calls.append((event["id"], verdict))


# -- the correct receiver -----------------------------------------------------


def test_acknowledges_validates_and_processes_once(
    start: Start, make_event: MakeEvent
) -> None:
    hook = Recorder()
    receiver = start(hook=hook)
    event = make_event("shipment_shipped")

    response = post(receiver.url, event, timeout=TIMEOUT, allow_redirects=False)

    assert response.status_code == 200
    assert response.json() == {"received": event["id"]}
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 1
    assert hook.calls == [(event["id"], Verdict.PROCESSED)]
    assert receiver.deliveries == [
        Delivery("POST", "/webhooks", event["id"], "shipment_shipped", 200)
    ]


def test_answers_before_its_work_starts(start: Start, make_event: MakeEvent) -> None:
    # The hook is the receiver's work and blocks until the test has the answer:
    # a receiver that worked first would never answer inside the timeout.
    gate = threading.Event()
    hook = Recorder(gate)
    receiver = start(hook=hook)
    event = make_event()

    response = post(receiver.url, event, timeout=TIMEOUT)
    answered_while_working = not receiver.wait_idle(0.05)
    gate.set()

    assert response.status_code == 200
    assert answered_while_working
    assert receiver.wait_idle(TIMEOUT)
    assert hook.gate_was_open == [True]
    assert hook.calls == [(event["id"], Verdict.PROCESSED)]


def test_a_repeated_id_is_acknowledged_and_processed_once(
    start: Start, make_event: MakeEvent
) -> None:
    hook = Recorder()
    receiver = start(hook=hook)
    event = make_event()

    statuses = [post(receiver.url, event, timeout=TIMEOUT).status_code for _ in "abc"]

    assert statuses == [200, 200, 200]
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 1
    assert [verdict for _, verdict in hook.calls] == [
        Verdict.PROCESSED,
        Verdict.DUPLICATE,
        Verdict.DUPLICATE,
    ]


def test_concurrent_repeats_are_processed_once(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start()
    event = make_event("shipping_delivery_status_updated")
    barrier = threading.Barrier(8)
    statuses: list[int] = []

    def send() -> None:
        barrier.wait(TIMEOUT)
        statuses.append(post(receiver.url, event, timeout=TIMEOUT).status_code)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)

    assert statuses == [200] * 8
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 1
    assert len(receiver.deliveries) == 8


def test_an_unknown_type_is_acknowledged_and_ignored(
    start: Start, make_event: MakeEvent, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="harness.receiver")
    hook = Recorder()
    receiver = start(hook=hook)
    event = make_event()
    event["type"] = "order_refunded"

    response = post(receiver.url, event, timeout=TIMEOUT)

    assert response.status_code == 200
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 0
    assert hook.calls == [(event["id"], Verdict.IGNORED)]
    assert f"{event['id']} order_refunded: ignored unknown type" in caplog.messages


def test_an_alias_is_processed_as_its_type(start: Start, make_event: MakeEvent) -> None:
    hook = Recorder()
    receiver = start(hook=hook)
    event = make_event("order_canceled")
    event["type"] = "order_cancelled"

    assert post(receiver.url, event, timeout=TIMEOUT).status_code == 200
    assert receiver.wait_idle(TIMEOUT)
    assert hook.calls == [(event["id"], Verdict.PROCESSED)]


def test_an_invalid_event_is_acknowledged_and_logged_with_its_first_violation(
    start: Start, make_event: MakeEvent, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="harness.receiver")
    hook = Recorder()
    receiver = start(hook=hook)
    event = make_event()
    event["data"]["order"]["total"] = "twelve"

    response = post(receiver.url, event, timeout=TIMEOUT)

    assert response.status_code == 200
    assert receiver.wait_idle(TIMEOUT)
    assert hook.calls == [(event["id"], Verdict.INVALID)]
    assert receiver.processed_count(event["id"]) == 0
    [line] = [m for m in caplog.messages if m.startswith(event["id"])]
    assert line.startswith(
        f"{event['id']} order_completed: invalid: $.data.order.total"
    )


def test_logs_one_line_per_event(
    start: Start, make_event: MakeEvent, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="harness.receiver")
    receiver = start()
    first, second = make_event(), make_event("shipment_shipped")

    for event in (first, second, first):
        post(receiver.url, event, timeout=TIMEOUT)
    assert receiver.wait_idle(TIMEOUT)

    assert caplog.messages == [
        f"{first['id']} order_completed: processed",
        f"{second['id']} shipment_shipped: processed",
        f"{first['id']} order_completed: duplicate",
    ]
    assert {record.name for record in caplog.records} == {"harness.receiver"}


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_other_methods_on_the_webhook_path_get_405(start: Start, method: str) -> None:
    receiver = start()

    response = requests.request(method, receiver.url, timeout=TIMEOUT)

    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert receiver.deliveries[-1].status == 405
    assert receiver.deliveries[-1].method == method


def test_head_gets_405_without_a_body(start: Start) -> None:
    receiver = start()

    response = requests.head(receiver.url, timeout=TIMEOUT)

    assert response.status_code == 405
    assert response.content == b""


def test_other_paths_get_404(start: Start, make_event: MakeEvent) -> None:
    receiver = start()
    url = receiver.url + "/"

    assert post(url, make_event(), timeout=TIMEOUT).status_code == 404
    assert receiver.deliveries == []


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[1, 2]", b'"evt"'])
def test_a_body_that_is_not_a_json_object_gets_400(start: Start, body: bytes) -> None:
    receiver = start()

    response = requests.post(receiver.url, data=body, timeout=TIMEOUT)

    assert response.status_code == 400
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.deliveries[-1].status == 400


def test_a_chunked_body_gets_411(start: Start, make_event: MakeEvent) -> None:
    receiver = start()

    response = requests.post(
        receiver.url, data=iter([encode(make_event())]), timeout=TIMEOUT
    )

    assert response.status_code == 411


def test_a_body_over_the_cap_gets_413_before_it_is_read(start: Start) -> None:
    receiver = start()
    connection = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=5)
    try:
        connection.putrequest("POST", "/webhooks")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(17 * 1024 * 1024))
        connection.endheaders()
        response = connection.getresponse()
        assert response.status == 413
    finally:
        connection.close()


def test_the_observation_endpoint_reports_processed_counts(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start()
    event = make_event(event_id="evt with/odd chars")
    post(receiver.url, event, timeout=TIMEOUT)
    post(receiver.url, event, timeout=TIMEOUT)
    assert receiver.wait_idle(TIMEOUT)

    seen = requests.get(
        receiver.observe_url + "evt%20with%2Fodd%20chars", timeout=TIMEOUT
    )
    unseen = requests.get(receiver.observe_url + "evt_never", timeout=TIMEOUT)

    assert seen.status_code == 200
    assert seen.json() == {"id": "evt with/odd chars", "count": 1}
    assert unseen.json() == {"id": "evt_never", "count": 0}
    assert receiver.observe_url.endswith(f":{receiver.port}/_chord/processed/")


def test_a_custom_path_is_served_and_others_are_not(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(path="/hooks/chord")

    assert receiver.url.endswith("/hooks/chord")
    assert post(receiver.url, make_event(), timeout=TIMEOUT).status_code == 200
    base = receiver.url.removesuffix("/hooks/chord")
    assert post(base + "/webhooks", make_event(), timeout=TIMEOUT).status_code == 404


# -- lifecycle ----------------------------------------------------------------


def test_binds_loopback_on_a_free_port_by_default(start: Start) -> None:
    receiver = start()

    assert receiver.url == f"http://127.0.0.1:{receiver.port}/webhooks"
    assert 0 < receiver.port <= 65535


def test_stop_is_prompt_while_a_slow_request_is_in_flight(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(mode=Mode.SLOW, slow_seconds=30.0)
    outcome: list[object] = []

    def send() -> None:
        try:
            outcome.append(
                post(receiver.url, make_event(), timeout=TIMEOUT).status_code
            )
        except requests.ConnectionError as exc:
            outcome.append(exc)

    sender = threading.Thread(target=send)
    sender.start()
    deadline = time.monotonic() + TIMEOUT
    while receiver.in_flight == 0 and time.monotonic() < deadline:
        time.sleep(0.01)

    began = time.monotonic()
    receiver.stop()
    took = time.monotonic() - began
    sender.join(TIMEOUT)

    assert took < 2.0
    assert not sender.is_alive()
    # The sender gets "stopping" or a cut connection, never a hang.
    assert outcome[0] == 503 or isinstance(outcome[0], requests.ConnectionError)


def test_stop_twice_is_safe_and_the_port_is_closed(start: Start) -> None:
    receiver = start()
    port = receiver.port

    receiver.stop()
    receiver.stop()

    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/webhooks", timeout=TIMEOUT)


def test_stop_before_start_is_safe_and_start_still_works() -> None:
    receiver = ReferenceReceiver()
    receiver.stop()
    with receiver:
        assert receiver.port > 0


def test_a_context_manager_starts_and_stops(make_event: MakeEvent) -> None:
    with ReferenceReceiver() as receiver:
        port = receiver.port
        assert post(receiver.url, make_event(), timeout=TIMEOUT).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/", timeout=TIMEOUT)


def test_a_busy_port_is_a_usage_error() -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]

        with pytest.raises(UsageError, match=f"port {port} .* already in use") as info:
            ReferenceReceiver(port=port).start()

    assert "\n" not in str(info.value)
    assert "0 picks a free one" in str(info.value)


@pytest.mark.parametrize("port", [-1, 65536, 70000, "8000", True, 1.5])
def test_a_port_out_of_range_is_a_usage_error(port: object) -> None:
    with pytest.raises(UsageError, match="out of range"):
        ReferenceReceiver(port=port)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("slow_seconds", -1),
        ("slow_seconds", float("nan")),
        ("fail_first", -1),
        ("max_in_flight", 0),
        ("body_limit", 0),
        ("path", "webhooks"),
        ("mode", "slowly"),
        ("host", ""),
    ],
)
def test_bad_settings_are_usage_errors(option: str, value: object) -> None:
    with pytest.raises(UsageError) as info:
        ReferenceReceiver(**{option: value})

    assert "\n" not in str(info.value)


def test_a_host_this_machine_does_not_have_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"cannot listen on 192\.0\.2\.1"):
        ReferenceReceiver(host="192.0.2.1").start()


def test_url_before_start_and_a_second_start_are_usage_errors(start: Start) -> None:
    with pytest.raises(UsageError, match="before it starts"):
        _ = ReferenceReceiver().url
    receiver = start()
    with pytest.raises(UsageError, match="already started"):
        receiver.start()


def test_a_host_that_is_not_loopback_is_warned_about(
    start: Start, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Binding a public address in a test would expose it; the check itself is
    # tested below, here only that start() warns when the check says so.
    monkeypatch.setattr(receiver_server, "is_loopback", lambda host: False)
    caplog.set_level(logging.WARNING, logger="harness.receiver")

    start()

    [record] = caplog.records
    assert record.levelno == logging.WARNING
    assert "not a loopback address" in record.getMessage()


def test_loopback_on_its_own_makes_no_warning(
    start: Start, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="harness.receiver")
    start(host="localhost")
    assert caplog.records == []


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.5.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.10", False),
        ("::", False),
        ("example.com", False),
    ],
)
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


# -- errors from the server threads -------------------------------------------


def test_a_hook_error_comes_back_at_check_errors(make_event: MakeEvent) -> None:
    def broken(event: Mapping[str, Any], verdict: Verdict) -> None:
        raise LookupError(f"no row for {event['id']}")

    with ReferenceReceiver(hook=broken) as receiver:
        event = make_event()
        assert post(receiver.url, event, timeout=TIMEOUT).status_code == 200
        assert receiver.wait_idle(TIMEOUT)

        assert len(receiver.errors) == 1
        with pytest.raises(LookupError, match=event["id"]):
            receiver.check_errors()
        receiver.check_errors()  # reported once, then forgotten
        assert receiver.errors == []


def test_several_errors_come_back_as_a_group(make_event: MakeEvent) -> None:
    def broken(event: Mapping[str, Any], verdict: Verdict) -> None:
        raise LookupError(event["id"])

    with ReferenceReceiver(hook=broken) as receiver:
        for _ in range(2):
            post(receiver.url, make_event(), timeout=TIMEOUT)
        assert receiver.wait_idle(TIMEOUT)

        with pytest.raises(ExceptionGroup) as info:
            receiver.check_errors()

    assert [type(error) for error in info.value.exceptions] == [LookupError] * 2


def test_wait_idle_times_out_while_work_is_held(
    start: Start, make_event: MakeEvent
) -> None:
    gate = threading.Event()
    receiver = start(hook=Recorder(gate))
    post(receiver.url, make_event(), timeout=TIMEOUT)

    assert receiver.wait_idle(0.1) is False
    gate.set()
    assert receiver.wait_idle(TIMEOUT) is True


# -- modes by name ------------------------------------------------------------


def test_every_mode_has_a_cli_name_and_a_summary() -> None:
    assert Mode.names()[0] == "correct"
    assert len(set(Mode.names())) == len(Mode)
    assert all(parse_mode(mode.value) is mode and mode.summary for mode in Mode)


def test_an_unknown_mode_suggests_the_nearest() -> None:
    with pytest.raises(UsageError) as info:
        parse_mode("fail-frist")

    message = str(info.value)
    assert "did you mean 'fail-first'?" in message
    assert "no-dedupe" in message
