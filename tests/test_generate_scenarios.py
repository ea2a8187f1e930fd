"""Scenarios tell one order's story: same identifiers, times that only move on."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.generate import SCENARIOS, EventFactory

STORY_SETTINGS = settings(
    derandomize=True,
    deadline=None,
    max_examples=40,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "line_items": st.integers(1, 9),
        "guest": st.booleans(),
        "zero_total": st.booleans(),
        "unicode": st.booleans(),
    },
)
PATHS = {
    "lifecycle": ["pre_transit", "in_transit", "out_for_delivery", "delivered"],
    "return_to_sender": ["pre_transit", "in_transit", "return_to_sender"],
    "delivery_failure": ["pre_transit", "in_transit", "out_for_delivery", "failure"],
}


def when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def inner_time(event: dict[str, Any]) -> datetime:
    """When the thing the event reports happened."""
    data = event["data"]
    if event["type"] == "order_completed":
        return when(data["order"]["completed_at"])
    if event["type"] == "order_canceled":
        return when(data["order"]["updated_at"])
    if event["type"] == "shipment_shipped":
        return when(data["shipment"]["shipped_at"])
    return when(data["delivery"]["updated_at"])


def check_story(events: list[dict[str, Any]], name: str) -> None:
    order = events[0]["data"]["order"]
    assert events[0]["type"] == "order_completed"
    number, email = order["number"], order["email"]
    shipments = [s["number"] for s in order["shipments"]]

    for event in events:
        data = event["data"]
        assert data["order"]["number"] == number
        assert data["order"]["email"] == email
        assert data["order"]["id"] == order["id"]
    assert len({event["id"] for event in events}) == len(events)

    created = [when(event["created_at"]) for event in events]
    assert all(a < b for a, b in itertools.pairwise(created))
    inner = [inner_time(event) for event in events]
    assert all(a < b for a, b in itertools.pairwise(inner))
    for moment, envelope in zip(inner, created, strict=True):
        assert moment <= envelope
    for envelope, later in zip(created, inner[1:], strict=False):
        assert envelope < later

    if name == "canceled":
        assert [e["type"] for e in events] == ["order_completed", "order_canceled"]
        canceled = events[1]["data"]["order"]
        assert canceled["state"] == "canceled"
        assert canceled["line_items"] == order["line_items"]
        assert canceled["completed_at"] == order["completed_at"]
        return

    shipped = [e for e in events if e["type"] == "shipment_shipped"]
    updates = [e for e in events if e["type"] == "shipping_delivery_status_updated"]
    assert len(events) == 1 + len(shipped) + len(updates)
    assert [e["data"]["shipment"]["number"] for e in shipped] == shipments
    states = [e["data"]["order"]["shipment_state"] for e in shipped]
    assert states == ["partial"] * (len(shipped) - 1) + ["shipped"]
    assert events[1 : 1 + len(shipped)] == shipped

    tracking = {
        e["data"]["shipment"]["number"]: e["data"]["shipment"]["tracking"]
        for e in shipped
    }
    path = PATHS[name]
    assert len(updates) == len(path) * len(shipments)
    for index, shipment in enumerate(shipments):
        mine = updates[index * len(path) : (index + 1) * len(path)]
        assert [u["data"]["shipment"]["number"] for u in mine] == [shipment] * len(path)
        assert [u["data"]["delivery"]["status"] for u in mine] == path
        previous = [u["data"]["delivery"]["previous_status"] for u in mine]
        assert previous == [None, *path[:-1]]
        for update in mine:
            assert update["data"]["shipment"]["tracking"] == tracking[shipment]
            assert update["data"]["order"]["shipment_state"] == "shipped"
            tracker = update["data"]["delivery"].get("tracker")
            if tracker is not None:
                status = update["data"]["delivery"]["status"]
                seen = [d["status"] for d in tracker["tracking_details"]]
                assert seen == path[: path.index(status) + 1]
        signed = [u["data"]["delivery"]["signed_by"] for u in mine]
        assert all(s is None for s in signed[:-1])
        if path[-1] != "delivered":
            assert signed[-1] is None


@pytest.mark.parametrize("name", SCENARIOS)
def test_story_holds_together(name: str) -> None:
    @STORY_SETTINGS
    @given(seed=st.integers(0, 2**63), options=OPTIONS)
    def check(seed: int, options: dict[str, Any]) -> None:
        check_story(EventFactory(seed).scenario(name, **options), name)

    check()


def test_lifecycle_with_several_shipments() -> None:
    """Some seed splits the order; every shipment then gets its own updates."""
    factory = EventFactory(21)
    for _ in range(60):
        events = factory.scenario("lifecycle", line_items=6)
        if len(events[0]["data"]["order"]["shipments"]) > 1:
            check_story(events, "lifecycle")
            break
    else:
        pytest.fail("no order with several shipments in 60 stories")


def test_stories_of_one_factory_follow_each_other() -> None:
    factory = EventFactory(2)
    first = factory.scenario("lifecycle")
    second = factory.scenario("canceled")
    assert when(first[-1]["created_at"]) < when(second[0]["created_at"])
    assert first[0]["data"]["order"]["number"] != second[0]["data"]["order"]["number"]
