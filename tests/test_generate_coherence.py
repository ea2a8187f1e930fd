"""Generated events add up and their states agree, over many seeds and options.

Every sum is recomputed here with ``Decimal`` from the rendered strings, and
every state combination is checked against the Solidus rules of the domain
reference (section 5.1 "State combinations" and section 7).
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.generate import EventFactory
from harness.generate.tables import tables

RAILS_MONEY = re.compile(r"^-?\d+\.\d+$")
EASYPOST_DETAILS = {
    name: {detail for detail, _ in spec.details}
    for name, spec in tables().statuses.items()
}
SETTINGS = settings(
    derandomize=True,
    deadline=None,
    max_examples=60,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "line_items": st.integers(1, 12),
        "guest": st.booleans(),
        "zero_total": st.booleans(),
        "unicode": st.booleans(),
    },
)
SEEDS = st.integers(0, 2**63)


def money(text: str) -> Decimal:
    """Parse a money string, insisting on the Rails rendering."""
    assert RAILS_MONEY.match(text), text
    value = Decimal(text)
    _whole, _, fraction = text.lstrip("-").partition(".")
    # Rails drops trailing zeros but keeps one decimal: "19.9", "100.0".
    assert fraction == "0" or not fraction.endswith("0"), text
    assert len(fraction) <= 2, text
    return value


def display(value: Decimal) -> str:
    sign = "-" if value < 0 else ""
    return f"{sign}${abs(value):,.2f}"


def when(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def check_address(address: dict[str, Any] | None) -> None:
    if address is None:
        return
    country = address["country"]
    assert address["country_iso"] == country["iso"]
    assert address["country_id"] == country["id"]
    spec = next(s for s in tables().locales if s.country.iso == country["iso"])
    assert country["iso3"] == spec.country.iso3
    assert country["numcode"] == spec.country.numcode
    state = address["state"]
    if state is None:
        assert address["state_id"] is None
        assert address["state_text"] is None
    else:
        assert state["country_id"] == country["id"]
        assert address["state_id"] == state["id"]
        assert address["state_text"] == state["abbr"]
        assert (state["id"], state["abbr"]) in {(r.id, r.abbr) for r in spec.regions}


def check_sums(order: dict[str, Any]) -> None:
    """Every total of a big order, recomputed."""
    lines = order["line_items"]
    every_adjustment = list(order["adjustments"])
    item_total = Decimal(0)
    for line in lines:
        price = money(line["price"])
        assert line["quantity"] >= 1
        adjustments = [money(a["amount"]) for a in line["adjustments"]]
        assert money(line["total"]) == price * line["quantity"] + sum(adjustments)
        assert line["display_amount"] == display(price * line["quantity"])
        assert line["variant_id"] == line["variant"]["id"]
        assert all(a["adjustable_id"] == line["id"] for a in line["adjustments"])
        every_adjustment += line["adjustments"]
        item_total += price * line["quantity"]
    ship_total = Decimal(0)
    for shipment in order["shipments"]:
        ship_total += money(shipment["cost"])
        every_adjustment += shipment["adjustments"]
        assert shipment["order_id"] == order["number"]
    assert len({line["variant_id"] for line in lines}) == len(lines)

    adjustment_total = sum((money(a["amount"]) for a in every_adjustment), Decimal(0))
    taxes = [a for a in every_adjustment if a["source_type"] == "Spree::TaxRate"]
    tax_total = sum((money(a["amount"]) for a in taxes), Decimal(0))
    assert money(order["item_total"]) == item_total
    assert money(order["ship_total"]) == ship_total
    assert money(order["adjustment_total"]) == adjustment_total
    assert money(order["additional_tax_total"]) == tax_total
    assert money(order["tax_total"]) == tax_total + money(order["included_tax_total"])
    total = money(order["total"])
    assert total == item_total + ship_total + adjustment_total
    assert total >= 0
    assert order["display_total"] == display(total)
    assert order["display_item_total"] == display(item_total)
    assert order["total_quantity"] == sum(line["quantity"] for line in lines)

    completed = [p for p in order["payments"] if p["state"] == "completed"]
    paid = sum((money(p["amount"]) for p in completed), Decimal(0))
    assert money(order["payment_total"]) == paid


def check_order(order: dict[str, Any], *, canceled: bool) -> None:
    """A completed or canceled big order: sums, states and times."""
    check_sums(order)
    check_address(order["bill_address"])
    check_address(order["ship_address"])
    total = money(order["total"])
    payments = order["payments"]
    live = [p for p in payments if p["state"] != "failed"]
    shipments = order["shipments"]
    assert when(order["created_at"]) <= when(order["completed_at"])
    assert when(order["completed_at"]) <= when(order["updated_at"])
    assert all(s["shipped_at"] is None and s["tracking"] is None for s in shipments)

    if total == 0:
        assert payments == []
        assert "payment" not in order["checkout_steps"]
    else:
        assert "payment" in order["checkout_steps"]

    if canceled:
        assert order["state"] == "canceled"
        assert order["canceler_id"] is None or order["canceler_id"] >= 1
        assert all(s["state"] == "canceled" for s in shipments)
        for shipment in shipments:
            assert all(
                item["states"] == {"canceled": item["quantity"]}
                for item in shipment["manifest"]
            )
        if order["payment_state"] is None:
            return
        assert order["shipment_state"] in ("canceled", None)
        if order["payment_state"] == "void":
            assert money(order["payment_total"]) == 0
            assert all(p["state"] == "void" for p in live)
        else:
            assert order["payment_state"] == "credit_owed"
            assert money(order["payment_total"]) == total > 0
            assert all(p["state"] == "completed" for p in live)
        return

    assert order["state"] == "complete"
    assert order["canceler_id"] is None
    if order["payment_state"] is None:  # the "every nullable is null" edge case
        return
    if order["payment_state"] == "paid":
        assert all(p["state"] == "completed" for p in live)
        assert money(order["payment_total"]) == total
        assert order["shipment_state"] in ("ready", "backorder")
        backordered = any(
            "backordered" in item["states"] for s in shipments for item in s["manifest"]
        )
        assert (order["shipment_state"] == "backorder") == backordered
        for shipment in shipments:
            held = any("backordered" in item["states"] for item in shipment["manifest"])
            assert shipment["state"] == ("pending" if held else "ready")
    else:
        assert order["payment_state"] == "balance_due"
        assert live
        assert all(p["state"] == "pending" for p in live)
        assert money(order["payment_total"]) == 0
        assert order["shipment_state"] == "pending"
        assert all(s["state"] == "pending" for s in shipments)


def check_shipped(data: dict[str, Any]) -> None:
    shipment, order = data["shipment"], data["order"]
    assert shipment["state"] == "shipped"
    assert shipment["tracking"]
    assert when(shipment["shipped_at"]) > when(
        order["completed_at"] or "1970-01-01T00:00:00Z"
    )
    if shipment["tracking_url"] is not None:
        assert shipment["tracking"] in shipment["tracking_url"]
    assert shipment["order_id"] == order["number"]
    assert order["shipment_state"] in ("shipped", "partial")
    assert order["state"] == "complete"
    for item in shipment["manifest"]:
        assert item["states"] == {"shipped": item["quantity"]}
    check_address(order["ship_address"])


def check_delivery(data: dict[str, Any]) -> None:
    delivery, shipment = data["delivery"], data["shipment"]
    status = delivery["status"]
    detail = delivery["status_detail"]
    bare = detail is None and delivery["message"] is None  # the all-nulls edge case
    assert bare or detail in EASYPOST_DETAILS[status]
    assert delivery["signed_by"] is None or status == "delivered"
    if delivery["previous_status"] is not None:
        path = tables().statuses[status].path
        assert path.index(delivery["previous_status"]) == len(path) - 2
    assert when(delivery["updated_at"]) > when(shipment["shipped_at"])
    if shipment["tracking_url"] is not None:
        assert shipment["tracking"] in shipment["tracking_url"]
    tracker = delivery.get("tracker")
    if tracker is not None:
        assert tracker["status"] == status
        assert tracker["tracking_code"] == shipment["tracking"]
        assert tracker["updated_at"] == delivery["updated_at"]
        assert tracker["signed_by"] == delivery["signed_by"]
        details = tracker["tracking_details"]
        assert details[-1]["status"] == status
        times = [when(d["datetime"]) for d in details]
        assert times == sorted(times)
        assert len(set(times)) == len(times)
        assert [d["status"] for d in details] == list(tables().statuses[status].path)


@SETTINGS
@given(seed=SEEDS, options=OPTIONS)
def test_completed_orders_add_up(seed: int, options: dict[str, Any]) -> None:
    event = EventFactory(seed).event("order_completed", **options)
    order = event["data"]["order"]
    check_order(order, canceled=False)
    if options.get("guest"):
        assert order["user_id"] is None
    if options.get("zero_total"):
        assert order["total"] == "0.0"
        assert order["payment_state"] == "paid"
    if "line_items" in options:
        assert len(order["line_items"]) == options["line_items"]
    assert when(order["updated_at"]) < when(event["created_at"])


@SETTINGS
@given(seed=SEEDS, options=OPTIONS)
def test_canceled_orders_are_voided_or_owed(seed: int, options: dict[str, Any]) -> None:
    event = EventFactory(seed).event("order_canceled", **options)
    check_order(event["data"]["order"], canceled=True)


@SETTINGS
@given(seed=SEEDS, options=OPTIONS)
def test_shipped_shipments_carry_tracking(seed: int, options: dict[str, Any]) -> None:
    check_shipped(EventFactory(seed).event("shipment_shipped", **options)["data"])


@SETTINGS
@given(
    seed=SEEDS,
    status=st.sampled_from(sorted(tables().statuses)) | st.none(),
)
def test_delivery_updates_fit_their_status(seed: int, status: str | None) -> None:
    event = EventFactory(seed).event("shipping_delivery_status_updated", status=status)
    check_delivery(event["data"])
    if status is not None:
        assert event["data"]["delivery"]["status"] == status


def test_the_mix_covers_every_state_combination() -> None:
    """Across seeds the default mix reaches each realistic combination."""
    factory = EventFactory(11)
    combos = set()
    for event in factory.events("order_completed", 400):
        order = event["data"]["order"]
        combos.add((order["payment_state"], order["shipment_state"]))
    for event in factory.events("order_canceled", 150):
        order = event["data"]["order"]
        combos.add((order["payment_state"], order["shipment_state"]))
    assert combos >= {
        ("paid", "ready"),
        ("paid", "backorder"),
        ("balance_due", "pending"),
        ("void", "canceled"),
        ("credit_owed", "canceled"),
    }


def test_the_mix_draws_foreign_locales_and_scripts() -> None:
    countries = {
        event["data"]["order"]["bill_address"]["country_iso"]
        for event in EventFactory(2).events("order_completed", 300)
    }
    assert "US" in countries
    assert len(countries) >= 5


@pytest.mark.parametrize("type", ["order_completed", "order_canceled"])
def test_edge_cases_add_up(type: str) -> None:
    for event in EventFactory(4).edge_cases(type):
        check_order(event["data"]["order"], canceled=type == "order_canceled")


def test_edge_cases_of_shipment_events_are_coherent() -> None:
    factory = EventFactory(4)
    for event in factory.edge_cases("shipment_shipped"):
        check_shipped(event["data"])
    for event in factory.edge_cases("shipping_delivery_status_updated"):
        check_delivery(event["data"])


def test_unicode_writes_names_and_products_in_a_non_latin_script() -> None:
    for event in EventFactory(8).events("order_completed", 20, unicode=True):
        order = event["data"]["order"]
        assert order["bill_address"]["country_iso"] != "US"
        texts = [
            order["bill_address"]["name"],
            order["line_items"][0]["variant"]["name"],
        ]
        assert all(any(ord(char) > 0x024F for char in text) for text in texts), texts
        assert any(ord(char) > 0xFFFF for char in order["gift_note"]["note"])
