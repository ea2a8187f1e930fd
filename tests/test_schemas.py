"""The shipped schema files: well formed, examples valid, every rule biting."""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from harness.catalog import SCHEMA_BASE_URI, Catalog
from harness.contract import data_dir, default_contract

SCHEMAS = data_dir("schemas")
FILES = sorted(SCHEMAS.rglob("*.json"))
CATALOG = Catalog.default()
EXAMPLES = [
    pytest.param(name, index, id=f"{name}-{index}")
    for name in CATALOG.types
    for index in range(len(CATALOG.examples(name)))
]


def _relative(path: Path) -> str:
    return path.relative_to(SCHEMAS).as_posix()


def _walk(node: Any, path: str = "") -> list[tuple[str, Any]]:
    found = [(path, node)]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _walk(value, f"{path}/{index}")
    return found


def _set(event: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``event`` with the dotted ``path`` (``a.b[0].c``) set or deleted."""
    event = copy.deepcopy(event)
    parts = [
        int(part) if part.isdigit() else part for part in re.findall(r"[^.\[\]]+", path)
    ]
    node = event
    for part in parts[:-1]:
        node = node[part]
    if value is _DELETE:
        del node[parts[-1]]
    else:
        node[parts[-1]] = value
    return event


_DELETE = object()


def _example(name: str) -> dict[str, Any]:
    return CATALOG.examples(name)[0]


def test_there_is_one_schema_file_per_event_type_plus_shared_definitions() -> None:
    names = {_relative(path) for path in FILES}
    events = {spec.schema for spec in default_contract().events}
    assert events <= names
    assert {
        "defs/envelope.schema.json",
        "defs/order.schema.json",
        "defs/order_summary.schema.json",
        "defs/line_item.schema.json",
        "defs/variant.schema.json",
        "defs/address.schema.json",
        "defs/shipment.schema.json",
        "defs/payment.schema.json",
        "defs/adjustment.schema.json",
        "defs/money.schema.json",
        "defs/display_money.schema.json",
        "defs/timestamp.schema.json",
        "defs/easypost_timestamp.schema.json",
        "defs/easypost_tracker.schema.json",
        "defs/tracking_detail.schema.json",
    } <= names


@pytest.mark.parametrize("path", FILES, ids=_relative)
def test_each_file_is_a_draft_2020_12_schema_with_an_unfetchable_id(
    path: Path,
) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == SCHEMA_BASE_URI + _relative(path)
    assert ".invalid/" in schema["$id"]
    assert schema["title"]
    assert schema["description"]


@pytest.mark.parametrize("path", FILES, ids=_relative)
def test_no_schema_forbids_extra_properties(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    closed = [
        where
        for where, node in _walk(schema)
        if isinstance(node, dict) and node.get("additionalProperties") is False
    ]
    assert closed == []


@pytest.mark.parametrize("path", FILES, ids=_relative)
def test_every_reference_is_relative_so_it_resolves_inside_the_folder(
    path: Path,
) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    refs = [
        node["$ref"]
        for _, node in _walk(schema)
        if isinstance(node, dict) and isinstance(node.get("$ref"), str)
    ]
    assert all("://" not in ref for ref in refs)


@pytest.mark.parametrize(("name", "index"), EXAMPLES)
def test_every_event_example_validates(name: str, index: int) -> None:
    example = CATALOG.examples(name)[index]
    assert CATALOG.validate(example) == []
    assert CATALOG.is_valid(example)
    assert CATALOG.type_of(example) == name


def test_every_event_type_has_an_example() -> None:
    assert all(CATALOG.examples(name) for name in CATALOG.types)


@pytest.mark.parametrize(
    "path",
    [p for p in FILES if p.parent.name == "defs"],
    ids=_relative,
)
def test_definition_examples_validate_against_their_definition(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    validator = Draft202012Validator(
        schema,
        registry=CATALOG.registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    for example in schema.get("examples", []):
        assert list(validator.iter_errors(example)) == []


@pytest.mark.parametrize("name", CATALOG.types)
def test_type_enum_is_the_name_and_its_contract_aliases(name: str) -> None:
    spec = default_contract().event(name)
    assert CATALOG.schema(name)["properties"]["type"]["enum"] == [
        spec.name,
        *spec.aliases,
    ]
    for alias in spec.aliases:
        assert CATALOG.is_valid(_set(_example(name), "type", alias))


@pytest.mark.parametrize("name", ["order_completed", "order_canceled"])
def test_order_examples_add_up(name: str) -> None:
    order = _example(name)["data"]["order"]
    money = {
        key: Decimal(value)
        for key, value in order.items()
        if key == "total" or (key.endswith("_total") and not key.startswith("display"))
    }
    assert money["total"] == (
        money["item_total"] + money["ship_total"] + money["adjustment_total"]
    )
    items = order["line_items"]
    assert money["item_total"] == sum(
        Decimal(item["price"]) * item["quantity"] for item in items
    )
    assert order["total_quantity"] == sum(item["quantity"] for item in items)
    assert money["adjustment_total"] == sum(
        Decimal(adjustment["amount"]) for adjustment in order["adjustments"]
    )


def test_canceled_example_is_consistently_canceled() -> None:
    order = _example("order_canceled")["data"]["order"]
    assert order["state"] == "canceled"
    assert order["shipment_state"] == "canceled"
    assert {shipment["state"] for shipment in order["shipments"]} == {"canceled"}
    assert {payment["state"] for payment in order["payments"]} <= {"void", "completed"}


DONE, CANCELED = "order_completed", "order_canceled"
SHIPPED, STATUS = "shipment_shipped", "shipping_delivery_status_updated"
ORDER, SHIPMENT, DELIVERY = "data.order.", "data.shipment.", "data.delivery."
TRACKER = DELIVERY + "tracker."

# (event type, dotted path, bad value, keyword[, JSON path if not the path's])
REJECTED = [
    (DONE, ORDER + "total", "12", "pattern"),
    (DONE, ORDER + "total", 12.5, "type"),
    (DONE, ORDER + "item_total", "1,000.00", "pattern"),
    (DONE, ORDER + "line_items[1].price", "45", "pattern"),
    (DONE, ORDER + "display_total", "106.87", "pattern"),
    (DONE, ORDER + "completed_at", "2024-05-14T18:22:05Z", "pattern"),
    (DONE, ORDER + "created_at", "2024-02-30T10:00:00.000Z", "format"),
    (DONE, "created_at", "yesterday", "format"),
    (DONE, ORDER + "number", "123456789", "pattern"),
    (DONE, ORDER + "id", 0, "minimum"),
    (DONE, ORDER + "id", "51784", "type"),
    (DONE, ORDER + "state", "shipped", "const"),
    (DONE, ORDER + "payment_state", "unpaid", "enum"),
    (DONE, ORDER + "shipment_state", "delivered", "enum"),
    (DONE, ORDER + "currency", "usd", "pattern"),
    (DONE, ORDER + "email", "ada.example.com", "format"),
    (DONE, ORDER + "line_items", [], "minItems"),
    (DONE, ORDER + "line_items[0].quantity", 0, "minimum"),
    (DONE, ORDER + "line_items[0].variant.sku", _DELETE, "required",
     "$.data.order.line_items[0].variant"),
    (DONE, ORDER + "shipments[0].number", "H123", "pattern"),
    (DONE, ORDER + "shipments[0].order_id", 51784, "type"),
    (DONE, ORDER + "shipments[0].state", "delivered", "enum"),
    (DONE, ORDER + "shipments[0].tracking_url", "not a uri", "format"),
    (DONE, ORDER + "shipments[0].manifest[0].states.on_hand", -1, "minimum"),
    (DONE, ORDER + "payments[0].state", "captured", "enum"),
    (DONE, ORDER + "payments[0].source.year", 2027, "type"),
    (DONE, ORDER + "adjustments[0].adjustable_type", "Spree::Payment", "enum"),
    (DONE, ORDER + "ship_address.country_iso", "USA", "pattern"),
    (DONE, ORDER + "user_id", "guest", "type"),
    (DONE, "id", "", "minLength"),
    (DONE, "data", _DELETE, "required", "$"),
    (CANCELED, ORDER + "state", "complete", "const"),
    (CANCELED, ORDER + "completed_at", None, "type"),
    (SHIPPED, SHIPMENT + "state", "ready", "const"),
    (SHIPPED, SHIPMENT + "tracking", None, "type"),
    (SHIPPED, SHIPMENT + "shipped_at", None, "type"),
    (SHIPPED, SHIPMENT + "cost", "5", "pattern"),
    (SHIPPED, SHIPMENT + "carrier", "UPS", "pattern"),
    (SHIPPED, ORDER + "shipment_state", "ready", "enum"),
    (STATUS, DELIVERY + "status", "arrived", "enum"),
    (STATUS, DELIVERY + "status_detail", "teleported", "enum"),
    (STATUS, DELIVERY + "updated_at", "2024-05-17 12:41:09", "pattern"),
    (STATUS, DELIVERY + "public_url", "track me", "format"),
    (STATUS, TRACKER + "id", "trk_123", "pattern"),
    (STATUS, TRACKER + "weight", "17.6", "type"),
    (STATUS, TRACKER + "mode", "staging", "enum"),
    (STATUS, TRACKER + "tracking_details[0].object", "Detail", "const"),
    (STATUS, SHIPMENT + "state", "delivered", "const"),
    (STATUS, "data.delivery", _DELETE, "required", "$.data"),
]  # fmt: skip


@pytest.mark.parametrize(
    "row", REJECTED, ids=[f"{row[0]}:{row[1]}={row[2]!r}" for row in REJECTED]
)
def test_each_rule_rejects_a_bad_value_at_its_json_path(row: tuple[Any, ...]) -> None:
    name, path, value, keyword = row[:4]
    json_path = row[4] if len(row) > 4 else "$." + path
    violations = CATALOG.validate(_set(_example(name), path, value))

    assert violations, "the bad value was accepted"
    assert violations[0].json_path == json_path
    assert keyword in {v.validator for v in violations if v.json_path == json_path}
    assert not CATALOG.is_valid(_set(_example(name), path, value))


# (event type, dotted path, an unusual but valid value)
ACCEPTED = [
    ("order_completed", "data.order.adjustment_total", "-3.11"),
    ("order_completed", "data.order.created_at", "2024-05-14T14:03:12.871-04:00"),
    ("order_completed", "data.order.number", "CHORD-000111222"),
    ("order_completed", "data.order.user_id", None),
    ("order_completed", "data.order.payment_state", None),
    ("order_completed", "data.order.bill_address", None),
    ("order_completed", "data.order.ship_address.state", None),
    ("order_completed", "data.order.display_total", "$1,106.87"),
    ("order_completed", "data.order.gift_note", {"from": "Bo", "note": "Hi"}),
    ("order_completed", "data.order.shipments[0].carrier", None),
    ("order_completed", "data.order.payments[0].source", None),
    ("order_completed", "data.order.line_items[0].variant.weight", None),
    ("order_completed", "data.order.brand_new_field", {"any": ["thing"]}),
    ("order_completed", "data.order.line_items[0].variant.extra", 1),
    ("order_completed", "api_version", "2024-05-01"),
    ("order_completed", "data.order.shipments[0].manifest[0].states.lost", 1),
    ("order_canceled", "type", "order_cancelled"),
    ("shipment_shipped", "data.order.shipment_state", "partial"),
    ("shipping_delivery_status_updated", "data.delivery.status_detail", None),
    ("shipping_delivery_status_updated", "data.delivery.tracker", _DELETE),
    (
        "shipping_delivery_status_updated",
        "data.delivery.updated_at",
        "2024-05-17T12:41:09.5+02:00",
    ),
]


@pytest.mark.parametrize(
    ("name", "path", "value"),
    ACCEPTED,
    ids=[f"{row[0]}:{row[1]}={row[2]!r}" for row in ACCEPTED],
)
def test_unusual_but_valid_values_are_accepted(
    name: str, path: str, value: Any
) -> None:
    assert CATALOG.validate(_set(_example(name), path, value)) == []
