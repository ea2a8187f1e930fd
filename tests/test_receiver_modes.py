"""Each misbehaving receiver mode does exactly its one wrong thing, and no other."""

from __future__ import annotations

import copy
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from harness.catalog import Catalog
from harness.envelope import encode
from harness.receiver import Mode, ReferenceReceiver

TIMEOUT = 5.0
SLOW = 0.4

Start = Callable[..., ReferenceReceiver]
MakeEvent = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


@pytest.fixture
def make_event(catalog: Catalog) -> MakeEvent:
    def make(type: str = "order_completed", order: str | None = None) -> dict:
        event = copy.deepcopy(catalog.examples(type)[0])
        event["id"] = f"evt_{uuid.uuid4().hex}"
        if order is not None:
            event["data"]["order"]["number"] = order
        return event

    return make


@pytest.fixture
def start() -> Iterator[Start]:
    started: list[ReferenceReceiver] = []

    def run(mode: Mode, **options: Any) -> ReferenceReceiver:
        receiver = ReferenceReceiver(mode=mode, **options)
        started.append(receiver)
        return receiver.start()

    yield run
    for receiver in started:
        receiver.stop()
    for receiver in started:
        receiver.check_errors()


def post(url: str, event: Any, **options: Any) -> requests.Response:
    options.setdefault("timeout", TIMEOUT)
    options.setdefault("allow_redirects", False)
    headers = {"Content-Type": "application/json"}
    return requests.post(url, data=encode(event), headers=headers, **options)


def concurrently(count: int, send: Callable[[], int]) -> list[int]:
    """Run ``send`` on ``count`` threads released together; their statuses."""
    barrier = threading.Barrier(count)
    statuses: list[int] = []

    def run() -> None:
        barrier.wait(TIMEOUT)
        statuses.append(send())

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT * 2)
    return sorted(statuses)


# -- nothing else: a fresh, valid, known event goes through as it would correctly


@pytest.mark.parametrize(
    "mode",
    [
        Mode.SLOW,
        Mode.ERROR_ON_REPEAT,
        Mode.REJECT_UNKNOWN,
        Mode.PROCESS_FIRST,
        Mode.STRICT_FIELDS,
        Mode.STRICT_ORDER,
        Mode.OVERLOADED,
        Mode.BODY_LIMIT,
        Mode.NO_DEDUPE,
    ],
)
def test_a_first_plain_delivery_is_acknowledged_and_processed(
    start: Start, make_event: MakeEvent, mode: Mode
) -> None:
    receiver = start(mode, slow_seconds=0.05)
    event = make_event()

    assert post(receiver.url, event).status_code == 200
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 1


# -- redirect -----------------------------------------------------------------


def test_redirect_answers_308_to_the_trailing_slash_and_loses_the_event(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.REDIRECT)
    event = make_event()

    response = post(receiver.url, event)
    assert response.status_code == 308
    assert response.headers["Location"] == "/webhooks/"
    assert receiver.deliveries[0].event_id == event["id"]
    assert post(receiver.url, event).status_code == 308
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 0


def test_redirect_looks_healthy_to_a_client_that_follows_it(
    start: Start, make_event: MakeEvent
) -> None:
    # The trap local relays fall into: following the 308 delivers the event.
    receiver = start(Mode.REDIRECT)
    event = make_event()

    response = post(receiver.url, event, allow_redirects=True)

    assert response.status_code == 200
    assert [d.status for d in receiver.deliveries] == [308, 200]
    assert receiver.deliveries[1].path == "/webhooks/"
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 1


# -- slow ---------------------------------------------------------------------


def test_slow_acknowledges_only_after_its_delay(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.SLOW, slow_seconds=SLOW)
    event = make_event()

    began = time.monotonic()
    response = post(receiver.url, event)
    took = time.monotonic() - began

    assert response.status_code == 200
    assert took >= SLOW
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 1


# -- error on repeat ----------------------------------------------------------


def test_error_on_repeat_answers_500_to_an_id_it_has_seen(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.ERROR_ON_REPEAT)
    event, other = make_event(), make_event()

    statuses = [post(receiver.url, e).status_code for e in (event, event, other)]

    assert statuses == [200, 500, 200]
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 1


# -- non-ack 2xx --------------------------------------------------------------


def test_non_ack_2xx_answers_203_but_does_its_work(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.NON_ACK_2XX)
    event = make_event()

    assert [post(receiver.url, event).status_code for _ in "ab"] == [203, 203]
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 1


# -- reject unknown -----------------------------------------------------------


def test_reject_unknown_answers_400_to_an_unknown_type_only(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.REJECT_UNKNOWN)
    unknown, alias = make_event(), make_event("order_canceled")
    unknown["type"] = "order_refunded"
    alias["type"] = "order_cancelled"

    assert post(receiver.url, unknown).status_code == 400
    assert post(receiver.url, alias).status_code == 200


# -- fail first ---------------------------------------------------------------


def test_fail_first_refuses_the_first_attempts_of_each_id(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.FAIL_FIRST, fail_first=2)
    event, other = make_event(), make_event()

    first = [post(receiver.url, event).status_code for _ in range(4)]
    second = [post(receiver.url, other).status_code for _ in range(3)]

    assert first == [503, 503, 200, 200]
    assert second == [503, 503, 200]
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 1
    assert receiver.processed_count(other["id"]) == 1


def test_fail_first_zero_is_correct(start: Start, make_event: MakeEvent) -> None:
    receiver = start(Mode.FAIL_FIRST, fail_first=0)
    assert post(receiver.url, make_event()).status_code == 200


# -- process first ------------------------------------------------------------


def test_process_first_works_before_answering(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.PROCESS_FIRST, slow_seconds=SLOW)
    event = make_event()

    began = time.monotonic()
    response = post(receiver.url, event)
    took = time.monotonic() - began

    assert response.status_code == 200
    assert took >= SLOW
    # Already processed when the answer arrives: nothing was left for later.
    assert receiver.processed_count(event["id"]) == 1


def test_process_first_answers_409_to_a_repeat_while_processing(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.PROCESS_FIRST, slow_seconds=2 * SLOW)
    event = make_event()

    statuses = concurrently(3, lambda: post(receiver.url, event).status_code)
    after = post(receiver.url, event).status_code

    assert statuses == [200, 409, 409]
    assert after == 200
    assert receiver.processed_count(event["id"]) == 1


# -- strict fields ------------------------------------------------------------


def test_strict_fields_answers_400_naming_each_extra_field(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.STRICT_FIELDS)
    event = make_event()
    event["api_version"] = "2024-05-01"
    event["data"]["order"]["line_items"][0]["variant"]["color_hex"] = "#fff"

    response = post(receiver.url, event)

    assert response.status_code == 400
    error = response.json()["error"]
    assert "$.api_version" in error
    assert "$.data.order.line_items[0].variant.color_hex" in error
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 0


def test_strict_fields_accepts_keys_of_a_free_form_map(
    start: Start, make_event: MakeEvent
) -> None:
    # order.metadata takes any key (additionalProperties is a schema there).
    receiver = start(Mode.STRICT_FIELDS)
    event = make_event()
    event["data"]["order"]["metadata"] = {"anything": "goes", "gift": "yes"}

    assert post(receiver.url, event).status_code == 200


@pytest.mark.parametrize(
    "type",
    [
        "order_completed",
        "order_canceled",
        "shipment_shipped",
        "shipping_delivery_status_updated",
    ],
)
def test_strict_fields_accepts_every_schema_example(
    start: Start, make_event: MakeEvent, type: str
) -> None:
    receiver = start(Mode.STRICT_FIELDS)
    assert post(receiver.url, make_event(type)).status_code == 200


def test_strict_fields_leaves_unknown_types_alone(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.STRICT_FIELDS)
    event = make_event()
    event["type"] = "order_refunded"
    event["extra"] = True

    assert post(receiver.url, event).status_code == 200


# -- strict order -------------------------------------------------------------


def test_strict_order_answers_422_to_a_shipment_before_its_order(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.STRICT_ORDER)
    shipped = make_event("shipment_shipped", order="R100000001")
    update = make_event("shipping_delivery_status_updated", order="R100000001")
    completed = make_event("order_completed", order="R100000001")
    stranger = make_event("shipping_delivery_status_updated", order="R100000002")

    statuses = [
        post(receiver.url, event).status_code
        for event in (shipped, update, completed, shipped, update, stranger)
    ]

    assert statuses == [422, 422, 200, 200, 200, 422]


def test_strict_order_lets_a_cancellation_through(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.STRICT_ORDER)
    assert post(receiver.url, make_event("order_canceled")).status_code == 200


# -- overloaded ---------------------------------------------------------------


def test_overloaded_answers_503_beyond_its_in_flight_limit(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.OVERLOADED, max_in_flight=2, hold_seconds=0.5)

    statuses = concurrently(6, lambda: post(receiver.url, make_event()).status_code)

    assert statuses.count(503) >= 1
    assert statuses.count(200) >= 1
    assert set(statuses) == {200, 503}


def test_overloaded_acknowledges_one_at_a_time(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.OVERLOADED, max_in_flight=1)
    assert [post(receiver.url, make_event()).status_code for _ in "abc"] == [200] * 3


# -- body limit ---------------------------------------------------------------


def test_body_limit_answers_413_over_its_limit(
    start: Start, make_event: MakeEvent
) -> None:
    event = make_event()
    size = len(encode(event))
    receiver = start(Mode.BODY_LIMIT, body_limit=size - 1)

    assert post(receiver.url, event).status_code == 413
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 0


def test_body_limit_accepts_a_body_at_its_limit(
    start: Start, make_event: MakeEvent
) -> None:
    event = make_event()
    receiver = start(Mode.BODY_LIMIT, body_limit=len(encode(event)))
    assert post(receiver.url, event).status_code == 200


def test_body_limit_accepts_non_ascii_bytes_under_its_limit(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.BODY_LIMIT)
    event = make_event()
    event["data"]["order"]["ship_address"]["name"] = "Zoë Ångström"

    assert post(receiver.url, event).status_code == 200
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 1


# -- no dedupe ----------------------------------------------------------------


def test_no_dedupe_processes_every_repeat(start: Start, make_event: MakeEvent) -> None:
    receiver = start(Mode.NO_DEDUPE)
    event = make_event()

    assert [post(receiver.url, event).status_code for _ in "abc"] == [200] * 3
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 3


def test_the_correct_mode_differs_from_no_dedupe(
    start: Start, make_event: MakeEvent
) -> None:
    receiver = start(Mode.CORRECT)
    event = make_event()

    for _ in "abc":
        post(receiver.url, event)
    assert receiver.wait_idle(TIMEOUT)
    assert receiver.processed_count(event["id"]) == 1
