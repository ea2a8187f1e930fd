"""The event catalog: the contract's event types, their schemas, and validation.

Every JSON file under the contract's ``schemas_dir`` is loaded once into a
``referencing`` registry that never fetches anything: a ``$ref`` must point at
one of those files.  Every ``$ref`` is resolved at load time, so a broken
schema fails when the catalog is built, not halfway through a validation run.
One ``Draft202012Validator`` per event type is built once, with formats
(``date-time``, ``uri``, ``email``) really checked.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urldefrag, urljoin

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource, Unresolvable
from referencing.jsonschema import DRAFT202012

from harness.contract import Contract, EventSpec, default_contract
from harness.errors import InputError, SchemaFileError, UnknownEventTypeError
from harness.files import read_text

if TYPE_CHECKING:
    from referencing._core import Resolver

__all__ = ["SCHEMA_BASE_URI", "Catalog", "SchemaFile", "Violation"]

SCHEMA_BASE_URI = "https://chord-webhooks-harness.invalid/schemas/"
_DIALECTS = frozenset(
    {
        "https://json-schema.org/draft/2020-12/schema",
        "https://json-schema.org/draft/2020-12/schema#",
    }
)
_MESSAGE_LIMIT = 240
_SINGLE_SCHEMA_KEYWORDS = (
    "additionalProperties",
    "contains",
    "contentSchema",
    "else",
    "if",
    "items",
    "not",
    "propertyNames",
    "then",
    "unevaluatedItems",
    "unevaluatedProperties",
)
_SCHEMA_MAP_KEYWORDS = (
    "$defs",
    "definitions",
    "dependentSchemas",
    "patternProperties",
    "properties",
)
_SCHEMA_LIST_KEYWORDS = ("allOf", "anyOf", "oneOf", "prefixItems")
_REFERENCE_KEYWORDS = ("$ref", "$dynamicRef")
# Keywords whose values are data, not schemas: never rewritten when inlining.
_LITERAL_KEYWORDS = frozenset(
    {"enum", "const", "examples", "default", "required", "$comment", "description"}
)


@dataclass(frozen=True)
class Violation:
    """One way an event breaks its schema."""

    message: str
    json_path: str
    schema_path: str
    validator: str
    value: Any = None

    def __str__(self) -> str:
        return f"{self.json_path}: {self.message} (schema: {self.schema_path})"


@dataclass(frozen=True)
class SchemaFile:
    """One loaded schema file: where it lives and the URI it is known by."""

    relative: str
    path: Path
    uri: str
    contents: dict[str, Any] | bool


def _refuse_retrieval(uri: str) -> Resource:
    """The registry's retrieve hook: nothing outside the loaded files exists."""
    raise NoSuchResource(ref=uri)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= _MESSAGE_LIMIT:
        return text
    return text[: _MESSAGE_LIMIT - 3] + "..."


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def _pointer(parts: list[str | int]) -> str:
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in parts)
    return "".join("/" + part for part in escaped)


class Catalog:
    """The event types of a contract with their schemas and validators."""

    def __init__(self, contract: Contract | None = None) -> None:
        self._contract = contract or default_contract()
        self._root = self._contract.schemas_dir.resolve()
        self._files = self._load_files()
        self._by_uri = {item.uri: item for item in self._files.values()}
        self._registry = self._build_registry()
        self._locations: dict[int, tuple[str, str]] = {}
        for item in self._files.values():
            self._index(item)
        self._names = {
            name: spec.name
            for spec in self._contract.events
            for name in (spec.name, *spec.aliases)
        }
        self._event_files = {
            spec.name: self._files[self._relative(self._root / spec.schema)]
            for spec in self._contract.events
        }
        self._validators = {
            name: self._make_validator(self._registry[item.uri].contents)
            for name, item in self._event_files.items()
        }
        # The same schemas with every $ref replaced by what it points at: the
        # same verdicts, without a registry lookup per reference (an order has
        # about 140), so a valid event is accepted several times faster. The
        # validators above still explain an invalid one, with file and pointer.
        self._fast = {
            name: self._make_validator(
                _inline(
                    self._registry[item.uri].contents,
                    self._registry.resolver(base_uri=item.uri),
                    frozenset(),
                )
            )
            for name, item in self._event_files.items()
        }

    def _make_validator(self, schema: Any) -> Draft202012Validator:
        return Draft202012Validator(
            schema,
            registry=self._registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )

    @classmethod
    def default(cls) -> Catalog:
        """The catalog of the shipped contract, built once per process."""
        return _default_catalog()

    @property
    def contract(self) -> Contract:
        return self._contract

    @property
    def registry(self) -> Registry:
        """The registry of every loaded schema file, keyed by URI."""
        return self._registry

    @property
    def types(self) -> tuple[str, ...]:
        """The canonical event type names, in contract order."""
        return self._contract.event_names

    @property
    def files(self) -> tuple[SchemaFile, ...]:
        """Every loaded schema file, sorted by relative path."""
        return tuple(self._files[key] for key in sorted(self._files))

    def spec(self, type: str) -> EventSpec:
        """The contract entry of an event type or alias."""
        return self._contract.event(type)

    def canonical(self, type: str) -> str:
        """Map an event type name or alias to its name; unknown names raise."""
        name = self._names.get(type)
        if name is None:
            raise UnknownEventTypeError(type, self._contract.event_names)
        return name

    def schema(self, type: str) -> dict[str, Any]:
        """A copy of an event type's schema as written, ``$ref`` left as is."""
        contents = self._event_files[self.canonical(type)].contents
        return copy.deepcopy(contents) if isinstance(contents, dict) else {}

    def schema_file(self, type: str) -> SchemaFile:
        return self._event_files[self.canonical(type)]

    def examples(self, type: str) -> list[Any]:
        """The ``examples`` of an event type's schema."""
        return list(self.schema(type).get("examples", []))

    def validator(self, type: str) -> Draft202012Validator:
        """The validator of an event type, built once with this catalog."""
        return self._validators[self.canonical(type)]

    def type_of(self, event: Any, *, strict: bool = True) -> str | None:
        """The canonical type named by an event's envelope.

        With ``strict``, an unknown type raises ``UnknownEventTypeError`` and a
        missing one ``InputError``; otherwise both give ``None``.
        """
        key = self._contract.envelope.type
        raw = event.get(key) if isinstance(event, dict) else None
        if not isinstance(raw, str):
            if strict:
                raise InputError(
                    f"the event has no {key!r} naming its event type",
                    remedy="add the type to the envelope or pass the type explicitly",
                )
            return None
        name = self._names.get(raw)
        if name is None and strict:
            raise UnknownEventTypeError(raw, self._contract.event_names)
        return name

    def validate(self, event: Any, type: str | None = None) -> list[Violation]:
        """Every violation of ``event``, the most relevant first.

        ``type`` (a name or alias) overrides the envelope's type; an unknown
        ``type`` raises, while an event whose own type is missing or unknown
        gets a violation that says so.
        """
        if type is None:
            name, problem = self._envelope_type(event)
            if problem is not None:
                return [problem]
        else:
            name = self.canonical(type)
        if self._fast[name].is_valid(event):
            return []
        errors = list(self._validators[name].iter_errors(event))
        if not errors:
            return []
        best = best_match(errors)
        superseded = set()
        parent = best.parent
        while parent is not None:
            superseded.add(id(parent))
            parent = parent.parent
        head, *tail = _expand(best)
        for error in errors:
            if error is not best and id(error) not in superseded:
                tail.extend(_expand(error))
        tail.sort(key=_error_order)
        violations: dict[tuple[str, str, str], Violation] = {}
        for error in (head, *tail):
            violation = self._violation(error)
            key = (violation.json_path, violation.schema_path, violation.message)
            violations.setdefault(key, violation)
        return list(violations.values())

    def is_valid(self, event: Any, type: str | None = None) -> bool:
        """Whether ``event`` is valid: the fast path, no violations built."""
        if type is None:
            key = self._contract.envelope.type
            raw = event.get(key) if isinstance(event, dict) else None
            name = self._names.get(raw) if isinstance(raw, str) else None
            if name is None:
                return False
        else:
            name = self.canonical(type)
        return self._fast[name].is_valid(event)

    def _envelope_type(self, event: Any) -> tuple[str, Violation | None]:
        key = self._contract.envelope.type
        where = f"{self._contract.path.name}#/envelope/type"
        if not isinstance(event, dict):
            kind = "an array" if isinstance(event, list) else "a JSON scalar"
            message = f"the event is {kind}, not a JSON object"
            return "", Violation(message, "$", where, "type", event)
        raw = event.get(key)
        if not isinstance(raw, str):
            message = f"the event has no {key!r} naming its event type"
            if key in event:
                message = f"the event's {key!r} is {_shorten(repr(raw))}, not a string"
            return "", Violation(message, "$", where, "required", raw)
        name = self._names.get(raw)
        if name is None:
            error = UnknownEventTypeError(raw, self._contract.event_names)
            return "", Violation(str(error), f"$.{key}", where, "enum", raw)
        return name, None

    def _violation(self, error: ValidationError) -> Violation:
        return Violation(
            message=_shorten(error.message),
            json_path=error.json_path,
            schema_path=self._schema_location(error),
            validator="false" if error.validator is None else str(error.validator),
            value=error.instance,
        )

    def _schema_location(self, error: ValidationError) -> str:
        """Name the file and JSON pointer of the keyword that failed.

        ``error.schema`` is the very schema object that holds the failing
        keyword, so its place is looked up, not reconstructed through the
        ``$ref`` hops (which jsonschema leaves out of ``schema_path``).
        """
        place = self._locations.get(id(error.schema))
        keyword = str(error.validator)
        if place is None or not isinstance(error.schema, dict):
            return "/".join(str(part) for part in error.absolute_schema_path) or "#"
        relative, pointer = place
        return f"{relative}#{pointer}{_pointer([keyword])}"

    def _relative(self, path: Path) -> str:
        path = path.resolve()
        try:
            return path.relative_to(self._root).as_posix()
        except ValueError:
            return path.as_posix()

    def _load_files(self) -> dict[str, SchemaFile]:
        if not self._root.is_dir():
            raise SchemaFileError(
                f"schemas folder {str(self._root)!r} not found",
                remedy="set schemas_dir in the contract to a folder of schema files",
            )
        paths = {
            path.resolve()
            for path in self._root.rglob("*.json")
            if path.is_file() and not _hidden(path.relative_to(self._root))
        }
        paths.update(
            (self._root / spec.schema).resolve() for spec in self._contract.events
        )
        files: dict[str, SchemaFile] = {}
        for path in sorted(paths):
            item = self._load_file(path)
            files[item.relative] = item
        return files

    def _load_file(self, path: Path) -> SchemaFile:
        relative = self._relative(path)
        text, contents = _read_schema(path, relative)
        uri = urljoin(SCHEMA_BASE_URI, quote(relative))
        if isinstance(contents, dict):
            dialect = contents.get("$schema")
            if dialect is not None and not (
                isinstance(dialect, str) and dialect in _DIALECTS
            ):
                declared = _shorten(repr(dialect))
                raise SchemaFileError(
                    f"schema file {relative!r} declares $schema {declared}",
                    remedy="only JSON Schema Draft 2020-12 is supported; "
                    "set $schema to https://json-schema.org/draft/2020-12/schema",
                )
            _check_schema(relative, text)
            if isinstance(contents.get("$id"), str):
                uri = urljoin(uri, contents["$id"])
        return SchemaFile(relative, path, urldefrag(uri)[0], contents)

    def _build_registry(self) -> Registry:
        resources: dict[str, Resource] = {}
        for item in self._files.values():
            if item.uri in resources:
                raise SchemaFileError(
                    f"schema file {item.relative!r} uses the $id {item.uri!r} "
                    "of another file",
                    remedy="give every schema file its own $id",
                )
            contents = item.contents
            if isinstance(contents, dict):
                contents = {**contents, "$id": item.uri}
            resources[item.uri] = DRAFT202012.create_resource(contents)
        registry = Registry(retrieve=_refuse_retrieval).with_resources(
            resources.items()
        )
        return registry.crawl()

    def _index(self, item: SchemaFile) -> None:
        """Record where each subschema lives and resolve every reference now.

        References go through the registry only, so a ``$ref`` to anything
        that is not a loaded file fails here, at load, with its file and place.
        """
        contents = self._registry[item.uri].contents
        for scope, pointer, node in _subschemas(contents, item.uri):
            self._locations[id(node)] = (item.relative, pointer)
            for keyword in _REFERENCE_KEYWORDS:
                ref = node.get(keyword)
                if isinstance(ref, str):
                    self._resolve_eagerly(item, scope, pointer, keyword, ref)

    def _resolve_eagerly(
        self, item: SchemaFile, scope: str, pointer: str, keyword: str, ref: str
    ) -> None:
        where = f"schema file {item.relative!r}: {keyword} {_shorten(repr(ref))} "
        where += f"at {pointer or '/'}"
        try:
            resolved = self._registry.resolver(base_uri=scope).lookup(ref)
        except (Unresolvable, ValueError) as exc:
            raise SchemaFileError(
                f"{where} does not resolve ({type(exc).__name__})",
                remedy=f"schemas are looked up only in {str(self._root)!r}, "
                "never fetched from the network; add the file or fix the $ref",
            ) from None
        if not isinstance(resolved.contents, dict | bool):
            raise SchemaFileError(
                f"{where} points at something that is not a schema",
                remedy="point it at a JSON object or a boolean schema",
            )


def _inline(node: Any, resolver: Resolver, seen: frozenset[int]) -> Any:
    """A copy of ``node`` with each ``$ref`` replaced by the schema it names.

    ``{"$ref": R, ...rest}`` becomes ``{"allOf": [target], ...rest}``, which
    2020-12 evaluates the same way.  A reference back into a schema being
    inlined (recursion) is left as it is and resolved through the registry.
    """
    if isinstance(node, list):
        return [_inline(item, resolver, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if isinstance(node.get("$id"), str):
        resource = DRAFT202012.create_resource(node)
        resolver = resolver.in_subresource(resource)
    copy_ = {
        key: value if key in _LITERAL_KEYWORDS else _inline(value, resolver, seen)
        for key, value in node.items()
        if key != "$ref"
    }
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return copy_
    resolved = resolver.lookup(ref)
    target = resolved.contents
    identity = id(target)
    if identity in seen:
        copy_["$ref"] = ref
        return copy_
    inlined = _inline(target, resolved.resolver, seen | {identity})
    copy_["allOf"] = [*copy_.get("allOf", []), inlined]
    return copy_


def _hidden(relative: Path) -> bool:
    """Whether a path inside the schemas folder is hidden (``.git``, ``.x.json``)."""
    return any(part.startswith(".") for part in relative.parts)


def _read_schema(path: Path, relative: str) -> tuple[str, dict[str, Any] | bool]:
    text = read_text(
        path,
        what="schema file",
        shown=relative,
        error=SchemaFileError,
        remedy="fix the file or set schemas_dir in the contract to a folder of schemas",
    )
    try:
        contents = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise SchemaFileError(
            f"schema file {relative!r} is not valid JSON: {exc.msg} "
            f"at line {exc.lineno}, column {exc.colno}",
            remedy="fix the JSON syntax there",
        ) from None
    except (ValueError, RecursionError) as exc:
        raise SchemaFileError(
            f"schema file {relative!r} is not valid JSON: {exc}",
            remedy="fix the JSON there",
        ) from None
    if not isinstance(contents, dict | bool):
        raise SchemaFileError(
            f"schema file {relative!r} holds a {type(contents).__name__}, "
            "not a JSON Schema",
            remedy="a schema file holds one JSON object (or true/false)",
        )
    return text, contents


def _check_schema(relative: str, text: str) -> None:
    problem = _meta_schema_problem(text)
    if problem is not None:
        raise SchemaFileError(
            f"schema file {relative!r} {problem}",
            remedy="fix it against the JSON Schema Draft 2020-12 meta-schema",
        )


@functools.lru_cache(maxsize=256)
def _meta_schema_problem(text: str) -> str | None:
    """What in a schema file's (valid JSON) text breaks the meta-schema.

    Cached by the text, so a catalog rebuilt over the same files (tests,
    plugins) checks each file once per process.
    """
    try:
        error = best_match(_meta_validator().iter_errors(json.loads(text)))
    except RecursionError:
        return "is nested too deeply to check"
    if error is None:
        return None
    where = _pointer(list(error.absolute_path)) or "/"
    return f"is not a valid JSON Schema at {where}: {_shorten(error.message)}"


@functools.cache
def _meta_validator() -> Draft202012Validator:
    return Draft202012Validator(
        Draft202012Validator.META_SCHEMA,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def _subschemas(
    node: Any, scope: str, pointer: str = ""
) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield ``(base URI, JSON pointer, subschema)`` for every object schema."""
    if not isinstance(node, dict):
        return
    if pointer and isinstance(node.get("$id"), str):
        scope = urldefrag(urljoin(scope, node["$id"]))[0]
    yield scope, pointer, node
    for keyword in _SINGLE_SCHEMA_KEYWORDS:
        if keyword in node:
            yield from _subschemas(node[keyword], scope, f"{pointer}/{keyword}")
    for keyword in _SCHEMA_MAP_KEYWORDS:
        children = node.get(keyword)
        if isinstance(children, dict):
            for name, child in children.items():
                where = f"{pointer}/{keyword}{_pointer([name])}"
                yield from _subschemas(child, scope, where)
    for keyword in _SCHEMA_LIST_KEYWORDS:
        children = node.get(keyword)
        if isinstance(children, list):
            for index, child in enumerate(children):
                yield from _subschemas(child, scope, f"{pointer}/{keyword}/{index}")


def _expand(error: ValidationError) -> list[ValidationError]:
    """Replace an ``anyOf``/``oneOf`` failure by the errors of the branch meant.

    The branch meant is the only one whose type fits the value (a nullable
    field's string branch for a bad string); when no single branch fits, the
    failure stands as it is.
    """
    if not error.context:
        return [error]
    branches: dict[Any, list[ValidationError]] = {}
    for child in error.context:
        branches.setdefault(child.relative_schema_path[0], []).append(child)
    fitting = [
        children
        for children in branches.values()
        if not any(c.validator == "type" and not c.relative_path for c in children)
    ]
    if len(fitting) != 1:
        return [error]
    return [expanded for child in fitting[0] for expanded in _expand(child)]


def _error_order(error: ValidationError) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    instance = tuple(
        (0, part, "") if isinstance(part, int) else (1, 0, str(part))
        for part in error.absolute_path
    )
    return instance, tuple(str(part) for part in error.absolute_schema_path)


@functools.cache
def _default_catalog() -> Catalog:
    return Catalog()
