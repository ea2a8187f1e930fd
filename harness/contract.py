"""The delivery contract: load a contract TOML file into frozen dataclasses.

The file is checked against ``contracts/contract.schema.json`` before any value
is read, so every later module can trust the numbers it gets.
"""

from __future__ import annotations

import functools
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from harness.errors import ContractFileError, UnknownEventTypeError
from harness.files import read_text

__all__ = [
    "DEFAULT_CONTRACT_FILE",
    "CheckSettings",
    "Contract",
    "EnvelopeKeys",
    "EventSpec",
    "RetryPolicy",
    "data_dir",
    "default_contract",
    "load_contract",
]

DEFAULT_CONTRACT_FILE = "chord-oms.toml"
_CONTRACT_SCHEMA_FILE = "contract.schema.json"

Provenance = Literal["chord-page", "inferred"]


def data_dir(kind: Literal["schemas", "contracts"]) -> Path:
    """Return the folder of shipped data files of ``kind``.

    An installed wheel carries them inside the package (``harness/_data``); a
    source checkout or editable install finds them at the repository root.
    """
    package = Path(__file__).resolve().parent
    for candidate in (package / "_data" / kind, package.parent / kind):
        if candidate.is_dir():
            return candidate
    raise ContractFileError(
        f"the harness's {kind} folder is missing from {package}",
        remedy="reinstall it: pip install --force-reinstall chord-webhooks-harness",
    )


@dataclass(frozen=True)
class RetryPolicy:
    """How the OMS delivers one event: which answers count and when it repeats."""

    success_codes: frozenset[int]
    max_attempts: int
    follow_redirects: bool
    timeout: float
    pauses: tuple[float, ...]
    body_cap_bytes: int = 65536
    body_log_bytes: int = 512
    method: str = "POST"
    content_type: str = "application/json"

    def pause_before(self, attempt: int) -> float:
        """Seconds to wait before ``attempt`` (2 for the first repeat).

        The last pause of the schedule is reused when the schedule is shorter
        than the number of repeats.
        """
        if attempt <= 1 or not self.pauses:
            return 0.0
        return self.pauses[min(attempt - 2, len(self.pauses) - 1)]

    def acknowledges(self, status: int | None) -> bool:
        """Whether an HTTP status acknowledges the event."""
        return status in self.success_codes


@dataclass(frozen=True)
class EnvelopeKeys:
    """The key names of the event envelope."""

    id: str = "id"
    type: str = "type"
    created_at: str = "created_at"
    data: str = "data"


@dataclass(frozen=True)
class CheckSettings:
    """Numbers the contract checks use."""

    ack_budget: float = 2.0
    burst_size: int = 24
    burst_concurrency: int = 8
    burst_duplicates: int = 6
    edge_line_items: int = 120
    abandon_after: float = 0.05
    timeout_streak_limit: int = 3
    observe_deadline: float = 5.0
    observe_settle: float = 0.1


@dataclass(frozen=True)
class EventSpec:
    """One event type of the catalog."""

    name: str
    schema: str
    description: str
    provenance: Provenance
    basis: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Contract:
    """A whole contract file, validated."""

    name: str
    source: str
    path: Path
    schemas_dir: Path
    retry: RetryPolicy
    envelope: EnvelopeKeys
    checks: CheckSettings
    events: tuple[EventSpec, ...]
    signing_scheme: str = "none"

    @property
    def event_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.events)

    def event(self, name: str) -> EventSpec:
        """Return the spec for ``name`` or one of its aliases."""
        for spec in self.events:
            if name == spec.name or name in spec.aliases:
                return spec
        known = [spec.name for spec in self.events]
        raise UnknownEventTypeError(name, known)

    def canonical_type(self, name: str) -> str:
        """Map an alias to its event type's name."""
        return self.event(name).name

    def schema_path(self, name: str) -> Path:
        return self.schemas_dir / self.event(name).schema


def _contract_validator() -> Draft202012Validator:
    path = data_dir("contracts") / _CONTRACT_SCHEMA_FILE
    return Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


_validator = functools.cache(_contract_validator)


def _read_toml(path: Path) -> dict:
    text = read_text(
        path,
        what="contract file",
        error=ContractFileError,
        remedy="pass the path of a readable contract TOML file",
    )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ContractFileError(
            f"contract file {str(path)!r} is not valid TOML ({exc})",
            remedy="fix the TOML syntax at that line",
        ) from exc


def _check_shape(path: Path, raw: dict) -> None:
    error = best_match(_validator().iter_errors(raw))
    if error is None:
        return
    where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
    raise ContractFileError(
        f"contract file {str(path)!r} breaks the contract schema at {where}: "
        f"{error.message}",
        remedy="compare it with contracts/chord-oms.toml shipped with the harness",
    )


def _build(path: Path, raw: dict) -> Contract:
    delivery = raw["delivery"]
    max_attempts = delivery["max_attempts"]
    pauses = tuple(float(p) for p in delivery["pauses_seconds"])
    if max_attempts > 1 and not pauses:
        raise ContractFileError(
            f"contract file {str(path)!r} repeats deliveries but has no pauses_seconds",
            remedy="give at least one pause (0 is allowed)",
        )
    retry = RetryPolicy(
        success_codes=frozenset(delivery["success_codes"]),
        max_attempts=max_attempts,
        follow_redirects=delivery["follow_redirects"],
        timeout=float(delivery["timeout_seconds"]),
        pauses=pauses,
        body_cap_bytes=delivery.get("response_body_cap_bytes", 65536),
        body_log_bytes=delivery.get("response_body_log_bytes", 512),
        method=delivery.get("method", "POST"),
        content_type=delivery.get("content_type", "application/json"),
    )
    checks_raw = raw.get("checks", {})
    defaults = CheckSettings()
    checks = CheckSettings(
        ack_budget=float(checks_raw.get("ack_budget_seconds", defaults.ack_budget)),
        burst_size=checks_raw.get("burst_size", defaults.burst_size),
        burst_concurrency=checks_raw.get(
            "burst_concurrency", defaults.burst_concurrency
        ),
        burst_duplicates=checks_raw.get("burst_duplicates", defaults.burst_duplicates),
        edge_line_items=checks_raw.get("edge_line_items", defaults.edge_line_items),
        abandon_after=float(
            checks_raw.get("abandon_after_seconds", defaults.abandon_after)
        ),
        timeout_streak_limit=checks_raw.get(
            "timeout_streak_limit", defaults.timeout_streak_limit
        ),
        observe_deadline=float(
            checks_raw.get("observe_deadline_seconds", defaults.observe_deadline)
        ),
        observe_settle=float(
            checks_raw.get("observe_settle_seconds", defaults.observe_settle)
        ),
    )
    events = tuple(
        EventSpec(
            name=item["name"],
            schema=item["schema"],
            description=item["description"],
            provenance=item["provenance"],
            basis=item["basis"],
            aliases=tuple(item.get("aliases", ())),
        )
        for item in raw["events"]
    )
    _check_names(path, events)
    if "schemas_dir" in raw:
        schemas_dir = (path.parent / raw["schemas_dir"]).resolve()
    else:
        schemas_dir = data_dir("schemas")
    contract = Contract(
        name=raw["name"],
        source=raw.get("source", ""),
        path=path,
        schemas_dir=schemas_dir,
        retry=retry,
        envelope=EnvelopeKeys(**raw["envelope"]),
        checks=checks,
        events=events,
        signing_scheme=raw.get("signing", {}).get("scheme", "none"),
    )
    _check_schema_files(contract)
    return contract


def _check_names(path: Path, events: tuple[EventSpec, ...]) -> None:
    seen: set[str] = set()
    for spec in events:
        for name in (spec.name, *spec.aliases):
            if name in seen:
                raise ContractFileError(
                    f"contract file {str(path)!r} names event type {name!r} twice",
                    remedy="give every event type and alias one entry only",
                )
            seen.add(name)


def _check_schema_files(contract: Contract) -> None:
    for spec in contract.events:
        schema = contract.schemas_dir / spec.schema
        if not schema.is_file():
            raise ContractFileError(
                f"contract file {str(contract.path)!r}: schema {spec.schema!r} of "
                f"event type {spec.name!r} not found in {str(contract.schemas_dir)!r}",
                remedy="fix the schema path, or set schemas_dir to its folder",
            )


def load_contract(path: str | Path | None = None) -> Contract:
    """Load and validate a contract file; ``None`` loads the shipped one."""
    if path is None:
        return default_contract()
    return _load(Path(path).expanduser().resolve())


@functools.cache
def default_contract() -> Contract:
    """The contract shipped with the harness, loaded once per process."""
    return _load(data_dir("contracts") / DEFAULT_CONTRACT_FILE)


def _load(path: Path) -> Contract:
    raw = _read_toml(path)
    _check_shape(path, raw)
    return _build(path, raw)
