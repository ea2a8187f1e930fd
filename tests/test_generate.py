"""EventFactory's public API: types and aliases, options, overrides, streams, errors."""

from __future__ import annotations

import itertools
import random
import re
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from faker import Faker

import harness.generate as generate
from harness.contract import data_dir, default_contract, load_contract
from harness.envelope import encode
from harness.errors import UnknownEventTypeError, UsageError
from harness.generate import EDGE_CASES, SCENARIOS, ChordProvider, EventFactory
from harness.generate.clock import easypost_time, solidus_time
from harness.generate.money import display, rails

TYPES = default_contract().event_names
EVENT_ID = re.compile(r"^evt_[0-9a-f]{32}$")
SOLIDUS_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def orders_of(event: dict) -> dict:
    return event["data"]["order"]


def test_public_names() -> None:
    assert all(hasattr(generate, name) for name in generate.__all__)
    assert set(generate.__all__) == {
        "ChordProvider",
        "EDGE_CASES",
        "EventFactory",
        "SCENARIOS",
    }


@pytest.mark.parametrize("type", TYPES)
def test_event_envelope(type: str) -> None:
    event = EventFactory(1).event(type)
    assert list(event) == ["id", "type", "created_at", "data"]
    assert event["type"] == type
    assert EVENT_ID.match(event["id"])
    assert SOLIDUS_TIME.match(event["created_at"])
    assert 2024 <= int(event["created_at"][:4]) <= 2026


def test_alias_builds_the_canonical_type() -> None:
    by_alias = EventFactory(3).event("order_cancelled")
    by_name = EventFactory(3).event("order_canceled")
    assert by_alias["type"] == "order_canceled"
    assert encode(by_alias) == encode(by_name)


def test_unknown_type_suggests_the_nearest() -> None:
    with pytest.raises(UnknownEventTypeError) as info:
        EventFactory().event("order_complted")
    assert info.value.suggestion == "order_completed"
    assert "did you mean 'order_completed'" in str(info.value)


def write_contract(tmp_path: Path, old: str, new: str) -> Path:
    text = (data_dir("contracts") / "chord-oms.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "contract.toml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_envelope_keys_come_from_the_contract(tmp_path: Path) -> None:
    path = write_contract(
        tmp_path,
        'id = "id"\ntype = "type"\ncreated_at = "created_at"\ndata = "data"',
        'id = "event_id"\ntype = "event"\ncreated_at = "occurred_at"\ndata = "payload"',
    )
    event = EventFactory(1, load_contract(path)).event("shipment_shipped")
    assert list(event) == ["event_id", "event", "occurred_at", "payload"]
    assert set(event["payload"]) == {"shipment", "order"}


def test_edge_case_size_comes_from_the_contract(tmp_path: Path) -> None:
    path = write_contract(tmp_path, "edge_line_items = 120", "edge_line_items = 7")
    first = EventFactory(1, load_contract(path)).edge_cases("order_completed")[0]
    assert len(orders_of(first)["line_items"]) == 7


def test_a_type_the_generator_cannot_build(tmp_path: Path) -> None:
    renamed = write_contract(
        tmp_path, 'name = "shipment_shipped"', 'name = "carton_shipped"'
    )
    contract = load_contract(renamed)
    with pytest.raises(UsageError, match="cannot build event type 'carton_shipped'"):
        EventFactory(0, contract).event("carton_shipped")


@pytest.mark.parametrize("count", [1, 7, 300])
def test_line_items_option(count: int) -> None:
    order = orders_of(EventFactory(2).event("order_completed", line_items=count))
    assert len(order["line_items"]) == count
    assert len({line["variant_id"] for line in order["line_items"]}) == count


def test_guest_option() -> None:
    factory = EventFactory(4)
    for _ in range(5):
        assert (
            orders_of(factory.event("order_completed", guest=True))["user_id"] is None
        )
        assert orders_of(factory.event("order_canceled", guest=False))["user_id"] >= 1


def test_zero_total_option() -> None:
    order = orders_of(EventFactory(6).event("order_completed", zero_total=True))
    assert order["total"] == "0.0"
    assert order["payments"] == []
    assert order["payment_state"] == "paid"
    assert "payment" not in order["checkout_steps"]


def test_unicode_false_keeps_the_default_locale() -> None:
    for event in EventFactory(9).events("order_completed", 30, unicode=False):
        order = orders_of(event)
        assert order["bill_address"]["country_iso"] == "US"
        assert order["locale"] == "en"


def test_locale_option() -> None:
    order = orders_of(EventFactory(1).event("order_completed", locale="ja_JP"))
    assert order["bill_address"]["country_iso"] == "JP"
    assert order["locale"] == "ja"
    with pytest.raises(UsageError, match="did you mean 'de_DE'"):
        EventFactory(1).event("order_completed", locale="de_DD")


def test_status_option() -> None:
    factory = EventFactory(1)
    event = factory.event("shipping_delivery_status_updated", status="delivered")
    assert event["data"]["delivery"]["status"] == "delivered"
    assert event["data"]["delivery"]["previous_status"] == "out_for_delivery"
    with pytest.raises(UsageError, match="did you mean 'delivered'"):
        factory.event("shipping_delivery_status_updated", status="delivred")
    with pytest.raises(UsageError, match="delivery updates only"):
        factory.event("order_completed", status="delivered")


@pytest.mark.parametrize("bad", [0, -3, 2.5, "4", True])
def test_bad_line_items(bad: object) -> None:
    with pytest.raises(UsageError, match="line_items"):
        EventFactory().event("order_completed", line_items=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["7", 1.5, None, False])
def test_bad_seed(bad: object) -> None:
    with pytest.raises(UsageError, match="seed"):
        EventFactory(bad)  # type: ignore[arg-type]


def test_overrides_merge_deeply() -> None:
    overrides = {
        "data": {"order": {"email": "ada@example.org", "metadata": {"crm": "42"}}},
        "api_version": "2024-05-01",
    }
    plain = EventFactory(12).event("order_completed")
    merged = EventFactory(12).event("order_completed", overrides=overrides)
    order, before = orders_of(merged), orders_of(plain)
    assert order["email"] == "ada@example.org"
    assert order["metadata"] == {**before["metadata"], "crm": "42"}
    assert merged["api_version"] == "2024-05-01"
    assert order["number"] == before["number"]
    assert order["line_items"] == before["line_items"]


def test_overrides_replace_lists_and_are_not_shared() -> None:
    overrides = {"data": {"order": {"tag_list": ["vip"]}}}
    factory = EventFactory(1)
    first = factory.event("order_completed", overrides=overrides)
    orders_of(first)["tag_list"].append("changed")
    second = factory.event("order_completed", overrides=overrides)
    assert orders_of(second)["tag_list"] == ["vip"]
    assert overrides == {"data": {"order": {"tag_list": ["vip"]}}}


def test_events_are_lazy_and_continue_the_stream() -> None:
    stream = EventFactory(8).events("order_completed", 10**12)
    taken = [encode(e) for e in itertools.islice(stream, 3)]
    one_by_one = EventFactory(8)
    assert taken == [encode(one_by_one.event("order_completed")) for _ in range(3)]


def test_events_check_arguments_before_building() -> None:
    factory = EventFactory()
    with pytest.raises(UnknownEventTypeError):
        factory.events("nope", 3)
    with pytest.raises(UsageError, match="count"):
        factory.events("order_completed", -1)
    assert list(factory.events("order_completed", 0)) == []


def test_events_pass_options_through() -> None:
    for event in EventFactory(3).events("order_canceled", 4, guest=True, line_items=2):
        assert orders_of(event)["user_id"] is None
        assert len(orders_of(event)["line_items"]) == 2


def test_scenario_names() -> None:
    assert set(SCENARIOS) >= {
        "lifecycle",
        "return_to_sender",
        "delivery_failure",
        "canceled",
    }


def test_unknown_scenario_suggests_the_nearest() -> None:
    with pytest.raises(UsageError, match="did you mean 'lifecycle'"):
        EventFactory().scenario("lifecyle")


def test_edge_cases() -> None:
    factory = EventFactory(3)
    cases = dict(zip(EDGE_CASES, factory.edge_cases("order_completed"), strict=True))
    many = orders_of(cases["many_line_items"])
    assert len(many["line_items"]) >= default_contract().checks.edge_line_items
    assert orders_of(cases["zero_total"])["total"] == "0.0"
    assert orders_of(cases["guest"])["user_id"] is None
    unicode = orders_of(cases["unicode"])
    assert any(ord(c) > 0x024F for c in unicode["bill_address"]["name"])
    nulls = orders_of(cases["nulls"])
    assert nulls["ship_address"] is None
    assert nulls["user_id"] is None
    assert nulls["payment_state"] is None
    assert nulls["shipment_state"] is None
    assert nulls["special_instructions"] is None
    assert nulls["gift_note"] is None
    for key in (
        "address2",
        "phone",
        "company",
        "alternative_phone",
        "state",
        "state_id",
    ):
        assert nulls["bill_address"][key] is None
    shipment = nulls["shipments"][0]
    for key in (
        "selected_shipping_rate",
        "carrier",
        "tracking_url",
        "tracking",
        "shipped_at",
    ):
        assert shipment[key] is None
    for payment in nulls["payments"]:
        assert payment["source"] is None
        assert payment["source_type"] is None


def test_edge_cases_of_shipment_events() -> None:
    factory = EventFactory(3)
    many, *_, nulls = factory.edge_cases("shipment_shipped")
    assert len(many["data"]["shipment"]["manifest"]) >= 1
    assert nulls["data"]["order"]["ship_address"] is None
    assert nulls["data"]["shipment"]["carrier"] is None
    *_, bare = factory.edge_cases("shipping_delivery_status_updated")
    delivery = bare["data"]["delivery"]
    assert delivery["status_detail"] is None
    assert delivery["previous_status"] is None
    assert delivery["est_delivery_date"] is None
    assert "tracker" not in delivery


def test_provider_on_a_users_faker() -> None:
    fake = Faker()
    fake.add_provider(ChordProvider)
    fake.seed_instance(5)
    first = [
        fake.chord_order_number(),
        fake.chord_shipment_number(),
        fake.chord_event_id(),
    ]
    fake.seed_instance(5)
    again = [
        fake.chord_order_number(),
        fake.chord_shipment_number(),
        fake.chord_event_id(),
    ]
    assert first == again
    assert re.match(r"^R\d{9}$", first[0])
    assert re.match(r"^H[0-8]{11}$", first[1])
    assert EVENT_ID.match(first[2])
    assert re.match(r"^CHORD-\d{9}$", fake.chord_order_number(prefix="CHORD-"))
    assert re.match(r"^trk_[0-9a-f]{32}$", fake.chord_tracker_id())
    assert fake.chord_carrier() in {"ups", "usps", "fedex", "dhl"}
    assert fake.chord_delivery_status() in {
        "unknown", "pre_transit", "in_transit", "out_for_delivery", "delivered",
        "available_for_pickup", "return_to_sender", "failure", "cancelled", "error",
    }  # fmt: skip
    assert len(fake.chord_guest_token()) == 22


def test_provider_money_is_rails_style_and_in_range() -> None:
    fake = Faker()
    fake.add_provider(ChordProvider)
    fake.seed_instance(1)
    for _ in range(300):
        text = fake.chord_money(5, "19.99")
        assert re.match(r"^\d+\.\d{1,2}$", text)
        assert not (len(text.split(".")[1]) == 2 and text.endswith("0"))
        assert 5 <= float(text) <= 19.99
    assert fake.chord_money(0, 0) == "0.0"


@pytest.mark.parametrize(
    ("carrier", "pattern"),
    [
        ("ups", r"^1Z[A-Z0-9]{6}\d{10}$"),
        ("usps", r"^9400\d{18}$"),
        ("fedex", r"^\d{12}$"),
        ("dhl", r"^\d{10}$"),
        ("easypost", r"^EZ(\d)0{8}\1$"),
        ("OnTrac", r"^[A-Z0-9]{14}$"),
    ],
)
def test_provider_tracking_codes(carrier: str, pattern: str) -> None:
    fake = Faker()
    fake.add_provider(ChordProvider)
    fake.seed_instance(2)
    for _ in range(20):
        assert re.match(pattern, fake.chord_tracking_code(carrier))


def test_time_rendering_matches_datetime() -> None:
    """The memoized formatter agrees with the standard library everywhere."""
    rng = random.Random(0)
    stamps = [rng.randrange(0, 4_102_444_800_000) for _ in range(20_000)]
    stamps += [0, 59_999, 60_000, 86_399_999, 951_782_400_000, 1_709_164_800_000]
    for ms in stamps:
        moment = datetime.fromtimestamp(ms // 1000, UTC)
        expected = moment.strftime("%Y-%m-%dT%H:%M:%S")
        assert solidus_time(ms) == f"{expected}.{ms % 1000:03d}Z"
        assert easypost_time(ms) == f"{expected}Z"


@pytest.mark.parametrize(
    ("amount", "rails_text", "display_text"),
    [
        ("19.99", "19.99", "$19.99"),
        ("19.90", "19.9", "$19.90"),
        ("100.00", "100.0", "$100.00"),
        ("0.00", "0.0", "$0.00"),
        ("-0.00", "0.0", "$0.00"),
        ("-5.00", "-5.0", "-$5.00"),
        ("1234.5", "1234.5", "$1,234.50"),
        ("1000000", "1000000.0", "$1,000,000.00"),
    ],
)
def test_money_rendering(amount: str, rails_text: str, display_text: str) -> None:
    assert rails(Decimal(amount)) == rails_text
    assert display(Decimal(amount)) == display_text
