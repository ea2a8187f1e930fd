"""The catalog: schema loading, the offline registry, validators and violations."""

from __future__ import annotations

import copy
import json
import socket
import textwrap
from pathlib import Path
from typing import Any

import pytest
from jsonschema.exceptions import best_match
from referencing.exceptions import NoSuchResource

from harness.catalog import Catalog, Violation
from harness.contract import data_dir, load_contract
from harness.errors import InputError, SchemaFileError, UnknownEventTypeError

CATALOG = Catalog.default()
DRAFT = "https://json-schema.org/draft/2020-12/schema"
CONTRACT_TEMPLATE = """\
format = 1
name = "catalog test"
schemas_dir = "schemas"

[delivery]
success_codes = [200]
max_attempts = 1
follow_redirects = false
timeout_seconds = 1.0
pauses_seconds = []

[envelope]
id = "id"
type = "{type_key}"
created_at = "created_at"
data = "data"

[[events]]
name = "thing_happened"
schema = "thing.schema.json"
description = "A test event."
provenance = "inferred"
basis = "written for a test"
aliases = ["thing_occurred"]
"""


def user_catalog(
    folder: Path, schemas: dict[str, Any], type_key: str = "type"
) -> Catalog:
    """Build a catalog over user schemas: ``{relative path: JSON value or text}``."""
    for relative, content in schemas.items():
        path = folder / "schemas" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = content if isinstance(content, str) else json.dumps(content)
        path.write_text(text, encoding="utf-8")
    contract = folder / "contract.toml"
    contract.write_text(CONTRACT_TEMPLATE.format(type_key=type_key), encoding="utf-8")
    return Catalog(load_contract(contract))


def example(name: str = "order_completed") -> dict[str, Any]:
    return copy.deepcopy(CATALOG.examples(name)[0])


def test_default_catalog_is_built_once_per_process() -> None:
    assert Catalog.default() is Catalog.default()


def test_validators_are_built_once_and_shared_by_aliases() -> None:
    first = CATALOG.validator("order_canceled")
    assert CATALOG.validator("order_canceled") is first
    assert CATALOG.validator("order_cancelled") is first
    assert CATALOG.validator("order_completed") is not first


def test_every_json_file_of_the_schemas_folder_is_loaded() -> None:
    folder = data_dir("schemas")
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*.json")}
    assert {item.relative for item in CATALOG.files} == on_disk
    assert all(item.uri in CATALOG.registry for item in CATALOG.files)


@pytest.mark.parametrize(
    ("field", "value", "valid"),
    [
        ("at", "2024-05-14T18:22:05.123Z", True),
        ("at", "2024-05-14T18:22:05+02:00", True),
        ("at", "2024-13-14T18:22:05Z", False),
        ("at", "2024-02-30T10:00:00Z", False),
        ("at", "2024-05-14 18:22:05", False),
        ("link", "https://track.easypost.com/djE6dHJr", True),
        ("link", "urn:isbn:0451450523", True),
        ("link", "no scheme here", False),
        ("link", "/relative/path", False),
        ("link", "https://exa mple.com/", False),
    ],
)
def test_formats_are_really_checked(
    tmp_path: Path, field: str, value: str, valid: bool
) -> None:
    schema = {
        "$schema": DRAFT,
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "link": {"type": "string", "format": "uri"},
        },
    }
    catalog = user_catalog(tmp_path, {"thing.schema.json": schema})
    event = {"type": "thing_happened", field: value}

    violations = catalog.validate(event)

    assert catalog.is_valid(event) is valid
    assert (violations == []) is valid
    if not valid:
        assert [(v.json_path, v.validator) for v in violations] == [
            (f"$.{field}", "format")
        ]


def test_violations_come_best_first_then_in_a_stable_order() -> None:
    event = example()
    order = event["data"]["order"]
    order["total"] = "12"
    order["line_items"][0]["quantity"] = 0
    order["ship_address"]["country_iso"] = "usa"
    order["payments"][0]["state"] = "captured"
    del event["id"]

    violations = CATALOG.validate(event)

    errors = list(CATALOG.validator("order_completed").iter_errors(event))
    assert violations[0].json_path == best_match(errors).json_path
    assert sorted(v.json_path for v in violations) == [
        "$",
        "$.data.order.line_items[0].quantity",
        "$.data.order.payments[0].state",
        "$.data.order.ship_address.country_iso",
        "$.data.order.total",
    ]
    rest = [v.json_path for v in violations[1:]]
    assert rest == sorted(rest)
    assert CATALOG.validate(event) == violations


def test_rest_is_ordered_by_position_not_text() -> None:
    event = example()
    items = event["data"]["order"]["line_items"]
    items.extend(copy.deepcopy(items[0]) for _ in range(10))
    for item in items:
        item["quantity"] = 0

    paths = [v.json_path for v in CATALOG.validate(event)]

    indexes = [int(path.split("[")[1].split("]")[0]) for path in paths]
    assert sorted(indexes) == list(range(12))
    assert indexes[1:] == sorted(indexes[1:])


def test_a_nullable_field_reports_the_real_problem_not_the_null_branch() -> None:
    event = example()
    event["data"]["order"]["bill_address"]["zipcode"] = 94103
    event["data"]["order"]["completed_at"] = "2024-05-14"

    violations = CATALOG.validate(event)

    assert sorted((v.json_path, v.schema_path) for v in violations) == [
        ("$.data.order.bill_address.zipcode", "defs/address.schema.json"
         "#/properties/zipcode/type"),
        ("$.data.order.completed_at", "defs/timestamp.schema.json#/format"),
        ("$.data.order.completed_at", "defs/timestamp.schema.json#/pattern"),
    ]  # fmt: skip


def test_violation_renders_as_one_line_with_the_schema_file_and_pointer() -> None:
    event = example()
    event["data"]["order"]["total"] = "12"

    (violation,) = CATALOG.validate(event)

    assert violation == Violation(
        message="'12' does not match '^-?\\\\d+\\\\.\\\\d+$'",
        json_path="$.data.order.total",
        schema_path="defs/money.schema.json#/pattern",
        validator="pattern",
        value="12",
    )
    assert str(violation) == (
        "$.data.order.total: '12' does not match '^-?\\\\d+\\\\.\\\\d+$' "
        "(schema: defs/money.schema.json#/pattern)"
    )


@pytest.mark.parametrize(
    ("path", "value", "schema_path"),
    [
        (
            "payment_state",
            "unpaid",
            "defs/order.schema.json#/$defs/payment_state/enum",
        ),
        (
            "state",
            "canceled",
            "order_completed.schema.json#/properties/data/properties/order"
            "/properties/state/const",
        ),
        ("email", "nobody", "defs/order.schema.json#/$defs/email/format"),
    ],
)
def test_schema_path_follows_refs_into_the_file_that_failed(
    path: str, value: str, schema_path: str
) -> None:
    event = example()
    event["data"]["order"][path] = value

    assert [v.schema_path for v in CATALOG.validate(event)] == [schema_path]


def test_long_values_are_shortened_in_messages() -> None:
    event = example()
    event["data"]["order"]["line_items"] = "x" * 5000

    violations = CATALOG.validate(event)

    assert all(len(v.message) <= 240 for v in violations)
    assert violations[0].value == "x" * 5000


def test_type_of_maps_aliases_to_the_canonical_name() -> None:
    assert CATALOG.type_of({"type": "order_cancelled"}) == "order_canceled"
    assert CATALOG.type_of({"type": "order_finalized"}) == "order_completed"
    assert CATALOG.type_of({"type": "shipment_shipped"}) == "shipment_shipped"


def test_type_of_an_unknown_type_suggests_the_nearest_name() -> None:
    with pytest.raises(UnknownEventTypeError) as caught:
        CATALOG.type_of({"type": "order_complted"})

    assert caught.value.suggestion == "order_completed"
    assert "did you mean 'order_completed'" in str(caught.value)
    assert CATALOG.type_of({"type": "order_complted"}, strict=False) is None


@pytest.mark.parametrize("event", [{}, {"type": 7}, [1, 2], "order_completed", None])
def test_type_of_an_event_without_a_type_says_so(event: Any) -> None:
    with pytest.raises(InputError, match="has no 'type'"):
        CATALOG.type_of(event)
    assert CATALOG.type_of(event, strict=False) is None


@pytest.mark.parametrize(
    ("event", "json_path", "words"),
    [
        ({"id": "evt_1"}, "$", "has no 'type'"),
        ({"type": None}, "$", "is None, not a string"),
        ({"type": "order_complted"}, "$.type", "did you mean 'order_completed'"),
        ([{"type": "order_completed"}], "$", "is an array, not a JSON object"),
        (42, "$", "not a JSON object"),
    ],
)
def test_validate_reports_a_missing_or_unknown_type_as_a_violation(
    event: Any, json_path: str, words: str
) -> None:
    (violation,) = CATALOG.validate(event)

    assert violation.json_path == json_path
    assert words in violation.message
    assert violation.schema_path == "chord-oms.toml#/envelope/type"
    assert not CATALOG.is_valid(event)


def test_an_explicit_type_overrides_the_envelope_and_accepts_aliases() -> None:
    event = example("order_canceled")
    event["type"] = "something_else"

    violations = CATALOG.validate(event, "order_cancelled")

    assert [v.json_path for v in violations] == ["$.type"]
    event["type"] = "order_cancelled"
    assert CATALOG.validate(event, "order_canceled") == []
    assert CATALOG.is_valid(event, "order_cancelled")


def test_an_explicit_unknown_type_is_misuse() -> None:
    with pytest.raises(UnknownEventTypeError):
        CATALOG.validate(example(), "order_done")
    with pytest.raises(UnknownEventTypeError):
        CATALOG.is_valid(example(), "order_done")


def test_is_valid_agrees_with_validate() -> None:
    events = [example(name) for name in CATALOG.types]
    broken = copy.deepcopy(events)
    for event in broken:
        event["created_at"] = "now"
    for event in events + broken:
        assert CATALOG.is_valid(event) is (CATALOG.validate(event) == [])


def test_schema_returns_the_file_as_written_and_a_fresh_copy() -> None:
    schema = CATALOG.schema("order_cancelled")

    assert schema["$ref"] == "defs/envelope.schema.json"
    assert schema["properties"]["data"]["properties"]["order"]["$ref"] == (
        "defs/order.schema.json"
    )
    schema["title"] = "changed"
    assert CATALOG.schema("order_canceled")["title"] == "order_canceled"


def test_user_schemas_without_ids_resolve_relative_refs(tmp_path: Path) -> None:
    catalog = user_catalog(
        tmp_path,
        {
            "thing.schema.json": {
                "type": "object",
                "properties": {"amount": {"$ref": "parts/amount.json"}},
            },
            "parts/amount.json": {"$ref": "number.json#/$defs/positive"},
            "parts/number.json": {"$defs": {"positive": {"minimum": 1}}},
        },
    )

    (violation,) = catalog.validate({"type": "thing_occurred", "amount": 0})

    assert catalog.is_valid({"type": "thing_happened", "amount": 2})
    assert violation.json_path == "$.amount"
    assert violation.schema_path == "parts/number.json#/$defs/positive/minimum"


def test_hidden_files_inside_are_skipped_but_a_hidden_parent_is_fine(
    tmp_path: Path,
) -> None:
    folder = tmp_path / ".config" / "harness"
    catalog = user_catalog(
        folder,
        {
            "thing.schema.json": {"$ref": "parts/code.json"},
            "parts/code.json": {"required": ["code"]},
            ".cache/broken.json": "{not json",
            "parts/.draft.json": "{not json",
        },
    )

    assert {item.relative for item in catalog.files} == {
        "thing.schema.json",
        "parts/code.json",
    }
    assert not catalog.is_valid({"type": "thing_happened"})


def test_nested_ids_are_honoured(tmp_path: Path) -> None:
    catalog = user_catalog(
        tmp_path,
        {
            "thing.schema.json": {
                "$defs": {"code": {"$id": "codes/code.json", "pattern": "^[A-Z]+$"}},
                "properties": {"code": {"$ref": "codes/code.json"}},
            }
        },
    )

    assert catalog.is_valid({"type": "thing_happened", "code": "ABC"})
    assert not catalog.is_valid({"type": "thing_happened", "code": "abc"})


def test_the_contract_names_the_type_key(tmp_path: Path) -> None:
    catalog = user_catalog(tmp_path, {"thing.schema.json": {}}, type_key="event")

    assert catalog.type_of({"event": "thing_occurred"}) == "thing_happened"
    assert catalog.is_valid({"event": "thing_happened"})
    assert not catalog.is_valid({"type": "thing_happened"})


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Fail loudly if anything resolves a host name or opens a connection."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> None:
        attempts.append(args)
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


@pytest.mark.parametrize(
    "ref",
    [
        "https://json-schema.org/draft/2020-12/schema",
        "https://example.com/schemas/other.json",
        "http://127.0.0.1:9/other.json",
    ],
)
def test_a_ref_to_a_remote_uri_fails_at_load_without_touching_the_network(
    tmp_path: Path, no_network: list[Any], ref: str
) -> None:
    schema = {"properties": {"x": {"$ref": ref}}}

    with pytest.raises(SchemaFileError) as caught:
        user_catalog(tmp_path, {"thing.schema.json": schema})

    assert no_network == []
    message = str(caught.value)
    assert "'thing.schema.json'" in message
    assert ref in message
    assert "/properties/x" in message
    assert "never fetched from the network" in message


def test_the_registry_refuses_to_retrieve_unknown_uris(no_network: list[Any]) -> None:
    with pytest.raises(NoSuchResource):
        CATALOG.registry.get_or_retrieve("https://example.com/x.schema.json")
    assert no_network == []


GOOD = {"type": "object"}
SCHEMA_FILE_PROBLEMS = [
    pytest.param(
        {"thing.schema.json": '{\n  "type": "object",\n  "properties": {,}\n}'},
        "is not valid JSON: Expecting property name enclosed in double quotes "
        "at line 3, column 18",
        id="invalid-json",
    ),
    pytest.param(
        {"thing.schema.json": {"type": "strang"}},
        "is not a valid JSON Schema at /type",
        id="not-json-schema",
    ),
    pytest.param(
        {"thing.schema.json": {"properties": {"a": {"pattern": "(unclosed"}}}},
        "is not a valid JSON Schema at /properties/a/pattern",
        id="bad-regex",
    ),
    pytest.param(
        {"thing.schema.json": [GOOD]},
        "holds a list, not a JSON Schema",
        id="array-file",
    ),
    pytest.param(
        {"thing.schema.json": {"$ref": "defs/missing.json"}},
        "$ref 'defs/missing.json' at / does not resolve",
        id="missing-ref-file",
    ),
    pytest.param(
        {"thing.schema.json": {"items": {"$ref": "#/$defs/nope"}}},
        "$ref '#/$defs/nope' at /items does not resolve",
        id="pointer-to-nowhere",
    ),
    pytest.param(
        {"thing.schema.json": {"title": "a string", "$ref": "#/title"}},
        "points at something that is not a schema",
        id="ref-to-non-schema",
    ),
    pytest.param(
        {
            "thing.schema.json": GOOD,
            "defs/unused.json": {"properties": {"a": {"$ref": "gone.json"}}},
        },
        "'defs/unused.json': $ref 'gone.json' at /properties/a does not resolve",
        id="bad-ref-in-unreferenced-file",
    ),
    pytest.param(
        {
            "thing.schema.json": {"$id": "https://example.org/a.json"},
            "other.json": {"$id": "https://example.org/a.json"},
        },
        "uses the $id 'https://example.org/a.json' of another file",
        id="duplicate-id",
    ),
    pytest.param(
        {"thing.schema.json": {"$schema": "http://json-schema.org/draft-07/schema#"}},
        "declares $schema 'http://json-schema.org/draft-07/schema#'",
        id="other-dialect",
    ),
    pytest.param(
        {"thing.schema.json": '{"minimum": NaN}'},
        "is not valid JSON: NaN is not valid JSON",
        id="nan",
    ),
]


@pytest.mark.parametrize(("schemas", "words"), SCHEMA_FILE_PROBLEMS)
def test_schema_file_problems_raise_one_line_with_a_remedy(
    tmp_path: Path, schemas: dict[str, Any], words: str
) -> None:
    with pytest.raises(SchemaFileError) as caught:
        user_catalog(tmp_path, schemas)

    message = str(caught.value)
    assert words in message
    assert "\n" not in message
    assert caught.value.remedy
    assert caught.value.exit_code == 2


def test_a_schema_file_removed_after_the_contract_loaded(tmp_path: Path) -> None:
    user_catalog(tmp_path, {"thing.schema.json": GOOD})
    contract = load_contract(tmp_path / "contract.toml")
    (tmp_path / "schemas" / "thing.schema.json").unlink()

    with pytest.raises(SchemaFileError, match=r"'thing\.schema\.json' not found"):
        Catalog(contract)


def test_a_boolean_schema_file_is_a_valid_schema(tmp_path: Path) -> None:
    catalog = user_catalog(tmp_path, {"thing.schema.json": "false"})

    (violation,) = catalog.validate({"type": "thing_happened"})
    assert (violation.validator, violation.schema_path) == ("false", "#")
    assert not catalog.is_valid({"type": "thing_happened"})


def test_deep_nesting_is_a_schema_file_error(tmp_path: Path) -> None:
    deep = '{"not": ' * 5000 + "{}" + "}" * 5000

    with pytest.raises(SchemaFileError):
        user_catalog(tmp_path, {"thing.schema.json": deep})


def test_contract_file_is_reported_in_the_type_violation(tmp_path: Path) -> None:
    catalog = user_catalog(tmp_path, {"thing.schema.json": GOOD})
    (violation,) = catalog.validate({"id": "x"})
    assert violation.schema_path == "contract.toml#/envelope/type"
    assert textwrap.shorten(str(violation), 500) == str(violation)
