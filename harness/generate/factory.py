"""``EventFactory``: seeded, realistic Chord OMS webhook events.

The same seed and the same calls give byte-identical events (as serialized by
``harness.envelope.encode``) in every process and on every machine: all draws
come from one ``random.Random(seed)``, times from a clock that starts at a
seed-chosen instant, and Faker only fills fixed pools once per process.
"""

from __future__ import annotations

import copy
import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from harness.contract import Contract, default_contract
from harness.errors import UsageError
from harness.generate.clock import solidus_time
from harness.generate.codes import event_id
from harness.generate.context import Context
from harness.generate.plans import OrderOptions
from harness.generate.tables import tables
from harness.generate.timeline import SCENARIO_SPECS, ScenarioSpec, Story

__all__ = ["EDGE_CASES", "SCENARIOS", "EventFactory"]

SCENARIOS: tuple[str, ...] = tuple(spec.name for spec in SCENARIO_SPECS)

# The extremes ``edge_cases`` returns, in this order.
EDGE_CASES: tuple[str, ...] = (
    "many_line_items",
    "unicode",
    "zero_total",
    "guest",
    "nulls",
)

_BUILDABLE = (
    "order_completed",
    "order_canceled",
    "shipment_shipped",
    "shipping_delivery_status_updated",
)


def _did_you_mean(name: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}known: {', '.join(known)}"


def _usage(message: str, remedy: str) -> UsageError:
    return UsageError(message, remedy=remedy)


def merge(base: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``overrides`` into a copy of ``base``.

    Nested mappings merge key by key; any other value (lists included)
    replaces the one in ``base``.  ``base`` and ``overrides`` are not changed,
    and the result shares no mutable value with ``overrides``.
    """
    merged = dict(base)
    for key, value in overrides.items():
        current = merged.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            merged[key] = merge(current, value)
        elif isinstance(value, Mapping):
            merged[key] = merge({}, value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


class EventFactory:
    """Seeded builder of Chord OMS webhook events.

    ``seed`` fixes every value; ``contract`` supplies the event catalog, the
    envelope's key names and the edge-case sizes (the shipped contract when
    None).  One factory is a stream: each call continues where the last
    ended, so ids stay unique and times move forward.
    """

    def __init__(self, seed: int = 0, contract: Contract | None = None) -> None:
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise _usage(f"seed {seed!r} is not a whole number", "pass an int seed")
        self.seed = seed
        self.contract = contract if contract is not None else default_contract()
        self._ctx = Context.seeded(seed)

    # -- public API --------------------------------------------------------

    def event(
        self,
        type: str,
        *,
        line_items: int | None = None,
        guest: bool | None = None,
        zero_total: bool | None = None,
        unicode: bool | None = None,
        locale: str | None = None,
        status: str | None = None,
        overrides: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One event of ``type`` (a name or alias from the contract).

        ``line_items`` sets the order's line count; ``guest`` checks out
        without an account (``user_id`` null); ``zero_total`` makes a free
        order; ``unicode`` draws a non-Latin locale and writes product names and
        notes in it (False keeps en_US); ``locale`` forces one locale (e.g.
        ``"de_DE"``); ``status`` is the EasyPost status of a
        shipping_delivery_status_updated event; ``overrides`` is deep-merged
        into the finished event.
        """
        name = self._canonical(type)
        options = self._options(
            line_items=line_items,
            guest=guest,
            zero_total=zero_total,
            unicode=unicode,
            locale=locale,
        )
        if status is not None:
            self._check_status(name, status)
        event = self._build(name, options, status)
        if overrides:
            event = merge(event, overrides)
        return event

    def events(self, type: str, count: int, **options: Any) -> Iterator[dict[str, Any]]:
        """``count`` events of ``type``, built one at a time as they are consumed."""
        self._canonical(type)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise _usage(f"count {count!r} is not a whole number >= 0", "pass an int")
        return self._stream(type, count, options)

    def scenario(self, name: str, **options: Any) -> list[dict[str, Any]]:
        """The events of one order's story (see ``SCENARIOS``), in order.

        ``options`` are the order options of ``event`` (``line_items``,
        ``guest``, ``zero_total``, ``unicode``, ``locale``).
        """
        spec = self._scenario(name)
        return self._story(self._options(**options)).scenario(spec)

    def edge_cases(self, type: str) -> list[dict[str, Any]]:
        """Extreme but valid events of ``type``, one per name in ``EDGE_CASES``.

        A long order (``contract.checks.edge_line_items`` line items), non-Latin
        text everywhere, a zero-total order, a guest order (``user_id`` null),
        and one where every field the schema lets be null is null.
        """
        name = self._canonical(type)
        many = self.contract.checks.edge_line_items
        variants = (
            OrderOptions(line_items=many),
            OrderOptions(unicode=True),
            OrderOptions(zero_total=True),
            OrderOptions(guest=True),
            OrderOptions(nulls=True),
        )
        return [self._build(name, options, None) for options in variants]

    # -- internals ------------------------------------------------------

    def _stream(
        self, type: str, count: int, options: dict[str, Any]
    ) -> Iterator[dict[str, Any]]:
        for _ in range(count):
            yield self.event(type, **options)

    def _canonical(self, type: str) -> str:
        name = self.contract.canonical_type(type)
        if name not in _BUILDABLE:
            raise _usage(
                f"the generator cannot build event type {name!r}",
                f"it builds: {', '.join(_BUILDABLE)}",
            )
        return name

    def _scenario(self, name: str) -> ScenarioSpec:
        for spec in SCENARIO_SPECS:
            if spec.name == name:
                return spec
        raise _usage(f"unknown scenario {name!r}", _did_you_mean(name, SCENARIOS))

    def _options(
        self,
        *,
        line_items: int | None = None,
        guest: bool | None = None,
        zero_total: bool | None = None,
        unicode: bool | None = None,
        locale: str | None = None,
    ) -> OrderOptions:
        if line_items is not None and (
            isinstance(line_items, bool)
            or not isinstance(line_items, int)
            or line_items < 1
        ):
            raise _usage(
                f"line_items {line_items!r} is not a whole number >= 1", "pass an int"
            )
        if locale is not None and locale not in tables().locale_names:
            known = tables().locale_names
            raise _usage(f"unknown locale {locale!r}", _did_you_mean(locale, known))
        return OrderOptions(
            line_items=line_items,
            guest=guest,
            zero_total=zero_total,
            unicode=unicode,
            locale=locale,
        )

    def _check_status(self, name: str, status: str) -> None:
        if name != "shipping_delivery_status_updated":
            raise _usage(
                f"status applies to delivery updates only, not to {name!r}",
                "leave status out",
            )
        known = tuple(tables().statuses)
        if status not in known:
            raise _usage(
                f"unknown delivery status {status!r}", _did_you_mean(status, known)
            )

    def _story(self, options: OrderOptions) -> Story:
        return Story(self._ctx, options, self._wrap)

    def _build(
        self, name: str, options: OrderOptions, status: str | None
    ) -> dict[str, Any]:
        story = self._story(options)
        if name == "order_completed":
            return story.completed()
        if name == "order_canceled":
            return story.canceled()
        if name == "shipment_shipped":
            return story.shipped()
        return story.delivery(status)

    def _wrap(self, type: str, at_ms: int, data: dict[str, Any]) -> dict[str, Any]:
        keys = self.contract.envelope
        return {
            keys.id: event_id(self._ctx.rng),
            keys.type: type,
            keys.created_at: solidus_time(at_ms),
            keys.data: data,
        }
