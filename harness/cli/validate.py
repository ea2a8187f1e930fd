"""``chord-webhooks validate``: check event payloads against the catalog's schemas.

Inputs are ``.json`` files (one event or an array of events), ``.jsonl``
files (one event per line), folders of both, and ``-`` for JSON Lines on
stdin.  Malformed JSON is an invalid payload (exit 1); input that cannot be
read at all is misuse (exit 2).
"""

from __future__ import annotations

import argparse
import json
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.catalog import Catalog, Violation
from harness.cli.console import Console
from harness.contract import load_contract
from harness.envelope import event_id, event_type
from harness.errors import InputError

__all__ = ["register", "run"]

STDIN = "-"
_LINE_SUFFIXES = frozenset({".jsonl", ".ndjson"})
_FOLDER_PATTERNS = ("*.json", "*.jsonl")
_REMEDY = "pass .json or .jsonl files, folders holding them, or - for stdin"


@dataclass(frozen=True)
class _Item:
    """One event read from an input, or the reason it could not be parsed."""

    source: str
    line: int | None = None
    index: int | None = None
    event: Any = None
    parse_error: str | None = None

    @property
    def where(self) -> str:
        if self.line is not None:
            return f"{self.source}:{self.line}"
        if self.index is not None:
            return f"{self.source}[{self.index}]"
        return self.source


@dataclass
class _Tally:
    valid: int = 0
    invalid: int = 0
    records: list[dict[str, Any]] = field(default_factory=list)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check event payloads against the event schemas",
        description="Check events against the schemas of the contract's catalog. "
        "Exit 0 all valid, 1 some invalid, 2 unreadable input or misuse.",
    )
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help=".json file (an event or an array of events), .jsonl file, folder, "
        "or - for JSON Lines on stdin",
    )
    parser.add_argument(
        "--type",
        dest="event_type",
        metavar="TYPE",
        help="validate every event as this type (name or alias) instead of the "
        "type in its envelope",
    )
    parser.add_argument("--contract", metavar="FILE", help="a contract TOML file")
    parser.add_argument(
        "--json", action="store_true", help="print the results as one JSON document"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, console: Console) -> int:
    if args.contract is None:
        catalog = Catalog.default()
    else:
        catalog = Catalog(load_contract(args.contract))
    forced = catalog.canonical(args.event_type) if args.event_type else None
    sources = [_source(arg) for arg in args.paths]
    files = [path for source in sources for path in source]

    tally = _Tally()
    for path in files:
        for item in _read(path):
            _check(catalog, forced, item, tally, console, args.json)

    if args.json:
        console.json(
            {"valid": tally.valid, "invalid": tally.invalid, "events": tally.records}
        )
    else:
        console.line(f"{tally.valid} valid, {tally.invalid} invalid")
    return 1 if tally.invalid else 0


def _source(arg: str) -> list[str | Path]:
    """The files one PATH argument stands for, checked before any is read."""
    if arg == STDIN:
        return [STDIN]
    path = Path(arg)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        raise InputError(f"path {arg!r} not found", remedy=_REMEDY) from None
    except OSError as exc:
        raise InputError(f"path {arg!r} cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        found = sorted(
            {p for pattern in _FOLDER_PATTERNS for p in path.rglob(pattern)},
            key=lambda p: p.as_posix(),
        )
        files = [p for p in found if p.is_file()]
        if not files:
            raise InputError(
                f"folder {arg!r} has no .json or .jsonl files", remedy=_REMEDY
            )
        for file in files:
            _check_readable(file)
        return list(files)
    _check_readable(path)
    return [path]


def _check_readable(path: Path) -> None:
    if not stat.S_ISREG(path.stat().st_mode):
        raise InputError(f"{str(path)!r} is not a regular file", remedy=_REMEDY)
    try:
        with path.open("rb") as handle:
            empty = not handle.read(1)
    except OSError as exc:
        raise InputError(
            f"file {str(path)!r} cannot be read ({exc.strerror or exc})",
            remedy="check its permissions",
        ) from None
    if empty:
        raise InputError(f"file {str(path)!r} is empty", remedy="give it an event")


def _read(path: str | Path) -> Iterator[_Item]:
    if path == STDIN:
        stream = getattr(sys.stdin, "buffer", None)
        data = stream.read() if stream else sys.stdin.read().encode()
        items = list(_read_lines(STDIN, data.splitlines()))
        if not items:
            raise InputError("no events on stdin", remedy="pipe in JSON Lines")
        yield from items
        return
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"file {name!r} cannot be read ({exc.strerror})") from None
    if Path(path).suffix.lower() in _LINE_SUFFIXES:
        items = _read_lines(name, data.splitlines())
    else:
        items = _read_document(name, data)
    empty = True
    for item in items:
        empty = False
        yield item
    if empty:
        raise InputError(f"file {name!r} holds no events", remedy="give it an event")


def _read_lines(name: str, lines: list[bytes]) -> Iterator[_Item]:
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        if number == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        event, problem, _ = _parse(raw, line_offset=number - 1)
        yield _Item(name, line=number, event=event, parse_error=problem)


def _read_document(name: str, data: bytes) -> Iterator[_Item]:
    if not data.strip():
        return
    event, problem, line = _parse(data.removeprefix(b"\xef\xbb\xbf"))
    if problem is not None:
        yield _Item(name, line=line, parse_error=problem)
    elif isinstance(event, list):
        for index, element in enumerate(event):
            yield _Item(name, index=index, event=element)
    else:
        yield _Item(name, event=event)


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in JSON")


def _parse(raw: bytes, line_offset: int = 0) -> tuple[Any, str | None, int | None]:
    """Parse one JSON text: the value, or why it is not JSON and on which line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1 + line_offset
        byte = raw[exc.start]
        return None, f"not UTF-8 text (byte {byte:#04x} at offset {exc.start})", line
    try:
        return json.loads(text, parse_constant=_reject_constant), None, None
    except json.JSONDecodeError as exc:
        line = exc.lineno + line_offset
        return (
            None,
            f"not valid JSON: {exc.msg} (line {line}, column {exc.colno})",
            line,
        )
    except (ValueError, RecursionError) as exc:
        return None, f"not valid JSON: {exc or 'nested too deeply'}", None


def _check(
    catalog: Catalog,
    forced: str | None,
    item: _Item,
    tally: _Tally,
    console: Console,
    as_json: bool,
) -> None:
    keys = catalog.contract.envelope
    if item.parse_error is None:
        violations = catalog.validate(item.event, forced)
    else:
        violations = [Violation(item.parse_error, "$", "", "json", None)]
    declared = event_type(item.event, keys)
    name = forced or catalog.type_of(item.event, strict=False) or declared
    identifier = event_id(item.event, keys)

    if violations:
        tally.invalid += 1
    else:
        tally.valid += 1
    if as_json:
        tally.records.append(
            {
                "source": item.source,
                "line": item.line,
                "index": item.index,
                "type": name,
                "id": identifier,
                "valid": not violations,
                "violations": [_violation_record(v) for v in violations],
            }
        )
        return
    if not violations:
        return
    headline = violations[0]
    more = f" (+{len(violations) - 1} more)" if len(violations) > 1 else ""
    summary = headline.message
    if headline.schema_path:
        summary = f"{headline.json_path}: {summary}"
    label = f"{name or '?'} {identifier or '(no id)'}"
    console.line(f"{item.where}: {label}: {summary}{more}")
    for violation in violations:
        if violation.schema_path:
            console.line(f"    {violation}")


def _violation_record(violation: Violation) -> dict[str, Any]:
    return {
        "json_path": violation.json_path,
        "message": violation.message,
        "schema_path": violation.schema_path or None,
        "validator": violation.validator,
        "value": violation.value,
    }
