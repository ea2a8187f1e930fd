"""``chord-webhooks schemas``: list, show and export."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_runner import run, run_unprivileged

from harness.catalog import Catalog
from harness.contract import data_dir, default_contract, load_contract

SCHEMAS = data_dir("schemas")
SHIPPED_FILES = sorted(
    p.relative_to(SCHEMAS).as_posix() for p in SCHEMAS.rglob("*.json")
)


def files_under(folder: Path) -> list[str]:
    return sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
    )


def test_list_is_a_table_of_every_event_type() -> None:
    code, out, err = run(["schemas", "list"])

    header, *rows = out.splitlines()
    assert (code, err) == (0, "")
    assert header.split() == ["NAME", "PROVENANCE", "ALIASES", "DESCRIPTION"]
    assert [row.split()[0] for row in rows] == list(default_contract().event_names)
    assert rows[1].split("  ")[0] == "order_canceled"
    assert "order_cancelled" in rows[1]
    assert rows[3].split()[1:3] == ["chord-page", "-"]
    assert rows[3].endswith(default_contract().events[3].description)
    description_column = header.index("DESCRIPTION")
    assert all(row[description_column - 2 : description_column] == "  " for row in rows)


@pytest.mark.parametrize("name", ["order_canceled", "order_cancelled"])
def test_show_prints_the_schema_as_written(name: str) -> None:
    code, out, _ = run(["schemas", "show", name])

    shown = json.loads(out)
    written = json.loads((SCHEMAS / "order_canceled.schema.json").read_text())
    assert code == 0
    assert shown == written
    assert shown["$ref"] == "defs/envelope.schema.json"


def test_show_an_unknown_type_suggests_the_nearest() -> None:
    code, out, err = run(["schemas", "show", "order_canceld"])

    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "did you mean 'order_canceled'?" in err


def test_export_writes_every_file_with_its_layout(tmp_path: Path) -> None:
    target = tmp_path / "out" / "schemas"

    code, out, _ = run(["schemas", "export", str(target)])

    assert code == 0
    assert out == f"wrote {len(SHIPPED_FILES)} schema files to {target}\n"
    assert files_under(target) == SHIPPED_FILES
    for relative in SHIPPED_FILES:
        assert (target / relative).read_bytes() == (SCHEMAS / relative).read_bytes()


def test_exported_schemas_serve_as_a_contracts_schemas_dir(tmp_path: Path) -> None:
    run(["schemas", "export", str(tmp_path / "schemas")])
    shipped = (data_dir("contracts") / "chord-oms.toml").read_text()
    contract_file = tmp_path / "contract.toml"
    contract_file.write_text(
        shipped.replace(
            'name = "Chord OMS webhooks"', 'name = "x"\nschemas_dir = "schemas"'
        )
    )

    catalog = Catalog(load_contract(contract_file))

    assert catalog.contract.schemas_dir == (tmp_path / "schemas").resolve()
    for name in catalog.types:
        assert all(catalog.is_valid(event) for event in catalog.examples(name))


def test_export_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    run(["schemas", "export", str(tmp_path)])
    edited = tmp_path / "defs" / "money.schema.json"
    edited.write_text("{}")

    code, out, err = run(["schemas", "export", str(tmp_path)])

    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert f"{len(SHIPPED_FILES)} schema file(s) already exist" in err
    assert "pass --force" in err
    assert edited.read_text() == "{}"


def test_export_with_force_overwrites_and_leaves_no_temporary_files(
    tmp_path: Path,
) -> None:
    run(["schemas", "export", str(tmp_path)])
    (tmp_path / "defs" / "money.schema.json").write_text("{}")

    code, _, _ = run(["schemas", "export", str(tmp_path), "--force"])

    assert code == 0
    assert files_under(tmp_path) == SHIPPED_FILES
    money = (tmp_path / "defs" / "money.schema.json").read_bytes()
    assert money == (SCHEMAS / "defs" / "money.schema.json").read_bytes()


def test_export_leaves_other_files_alone(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("mine")

    assert run(["schemas", "export", str(tmp_path)])[0] == 0
    assert (tmp_path / "notes.md").read_text() == "mine"


def _read_only_folder(tmp_path: Path) -> str:
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    return str(folder)


def _under_a_file(tmp_path: Path) -> str:
    (tmp_path / "plain").write_text("a file")
    return str(tmp_path / "plain" / "schemas")


def _a_file(tmp_path: Path) -> str:
    (tmp_path / "plain").write_text("a file")
    return str(tmp_path / "plain")


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        pytest.param(_read_only_folder, "Permission denied", id="read-only"),
        pytest.param(_under_a_file, "cannot write", id="parent-is-a-file"),
        pytest.param(_a_file, "exists and is not a folder", id="target-is-a-file"),
    ],
)
def test_an_unwritable_export_folder_is_misuse(
    tmp_path: Path, setup: Callable[[Path], str], words: str
) -> None:
    target = setup(tmp_path)
    runner = run_unprivileged if setup is _read_only_folder else run

    code, out, err = runner(["schemas", "export", target])

    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert words in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "argv",
    [["schemas"], ["schemas", "show"], ["schemas", "export"], ["schemas", "drop"]],
)
def test_incomplete_commands_are_misuse(argv: list[str]) -> None:
    code, out, err = run(argv)

    assert (code, out) == (2, "")
    assert err.count("\n") == 1
    assert "see 'chord-webhooks schemas" in err


def test_a_bad_contract_is_misuse(tmp_path: Path) -> None:
    (tmp_path / "c.toml").write_text("format = 1\n")

    code, out, err = run(["schemas", "list", "--contract", str(tmp_path / "c.toml")])

    assert (code, out) == (2, "")
    assert "breaks the contract schema" in err
