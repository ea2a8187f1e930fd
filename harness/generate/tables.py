"""The generator's reference data, read once from ``harness/generate/data/*.json``.

Everything here is immutable (frozen dataclasses and tuples), so one loaded copy
is shared by every factory in the process without any of them changing it.
"""

from __future__ import annotations

import functools
import json
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate
from pathlib import Path
from random import Random
from types import MappingProxyType
from typing import Any, Generic, TypeVar

__all__ = [
    "Carrier",
    "Country",
    "LocaleSpec",
    "OptionValue",
    "PaymentMethodSpec",
    "Region",
    "ShippingMethodSpec",
    "StatusSpec",
    "StockLocation",
    "Tables",
    "VariantSpec",
    "Weighted",
    "Zone",
    "tables",
]

_DATA = Path(__file__).resolve().parent / "data"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Weighted(Generic[T]):
    """Values with relative weights, ready for a fast weighted draw."""

    values: tuple[T, ...]
    cumulative: tuple[float, ...]

    @classmethod
    def of(cls, pairs: Iterable[tuple[T, float]]) -> Weighted[T]:
        items = tuple(pairs)
        running = tuple(accumulate(float(weight) for _, weight in items))
        return cls(tuple(value for value, _ in items), running)

    def draw(self, rng: Random) -> T:
        point = rng.random() * self.cumulative[-1]
        return self.values[bisect_right(self.cumulative, point)]


@dataclass(frozen=True, slots=True)
class Country:
    """A Solidus country record."""

    id: int
    iso_name: str
    iso: str
    iso3: str
    name: str
    numcode: int


@dataclass(frozen=True, slots=True)
class Region:
    """A Solidus state record (a US state, a Japanese prefecture, ...)."""

    id: int
    name: str
    abbr: str
    tax_rate: Decimal


@dataclass(frozen=True, slots=True)
class LocaleSpec:
    """A customer locale: Faker locale name, country, states and address recipe."""

    name: str
    weight: int
    language: str
    script: str
    country: Country
    regions: tuple[Region, ...]
    street_parts: tuple[str, ...]
    street_joiner: str
    secondary_address: bool
    streets: tuple[str, ...]
    cities: tuple[str, ...]

    @property
    def latin(self) -> bool:
        return self.script == "latin"


@dataclass(frozen=True, slots=True)
class OptionValue:
    """One option value of a variant (``Size: M``)."""

    id: int
    name: str
    presentation: str
    type_name: str
    type_id: int
    type_presentation: str


@dataclass(frozen=True, slots=True, eq=False)
class VariantSpec:
    """A sellable variant of the store's catalog (compared by identity)."""

    id: int
    product_id: int
    sku: str
    name: str
    slug: str
    price: Decimal
    weight: Decimal | None
    option_values: tuple[OptionValue, ...]

    @property
    def options_text(self) -> str:
        return ", ".join(
            f"{value.type_presentation}: {value.presentation}"
            for value in self.option_values
        )


@dataclass(frozen=True, slots=True)
class Carrier:
    """A carrier: Chord's lower-case code, EasyPost's name, the URL template."""

    code: str
    easypost: str
    tracking_url: str

    def url_for(self, tracking: str) -> str:
        return self.tracking_url.replace(":tracking", tracking)


@dataclass(frozen=True, slots=True)
class Zone:
    """A shipping zone."""

    key: str
    id: int
    name: str
    description: str


@dataclass(frozen=True, slots=True)
class ShippingMethodSpec:
    """A shipping method and the zone it serves."""

    id: int
    code: str
    name: str
    carrier: Carrier
    zone: Zone
    cost: Decimal
    min_days: int
    max_days: int


@dataclass(frozen=True, slots=True)
class PaymentMethodSpec:
    """A payment method: its kind decides what source a payment shows."""

    id: int
    name: str
    kind: str
    source_type: str


@dataclass(frozen=True, slots=True)
class StockLocation:
    """A warehouse shipments leave from."""

    name: str
    city: str
    state: str
    zip: str


@dataclass(frozen=True, slots=True)
class StatusSpec:
    """An EasyPost status with the details (and carrier texts) that fit it."""

    name: str
    details: tuple[tuple[str | None, str], ...]
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Tables:
    """All reference data, loaded."""

    locales: tuple[LocaleSpec, ...]
    locale_mix: Weighted[LocaleSpec]
    non_latin_mix: Weighted[LocaleSpec]
    currency: str
    currency_symbol: str
    variants: tuple[VariantSpec, ...]
    shipping_methods: tuple[ShippingMethodSpec, ...]
    domestic_methods: tuple[ShippingMethodSpec, ...]
    international_methods: tuple[ShippingMethodSpec, ...]
    shipping_category: tuple[int, str]
    payment_methods: tuple[PaymentMethodSpec, ...]
    card_types: Weighted[str]
    avs_responses: tuple[str, ...]
    line_promotions: tuple[tuple[str, Decimal], ...]
    order_promotions: tuple[tuple[str, Decimal], ...]
    shipping_promotions: tuple[str, ...]
    free_item_promotion: str
    channels: Weighted[str]
    tags: tuple[str, ...]
    metadata: tuple[tuple[str, tuple[str, ...]], ...]
    instructions: tuple[str, ...]
    gift_notes: tuple[str, ...]
    email_domains: tuple[str, ...]
    stock_locations: tuple[StockLocation, ...]
    hubs: tuple[StockLocation, ...]
    statuses: MappingProxyType[str, StatusSpec]
    final_statuses: Weighted[str]
    test_codes: MappingProxyType[str, str]

    def locale(self, name: str) -> LocaleSpec:
        for spec in self.locales:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def locale_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.locales)

    def payment_method(self, kind: str) -> PaymentMethodSpec:
        for method in self.payment_methods:
            if method.kind == kind:
                return method
        raise KeyError(kind)

    def methods_in(self, domestic: bool) -> tuple[ShippingMethodSpec, ...]:
        """The shipping methods for a domestic or an international address."""
        return self.domestic_methods if domestic else self.international_methods


def _read(name: str) -> dict[str, Any]:
    return json.loads((_DATA / name).read_text(encoding="utf-8"))


def _locale(name: str, raw: dict[str, Any]) -> LocaleSpec:
    return LocaleSpec(
        name=name,
        weight=raw["weight"],
        language=raw["language"],
        script=raw["script"],
        country=Country(**raw["country"]),
        regions=tuple(
            Region(
                id=state["id"],
                name=state["name"],
                abbr=state["abbr"],
                tax_rate=Decimal(state.get("tax_rate", "0")),
            )
            for state in raw["states"]
        ),
        street_parts=tuple(raw["street_parts"]),
        street_joiner=raw.get("street_joiner", " "),
        secondary_address=raw.get("secondary_address", False),
        streets=tuple(raw.get("streets", ())),
        cities=tuple(raw.get("cities", ())),
    )


def _variants(store: dict[str, Any]) -> tuple[VariantSpec, ...]:
    """Expand every product into one variant per combination of its options."""
    option_types = store["option_types"]
    value_ids: dict[tuple[str, str], int] = {}
    for type_name, spec in option_types.items():
        for name, _ in spec["values"]:
            value_ids[(type_name, name)] = len(value_ids) + 1

    variants: list[VariantSpec] = []
    for product_id, product in enumerate(store["products"], start=1):
        combos: list[tuple[OptionValue, ...]] = [()]
        for type_name in product["options"]:
            spec = option_types[type_name]
            combos = [
                (
                    *combo,
                    OptionValue(
                        id=value_ids[(type_name, name)],
                        name=name,
                        presentation=presentation,
                        type_name=type_name,
                        type_id=spec["id"],
                        type_presentation=spec["presentation"],
                    ),
                )
                for combo in combos
                for name, presentation in spec["values"]
            ]
        slug = product["name"].lower().replace(" ", "-").replace("/", "-")
        weight = Decimal(product["weight"]) if product["weight"] else None
        for combo in combos:
            suffix = "".join(f"-{value.name.upper()}" for value in combo)
            variants.append(
                VariantSpec(
                    id=len(variants) + 1,
                    product_id=product_id,
                    sku=f"{product['sku']}{suffix}",
                    name=product["name"],
                    slug=slug,
                    price=Decimal(product["price"]),
                    weight=weight,
                    option_values=combo,
                )
            )
    return tuple(variants)


def _carriers(store: dict[str, Any]) -> dict[str, Carrier]:
    return {
        code: Carrier(
            code=code, easypost=raw["easypost"], tracking_url=raw["tracking_url"]
        )
        for code, raw in store["carriers"].items()
    }


def _load() -> Tables:
    locales_raw = _read("locales.json")["locales"]
    store = _read("store.json")
    tracking = _read("tracking.json")
    carriers = _carriers(store)
    zones = {key: Zone(key=key, **raw) for key, raw in store["zones"].items()}
    category = store["shipping_categories"][0]
    promotions = store["promotions"]
    locales = tuple(_locale(name, raw) for name, raw in locales_raw.items())
    methods = tuple(
        ShippingMethodSpec(
            id=raw["id"],
            code=raw["code"],
            name=raw["name"],
            carrier=carriers[raw["carrier"]],
            zone=zones[raw["zone"]],
            cost=Decimal(raw["cost"]),
            min_days=raw["days"][0],
            max_days=raw["days"][1],
        )
        for raw in store["shipping_methods"]
    )
    return Tables(
        locales=locales,
        locale_mix=Weighted.of((spec, spec.weight) for spec in locales),
        non_latin_mix=Weighted.of(
            (spec, spec.weight) for spec in locales if not spec.latin
        ),
        currency=store["currency"],
        currency_symbol=store["currency_symbol"],
        variants=_variants(store),
        shipping_methods=methods,
        domestic_methods=tuple(m for m in methods if m.zone.key == "domestic"),
        international_methods=tuple(m for m in methods if m.zone.key != "domestic"),
        shipping_category=(category["id"], category["name"]),
        payment_methods=tuple(
            PaymentMethodSpec(**raw) for raw in store["payment_methods"]
        ),
        card_types=Weighted.of(store["card_types"]),
        avs_responses=tuple(store["avs_responses"]),
        line_promotions=tuple((code, Decimal(pct)) for code, pct in promotions["line"]),
        order_promotions=tuple(
            (code, Decimal(amount)) for code, amount in promotions["order"]
        ),
        shipping_promotions=tuple(promotions["shipping"]),
        free_item_promotion=promotions["free_item"],
        channels=Weighted.of(store["channels"]),
        tags=tuple(store["tags"]),
        metadata=tuple(
            (key, tuple(values)) for key, values in store["metadata"].items()
        ),
        instructions=tuple(store["instructions"]),
        gift_notes=tuple(store["gift_notes"]),
        email_domains=tuple(store["email_domains"]),
        stock_locations=tuple(StockLocation(**raw) for raw in store["stock_locations"]),
        hubs=tuple(StockLocation(name=raw["city"], **raw) for raw in store["hubs"]),
        statuses=MappingProxyType(
            {
                name: StatusSpec(
                    name=name,
                    details=tuple((detail, text) for detail, text in details),
                    path=tuple(tracking["paths"][name]),
                )
                for name, details in tracking["statuses"].items()
            }
        ),
        final_statuses=Weighted.of(tracking["final_weights"]),
        test_codes=MappingProxyType(dict(tracking["test_codes"])),
    )


@functools.cache
def tables() -> Tables:
    """The reference data, loaded on first use and shared afterwards."""
    return _load()
