"""STRICT_FIELDS's judgement: which keys of an event no schema names.

The walk follows the event and its schema together. At each JSON object it
gathers the names that every schema applied there declares (``properties``,
``required``, ``patternProperties``), following ``$ref`` through the catalog's
registry and every branch of ``allOf``/``anyOf``/``oneOf`` and ``if``/``then``/
``else``, then descends into the values it has a schema for. A key none of
those schemas names is "extra". An object whose schema takes any key through an
``additionalProperties`` schema (a map of strings, say), or that no
``properties`` keyword reached, is left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from referencing.jsonschema import DRAFT202012

if TYPE_CHECKING:
    # referencing documents Resolver but exports it only from its core module.
    from referencing._core import Resolver

    SchemaResolver = Resolver[Any]

__all__ = ["undeclared_fields"]

_BRANCHES = ("allOf", "anyOf", "oneOf")
_CONDITIONALS = ("if", "then", "else")


@dataclass
class _Declared:
    """What the schemas applied to one object say about its keys."""

    names: set[str] = field(default_factory=set)
    patterns: list[str] = field(default_factory=list)
    listed: bool = False
    open: bool = False

    def allows(self, key: str) -> bool:
        if self.open or not self.listed or key in self.names:
            return True
        return any(re.search(pattern, key) for pattern in self.patterns)


def undeclared_fields(event: Any, schema: Any, resolver: SchemaResolver) -> list[str]:
    """JSON paths (``$.data.order.x``) of the keys no applied schema names."""
    walk = _Walk()
    walk.visit(schema, event, resolver)

    extras = []
    for path, obj in _objects(event, "$"):
        declared = walk.declared.get(id(obj))
        if declared is not None:
            extras.extend(f"{path}.{key}" for key in obj if not declared.allows(key))
    return extras


class _Walk:
    """One walk of an event with its schema; records names per object."""

    def __init__(self) -> None:
        self.declared: dict[int, _Declared] = {}
        self._seen: set[tuple[int, int]] = set()

    def visit(self, schema: Any, instance: Any, resolver: SchemaResolver) -> None:
        if not isinstance(schema, dict) or (id(schema), id(instance)) in self._seen:
            return
        self._seen.add((id(schema), id(instance)))
        if "$id" in schema:
            resolver = resolver.in_subresource(DRAFT202012.create_resource(schema))

        if "$ref" in schema:
            resolved = resolver.lookup(schema["$ref"])
            self.visit(resolved.contents, instance, resolved.resolver)
        for keyword in _BRANCHES:
            for branch in schema.get(keyword, ()):
                self.visit(branch, instance, resolver)
        for keyword in _CONDITIONALS:
            self.visit(schema.get(keyword), instance, resolver)

        if isinstance(instance, dict):
            self._object(schema, instance, resolver)
        elif isinstance(instance, list):
            self._array(schema, instance, resolver)

    def _object(
        self, schema: dict[str, Any], instance: dict[str, Any], resolver: SchemaResolver
    ) -> None:
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        extra = schema.get("additionalProperties", True)
        declared = self.declared.setdefault(id(instance), _Declared())
        declared.listed = declared.listed or "properties" in schema
        declared.names.update(properties, schema.get("required", ()))
        declared.patterns.extend(patterns)
        declared.open = declared.open or (isinstance(extra, dict) and bool(extra))

        for key, value in instance.items():
            if key in properties:
                self.visit(properties[key], value, resolver)
            for pattern, subschema in patterns.items():
                if re.search(pattern, key):
                    self.visit(subschema, value, resolver)

    def _array(
        self, schema: dict[str, Any], instance: list[Any], resolver: SchemaResolver
    ) -> None:
        prefix = schema.get("prefixItems", ())
        for index, item in enumerate(instance):
            if index < len(prefix):
                self.visit(prefix[index], item, resolver)
            else:
                self.visit(schema.get("items"), item, resolver)


def _objects(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every JSON object inside ``value``, with its path, outermost first."""
    if isinstance(value, dict):
        yield path, value
        for key, item in value.items():
            yield from _objects(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _objects(item, f"{path}[{index}]")
