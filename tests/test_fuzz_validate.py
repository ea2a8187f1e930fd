"""Fuzzing: whatever the input, ``validate`` and the schema loader stay in bounds."""

from __future__ import annotations

import copy
import io
import json
import socket
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.catalog import Catalog, Violation
from harness.cli import main
from harness.contract import load_contract
from harness.errors import SchemaFileError

CATALOG = Catalog.default()
FUZZ = settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
JSON = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
TYPED_EVENTS = st.fixed_dictionaries(
    {
        "id": st.text(max_size=8),
        "type": st.sampled_from([*CATALOG.types, "order_cancelled", "nope"]),
        "created_at": st.text(max_size=30),
        "data": JSON,
    }
)
CONTRACT = """\
format = 1
name = "fuzz"
schemas_dir = "schemas"
[delivery]
success_codes = [200]
max_attempts = 1
follow_redirects = false
timeout_seconds = 1.0
pauses_seconds = []
[envelope]
id = "id"
type = "type"
created_at = "created_at"
data = "data"
[[events]]
name = "thing"
schema = "thing.schema.json"
description = "fuzzed"
provenance = "inferred"
basis = "hypothesis"
"""


def run_validate(path: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", str(path)], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def assert_in_bounds(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2)
    assert "Traceback" not in out + err
    if code == 2:
        assert out == ""
        assert err.count("\n") == 1
    else:
        assert err == ""
        assert out.splitlines()[-1].endswith(" invalid")


def validate_file(name: str, data: bytes) -> tuple[int, str, str]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        return run_validate(path)


@FUZZ
@given(value=JSON | TYPED_EVENTS, name=st.sampled_from(["e.json", "e.jsonl"]))
def test_random_json_gives_exit_0_1_or_2(value: Any, name: str) -> None:
    assert_in_bounds(*validate_file(name, json.dumps(value).encode()))


@FUZZ
@given(data=st.binary(max_size=300), name=st.sampled_from(["e.json", "e.jsonl"]))
def test_random_bytes_give_exit_0_1_or_2(data: bytes, name: str) -> None:
    assert_in_bounds(*validate_file(name, data))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


EXAMPLES = [event for name in CATALOG.types for event in CATALOG.examples(name)]


@FUZZ
@given(
    example=st.sampled_from(EXAMPLES),
    pick=st.integers(min_value=0),
    value=JSON,
)
def test_a_mutated_example_gives_violations_never_an_exception(
    example: dict[str, Any], pick: int, value: Any
) -> None:
    event = copy.deepcopy(example)
    paths = _paths(event)[1:]
    *parents, last = paths[pick % len(paths)]
    node = event
    for part in parents:
        node = node[part]
    node[last] = value

    violations = CATALOG.validate(event)

    assert all(isinstance(v, Violation) and "\n" not in str(v) for v in violations)
    assert CATALOG.is_valid(event) is (violations == [])


KEYWORDS = st.sampled_from(
    [
        "$ref", "$id", "$defs", "$schema", "$anchor", "$dynamicRef",
        "$dynamicAnchor", "type", "properties", "patternProperties", "items",
        "prefixItems", "additionalProperties", "anyOf", "allOf", "oneOf", "not",
        "if", "then", "else", "enum", "const", "required", "pattern", "format",
        "minimum", "maxLength", "dependentSchemas", "unevaluatedProperties",
    ]
)  # fmt: skip
SCHEMA_WORDS = st.sampled_from(
    [
        "#", "#/$defs/a", "#/properties", "#a", "a", "other.json",
        "https://example.com/x.json", "http://127.0.0.1:9/x", "urn:x",
        "string", "object", "array", "null", "date-time", "uri", "email",
        "^[a-z]+$", "(", "https://json-schema.org/draft/2020-12/schema",
    ]
)  # fmt: skip
SCHEMAS = st.recursive(
    LEAVES | SCHEMA_WORDS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(KEYWORDS | st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=15,
)


@FUZZ
@given(schema=SCHEMAS | JSON, instance=JSON)
def test_random_json_as_a_schema_file_is_a_catalog_or_a_schema_file_error(
    schema: Any, instance: Any
) -> None:
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket, "getaddrinfo", _no_network)
        mp.setattr(socket.socket, "connect", _no_network)
        root = Path(folder)
        (root / "schemas").mkdir()
        (root / "schemas" / "thing.schema.json").write_text(json.dumps(schema))
        (root / "contract.toml").write_text(CONTRACT)
        contract = load_contract(root / "contract.toml")
        try:
            catalog = Catalog(contract)
        except SchemaFileError as exc:
            problem = str(exc)
        else:
            problem = None
        if problem is not None:
            assert "\n" not in problem
            return
        event = {"type": "thing", "payload": instance}
        violations = catalog.validate(event)
        assert catalog.is_valid(event) is (violations == [])
        assert all(isinstance(v, Violation) for v in violations)


def _no_network(*args: Any) -> None:
    raise AssertionError(f"network access attempted: {args!r}")
