"""What the receiver reads from an event: its identity, its validity, extra fields.

The catalog (schemas, validators) is imported here and only here, when a
receiver starts, so that importing ``harness.receiver`` stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from harness.contract import Contract
from harness.envelope import event_id, event_type
from harness.errors import UnknownEventTypeError
from harness.receiver.strict import undeclared_fields

if TYPE_CHECKING:
    from harness.catalog import Catalog, Violation

__all__ = ["EventReader", "Identity"]


@dataclass(frozen=True)
class Identity:
    """An event's id, its type as written, and the catalog's name for that type."""

    event_id: str | None
    raw_type: str | None
    canonical: str | None


class EventReader:
    """Reads events against one contract and its schema catalog."""

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.keys = contract.envelope
        self._catalog = _load_catalog(contract)

    def identify(self, event: dict[str, Any]) -> Identity:
        raw = event_type(event, self.keys)
        canonical = None
        if raw is not None:
            try:
                canonical = self.contract.canonical_type(raw)
            except UnknownEventTypeError:
                canonical = None
        return Identity(event_id(event, self.keys), raw, canonical)

    def violations(self, event: dict[str, Any], canonical: str) -> list[Violation]:
        """Every way ``event`` breaks its type's schema, the headline first."""
        return self._catalog.validate(event, canonical)

    def order_number(self, event: dict[str, Any]) -> str | None:
        """The order number an event is about (``data.order.number``), if any."""
        data = event.get(self.keys.data)
        order = data.get("order") if isinstance(data, dict) else None
        number = order.get("number") if isinstance(order, dict) else None
        return number if isinstance(number, str) else None

    def extra_fields(self, event: dict[str, Any], canonical: str) -> list[str]:
        """JSON paths of the event's keys that its type's schema does not name."""
        schema = self._catalog.validator(canonical).schema
        return undeclared_fields(event, schema, self._catalog.registry.resolver())


def _load_catalog(contract: Contract) -> Catalog:
    """Build the schema catalog; the one place the receiver imports it."""
    from harness.catalog import Catalog

    return Catalog(contract)
