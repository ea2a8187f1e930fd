"""``chord-webhooks schemas``: list, show and export the event schemas."""

from __future__ import annotations

import argparse
from pathlib import Path, PurePosixPath

from harness.catalog import Catalog, SchemaFile
from harness.cli.console import Console
from harness.contract import load_contract
from harness.errors import InputError, UsageError
from harness.files import write_atomically

__all__ = ["register", "run_export", "run_list", "run_show"]

_COLUMNS = ("NAME", "PROVENANCE", "ALIASES", "DESCRIPTION")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "schemas",
        help="list, show or export the event schemas",
        description="The event types of the contract's catalog and their JSON "
        "Schemas (Draft 2020-12).",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True

    listing = actions.add_parser("list", help="a table of the event types")
    listing.set_defaults(run=run_list)

    show = actions.add_parser("show", help="print one event type's schema")
    show.add_argument("event_type", metavar="TYPE", help="event type name or alias")
    show.set_defaults(run=run_show)

    export = actions.add_parser(
        "export", help="write every schema file, shared definitions included"
    )
    export.add_argument("directory", metavar="DIR", help="folder to write into")
    export.add_argument(
        "--force", action="store_true", help="overwrite files that already exist"
    )
    export.set_defaults(run=run_export)

    for sub in (listing, show, export):
        sub.add_argument("--contract", metavar="FILE", help="a contract TOML file")


def _catalog(args: argparse.Namespace) -> Catalog:
    if args.contract is None:
        return Catalog.default()
    return Catalog(load_contract(args.contract))


def run_list(args: argparse.Namespace, console: Console) -> int:
    catalog = _catalog(args)
    rows = [_COLUMNS]
    for spec in catalog.contract.events:
        aliases = ", ".join(spec.aliases) or "-"
        rows.append((spec.name, spec.provenance, aliases, spec.description))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        console.line("  ".join([*cells, row[3]]))
    return 0


def run_show(args: argparse.Namespace, console: Console) -> int:
    catalog = _catalog(args)
    console.json(catalog.schema(args.event_type))
    return 0


def run_export(args: argparse.Namespace, console: Console) -> int:
    catalog = _catalog(args)
    target = Path(args.directory)
    plan = [(target / _export_name(item), item) for item in catalog.files]
    try:
        if target.exists() and not target.is_dir():
            raise InputError(
                f"{args.directory!r} exists and is not a folder",
                remedy="give a folder to export into",
            )
        existing = [path for path, _ in plan if path.exists()]
    except OSError as exc:
        raise InputError(
            f"cannot look into {args.directory!r} ({exc.strerror or exc})",
            remedy="choose a folder you can write to",
        ) from None
    if existing and not args.force:
        raise UsageError(
            f"{len(existing)} schema file(s) already exist in {args.directory!r}, "
            f"e.g. {str(existing[0])!r}",
            remedy="pass --force to overwrite them, or export into an empty folder",
        )

    for path, item in plan:
        _write_file(path, item.path.read_bytes())
    console.line(f"wrote {len(plan)} schema files to {args.directory}")
    return 0


def _export_name(item: SchemaFile) -> PurePosixPath:
    """Where a file goes under the export folder: its place in the schemas folder.

    A schema the contract names from outside its schemas folder goes to the
    top level under its own file name.
    """
    relative = PurePosixPath(item.relative)
    if relative.is_absolute() or ".." in relative.parts:
        return PurePosixPath(relative.name)
    return relative


def _write_file(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot write {str(path)!r} ({exc.strerror or exc})",
            remedy="choose a folder you can write to",
        ) from None
    write_atomically(path, data)
