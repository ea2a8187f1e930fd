"""The package root's public surface: sorted, complete, and importable."""

from __future__ import annotations

import ast
from pathlib import Path

import harness


def test_all_is_sorted_and_names_only_what_exists() -> None:
    names = [name for name in harness.__all__ if name != "__version__"]

    assert names == sorted(names, key=lambda n: (not n.isupper(), n))
    assert all(hasattr(harness, name) for name in harness.__all__)


def test_every_name_imported_at_the_root_is_exported() -> None:
    tree = ast.parse(Path(harness.__file__).read_text(encoding="utf-8"))
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("harness")
        for alias in node.names
    }

    assert imported == set(harness.__all__) - {"__version__"}
