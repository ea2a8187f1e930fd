"""``chord-webhooks validate``: files, folders, JSON Lines, stdin, exit codes."""

from __future__ import annotations

import copy
import io
import json
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_runner import run, run_unprivileged

from harness.catalog import Catalog
from harness.contract import data_dir

CATALOG = Catalog.default()


def example(name: str = "order_completed") -> dict[str, Any]:
    return copy.deepcopy(CATALOG.examples(name)[0])


def write(path: Path, content: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_text(json.dumps(content, indent=2), encoding="utf-8")
    return path


def lines(*events: Any) -> str:
    return "".join((e if isinstance(e, str) else json.dumps(e)) + "\n" for e in events)


def broken(name: str = "order_completed") -> dict[str, Any]:
    event = example(name)
    event["data"]["order"]["total"] = "12"
    event["created_at"] = "later"
    return event


@pytest.mark.parametrize("name", CATALOG.types)
def test_a_valid_event_file_exits_0(tmp_path: Path, name: str) -> None:
    path = write(tmp_path / "event.json", example(name))

    assert run(["validate", str(path)]) == (0, "1 valid, 0 invalid\n", "")


def test_an_invalid_event_is_one_header_line_then_each_violation(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "event.json", broken())

    code, out, err = run(["validate", str(path)])

    header, *details, summary = out.splitlines()
    violations = CATALOG.validate(broken())
    assert code == 1
    assert err == ""
    assert header == (
        f"{path}: order_completed evt_5f0c2a9d8e7b4c1a9f3e6d2b8a7c4e10: "
        f"{violations[0].json_path}: {violations[0].message} "
        f"(+{len(violations) - 1} more)"
    )
    assert details == [f"    {v}" for v in violations]
    assert {d.split(":")[0].strip() for d in details} == {
        "$.created_at",
        "$.data.order.total",
    }
    assert summary == "0 valid, 1 invalid"


def test_an_array_file_reports_each_event_by_index(tmp_path: Path) -> None:
    path = write(tmp_path / "events.json", [example(), broken(), example()])

    code, out, _ = run(["validate", str(path)])

    assert code == 1
    assert out.splitlines()[0].startswith(f"{path}[1]: order_completed evt_")
    assert out.splitlines()[-1] == "2 valid, 1 invalid"


def test_a_folder_is_searched_recursively_in_sorted_order(tmp_path: Path) -> None:
    write(tmp_path / "b" / "late.json", broken())
    write(tmp_path / "a" / "deep" / "more.jsonl", lines(example(), broken()))
    write(tmp_path / "a" / "first.json", broken("order_canceled"))
    write(tmp_path / "notes.txt", "not an event")

    code, out, _ = run(["validate", str(tmp_path)])

    headers = [line.split(": ")[0] for line in out.splitlines() if line[0] != " "]
    assert code == 1
    assert headers == [
        f"{tmp_path}/a/deep/more.jsonl:2",
        f"{tmp_path}/a/first.json",
        f"{tmp_path}/b/late.json",
        "1 valid, 3 invalid",
    ]


def test_one_bad_json_line_is_reported_and_the_rest_still_checked(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "events.jsonl",
        lines(example(), "", '{"id": "evt_1", "type": ', broken(), example()),
    )

    code, out, _ = run(["validate", str(path)])

    report = out.splitlines()
    assert code == 1
    assert report[0] == (
        f"{path}:3: ? (no id): not valid JSON: Expecting value (line 3, column 25)"
    )
    assert report[1].startswith(f"{path}:4: order_completed evt_")
    assert report[-1] == "2 valid, 2 invalid"


def test_malformed_json_is_an_invalid_payload_with_line_and_column(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "event.json", '{\n  "id": "evt_1",\n  "type": ,\n}')

    code, out, err = run(["validate", str(path)])

    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"{path}:3: ? (no id): not valid JSON: Expecting value (line 3, column 11)",
        "0 valid, 1 invalid",
    ]


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"id": "\xff"}', "not UTF-8 text (byte 0xff at offset 8)"),
        (b'{"total": NaN}', "not valid JSON: NaN is not allowed in JSON"),
        (b"[1, 2", "not valid JSON: Expecting ',' delimiter"),
    ],
)
def test_bytes_that_are_not_json_are_invalid_payloads(
    tmp_path: Path, content: bytes, words: str
) -> None:
    path = write(tmp_path / "event.json", content)

    code, out, err = run(["validate", str(path)])

    assert (code, err) == (1, "")
    assert words in out


def test_a_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = write(tmp_path / "e.json", b"\xef\xbb\xbf" + json.dumps(example()).encode())
    assert run(["validate", str(path)])[0] == 0


def test_an_unknown_envelope_type_is_invalid_with_a_suggestion(
    tmp_path: Path,
) -> None:
    event = example()
    event["type"] = "order_complted"
    path = write(tmp_path / "event.json", event)

    code, out, _ = run(["validate", str(path)])

    assert code == 1
    assert out.splitlines()[0] == (
        f"{path}: order_complted evt_5f0c2a9d8e7b4c1a9f3e6d2b8a7c4e10: $.type: "
        "unknown event type 'order_complted': did you mean 'order_completed'? "
        "known types: order_canceled, order_completed, shipment_shipped, "
        "shipping_delivery_status_updated"
    )


def test_type_flag_accepts_aliases_and_overrides_the_envelope(
    tmp_path: Path,
) -> None:
    event = example("order_canceled")
    del event["type"]
    path = write(tmp_path / "event.json", event)

    code, out, _ = run(["validate", str(path), "--type", "order_cancelled"])

    assert code == 1
    assert out.splitlines()[:2] == [
        f"{path}: order_canceled evt_8b1d4f6a2c9e4e7f8a0b3c5d7e9f1a24: "
        "$: 'type' is a required property",
        "    $: 'type' is a required property "
        "(schema: defs/envelope.schema.json#/required)",
    ]
    event["type"] = "order_cancelled"
    write(path, event)
    assert run(["validate", str(path), "--type", "order_canceled"])[0] == 0


def test_stdin_is_read_as_json_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    data = lines(example("shipment_shipped"), "not json", example()).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))

    code, out, _ = run(["validate", "-"])

    assert code == 1
    assert out.splitlines()[0].startswith("-:2: ? (no id): not valid JSON")
    assert out.splitlines()[-1] == "2 valid, 1 invalid"


def test_json_output_lists_every_event_with_its_violations(tmp_path: Path) -> None:
    path = write(tmp_path / "events.jsonl", lines(example(), broken(), "{"))

    code, out, _ = run(["validate", str(path), "--json"])

    report = json.loads(out)
    assert code == 1
    assert (report["valid"], report["invalid"]) == (1, 2)
    first, second, third = report["events"]
    assert first == {
        "source": str(path),
        "line": 1,
        "index": None,
        "type": "order_completed",
        "id": "evt_5f0c2a9d8e7b4c1a9f3e6d2b8a7c4e10",
        "valid": True,
        "violations": [],
    }
    assert [v["json_path"] for v in second["violations"]] == [
        v.json_path for v in CATALOG.validate(broken())
    ]
    assert second["violations"][0].keys() == {
        "json_path",
        "message",
        "schema_path",
        "validator",
        "value",
    }
    assert third["violations"][0]["validator"] == "json"
    assert third["line"] == 3


def _contract_with_schema(tmp_path: Path, schema: Any) -> str:
    (tmp_path / "schemas").mkdir()
    write(tmp_path / "schemas" / "thing.json", schema)
    return str(
        write(
            tmp_path / "contract.toml",
            """format = 1
name = "user"
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
schema = "thing.json"
description = "d"
provenance = "inferred"
basis = "b"
""",
        )
    )


def test_a_user_contract_validates_against_its_own_schemas(tmp_path: Path) -> None:
    contract = _contract_with_schema(tmp_path, {"required": ["id"]})
    path = write(
        tmp_path / "e.jsonl", lines({"type": "thing", "id": "1"}, {"type": "thing"})
    )

    code, out, _ = run(["validate", str(path), "--contract", contract])

    assert code == 1
    assert out.splitlines()[-1] == "1 valid, 1 invalid"
    assert "(schema: thing.json#/required)" in out


def _shipped_contract(tmp_path: Path, old: str, new: str) -> str:
    text = (data_dir("contracts") / "chord-oms.toml").read_text(encoding="utf-8")
    assert old in text
    schemas = data_dir("schemas")
    text = text.replace(old, new, 1).replace(
        'name = "Chord OMS webhooks"',
        f'name = "copy"\nschemas_dir = "{schemas}"',
    )
    return str(write(tmp_path / "contract.toml", text))


def _unix_socket(tmp_path: Path) -> Path:
    path = tmp_path / "events.json"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.close()
    return path


def _unreadable(tmp_path: Path) -> Path:
    path = write(tmp_path / "secret.json", example())
    path.chmod(0)
    return path


Setup = Callable[[Path], list[str]]


def _permission_denied(tmp_path: Path) -> list[str]:
    return [str(_unreadable(tmp_path))]


MISUSE: list[tuple[str, Setup, str]] = [
    ("missing-path", lambda t: [str(t / "nope.json")], "not found"),
    (
        "folder-without-json",
        lambda t: [str(write(t / "d" / "notes.txt", "x").parent)],
        "has no .json or .jsonl files",
    ),
    ("permission-denied", _permission_denied, "Permission denied"),
    ("not-a-regular-file", lambda t: [str(_unix_socket(t))], "not a regular file"),
    ("empty-file", lambda t: [str(write(t / "e.json", ""))], "is empty"),
    ("blank-file", lambda t: [str(write(t / "e.json", " \n\t\n"))], "holds no events"),
    ("blank-lines", lambda t: [str(write(t / "e.jsonl", "\n\n"))], "holds no events"),
    ("empty-array", lambda t: [str(write(t / "e.json", "[]"))], "holds no events"),
    (
        "unknown-type-flag",
        lambda t: [str(write(t / "e.json", example())), "--type", "order_done"],
        "unknown event type 'order_done'",
    ),
    (
        "contract-missing",
        lambda t: ["x.json", "--contract", str(t / "nope.toml")],
        "contract file",
    ),
    (
        "contract-bad-toml",
        lambda t: ["x.json", "--contract", str(write(t / "c.toml", "[delivery"))],
        "is not valid TOML",
    ),
    (
        "contract-code-999",
        lambda t: [
            "x",
            "--contract",
            _shipped_contract(t, "codes = [200", "codes = [999"),
        ],
        "success_codes",
    ),
    (
        "contract-zero-attempts",
        lambda t: [
            "x",
            "--contract",
            _shipped_contract(t, "max_attempts = 6", "max_attempts = 0"),
        ],
        "max_attempts",
    ),
    (
        "contract-negative-timeout",
        lambda t: [
            "x",
            "--contract",
            _shipped_contract(t, "timeout_seconds = 10.0", "timeout_seconds = -1"),
        ],
        "timeout_seconds",
    ),
    (
        "contract-schema-missing",
        lambda t: [
            "x",
            "--contract",
            _shipped_contract(t, '"order_canceled.schema.json"', '"gone.json"'),
        ],
        "schema 'gone.json' of event type 'order_canceled' not found",
    ),
    (
        "user-schema-bad-ref",
        lambda t: [
            "x",
            "--contract",
            _contract_with_schema(t, {"$ref": "https://example.com/s.json"}),
        ],
        "does not resolve",
    ),
    (
        "user-schema-not-json-schema",
        lambda t: ["x", "--contract", _contract_with_schema(t, {"minimum": "one"})],
        "is not a valid JSON Schema at /minimum",
    ),
    ("no-path", lambda t: [], "the following arguments are required: PATH"),
    ("unknown-flag", lambda t: ["x.json", "--colour"], "unrecognized arguments"),
]


@pytest.mark.parametrize(
    ("setup", "words"),
    [pytest.param(setup, words, id=name) for name, setup, words in MISUSE],
)
def test_misuse_exits_2_with_one_line_naming_the_remedy(
    tmp_path: Path, setup: Setup, words: str
) -> None:
    argv = ["validate", *setup(tmp_path)]
    runner = run_unprivileged if setup is _permission_denied else run

    code, out, err = runner(argv)

    assert code == 2, err
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("chord-webhooks: error: ")
    assert words in err
    assert "Traceback" not in err


def test_empty_stdin_is_misuse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\n")))

    code, out, err = run(["validate", "-"])

    assert (code, out) == (2, "")
    assert err == "chord-webhooks: error: no events on stdin: pipe in JSON Lines\n"
