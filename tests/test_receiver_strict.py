"""STRICT_FIELDS's walk: which keys no schema applied to their object names."""

from __future__ import annotations

from typing import Any

import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from harness.receiver.strict import undeclared_fields

BASE = "https://strict.invalid/"


def extras(schema: dict[str, Any], event: Any, **shared: dict[str, Any]) -> list[str]:
    """Walk ``event`` with ``schema``; ``shared`` are more files by name."""
    resources = [
        (BASE + name, DRAFT202012.create_resource(contents))
        for name, contents in shared.items()
    ]
    registry = Registry().with_resources(resources)
    root = {"$id": BASE + "root", **schema}
    return undeclared_fields(event, root, registry.resolver())


def test_keys_named_beside_and_behind_a_ref_are_both_declared() -> None:
    schema = {"$ref": "envelope", "properties": {"type": {"const": "x"}}}
    envelope = {"properties": {"id": {}, "data": {}}, "required": ["created_at"]}
    event = {"id": "e", "type": "x", "created_at": "t", "data": {}, "extra": 1}

    assert extras(schema, event, envelope=envelope) == ["$.extra"]


def test_every_branch_of_all_any_one_of_and_if_then_else_declares() -> None:
    schema = {
        "allOf": [{"properties": {"a": {}}}, {"properties": {"b": {}}}],
        "anyOf": [{"properties": {"c": {}}}],
        "oneOf": [{"properties": {"d": {}}}],
        "if": {"properties": {"e": {}}},
        "then": {"properties": {"f": {}}},
        "else": {"properties": {"g": {}}},
    }
    event = dict.fromkeys("abcdefgh", 1)

    assert extras(schema, event) == ["$.h"]


def test_nested_objects_and_array_items_are_walked() -> None:
    schema = {
        "properties": {
            "items": {"items": {"properties": {"sku": {}}}},
            "pair": {"prefixItems": [{"properties": {"left": {}}}]},
        }
    }
    event = {
        "items": [{"sku": 1}, {"sku": 2, "color": "red"}],
        "pair": [{"left": 1, "right": 2}, {"free": True}],
    }

    assert extras(schema, event) == ["$.items[1].color", "$.pair[0].right"]


def test_pattern_properties_and_free_form_maps_allow_their_keys() -> None:
    schema = {
        "properties": {
            "labels": {"patternProperties": {"^x-": {}}, "properties": {}},
            "metadata": {"properties": {}, "additionalProperties": {"type": "string"}},
        }
    }
    event = {"labels": {"x-one": 1, "two": 2}, "metadata": {"anything": "ok"}}

    assert extras(schema, event) == ["$.labels.two"]


def test_an_object_no_properties_keyword_reached_is_left_alone() -> None:
    schema = {"properties": {"data": {"type": "object"}}}
    assert extras(schema, {"data": {"whatever": 1}}) == []


def test_a_recursive_ref_ends() -> None:
    node = {"properties": {"name": {}, "child": {"$ref": "node"}}, "$ref": "node"}
    event = {"name": "a", "child": {"name": "b", "child": {"name": "c", "age": 3}}}

    assert extras(node, event, node=node) == ["$.child.child.age"]


@pytest.mark.parametrize("event", [[], "text", 3, None])
def test_a_value_that_is_not_an_object_has_no_extras(event: Any) -> None:
    assert extras({"properties": {"a": {}}}, event) == []
