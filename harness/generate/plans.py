"""The plan of an order: every random decision, kept until it is rendered.

Drawing (``orders``, ``pricing``, ``payments``) fills these records once; the
``render`` and ``shipping`` modules turn them into JSON, as often as a story
needs (a scenario shows the same order completed and then canceled).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal

from harness.generate.customers import AddressPlan, Customer
from harness.generate.money import ZERO
from harness.generate.tables import (
    PaymentMethodSpec,
    ShippingMethodSpec,
    StockLocation,
    VariantSpec,
)

__all__ = [
    "AdjustmentPlan",
    "CardPlan",
    "LinePlan",
    "OrderOptions",
    "OrderPlan",
    "PaymentMode",
    "PaymentOutcome",
    "PaymentPlan",
    "ShipmentPlan",
    "Totals",
]


class PaymentMode(enum.Enum):
    """How the order was paid at completion."""

    PAID = "paid"  # captured: payments completed
    BALANCE_DUE = "balance_due"  # authorized only: payment pending
    FREE = "free"  # zero total: no payment step, no payments


class PaymentOutcome(enum.Enum):
    """A payment's state when the order completed."""

    COMPLETED = "completed"
    PENDING = "pending"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class OrderOptions:
    """What the caller asked for; None leaves the choice to the seed."""

    line_items: int | None = None
    guest: bool | None = None
    zero_total: bool | None = None
    unicode: bool | None = None
    locale: str | None = None
    nulls: bool = False


@dataclass(slots=True)
class AdjustmentPlan:
    """A promotion (negative) or an additional tax (positive)."""

    id: int
    amount: Decimal
    label: str
    source_type: str | None
    source_id: int | None
    adjustable_type: str
    adjustable_id: int
    created_ms: int
    tax: bool


@dataclass(slots=True)
class LinePlan:
    """A line item."""

    id: int
    variant: VariantSpec
    name: str
    quantity: int
    price: Decimal
    adjustments: list[AdjustmentPlan] = field(default_factory=list)
    backordered: int = 0
    on_hand: int = 0

    @property
    def amount(self) -> Decimal:
        return self.price * self.quantity

    @property
    def total(self) -> Decimal:
        return self.amount + sum((a.amount for a in self.adjustments), ZERO)


@dataclass(slots=True)
class ShipmentPlan:
    """A shipment: which lines it carries, from where, by which method."""

    id: int
    number: str
    method: ShippingMethodSpec
    rates: list[tuple[int, ShippingMethodSpec, Decimal]]
    cost: Decimal
    stock_location: StockLocation
    lines: list[LinePlan]
    adjustments: list[AdjustmentPlan] = field(default_factory=list)

    @property
    def backordered(self) -> bool:
        return any(line.backordered for line in self.lines)


@dataclass(slots=True)
class CardPlan:
    """A credit card source."""

    id: int
    month: int
    year: int
    cc_type: str
    last_digits: str
    name: str


@dataclass(slots=True)
class PaymentPlan:
    """A payment and its state at completion."""

    id: int
    method: PaymentMethodSpec
    amount: Decimal
    outcome: PaymentOutcome
    card: CardPlan | None
    source_id: int | None
    avs_response: str | None
    created_ms: int
    updated_ms: int


@dataclass(slots=True)
class OrderPlan:
    """Every decision about one order, rendered later by ``render``."""

    id: int
    number: str
    token: str
    customer: Customer
    bill: AddressPlan
    ship: AddressPlan | None
    lines: list[LinePlan]
    shipments: list[ShipmentPlan]
    adjustments: list[AdjustmentPlan]
    payments: list[PaymentPlan]
    mode: PaymentMode
    channel: str
    created_ms: int
    completed_ms: int
    updated_ms: int
    special_instructions: str | None
    gift_note: dict[str, str] | None
    metadata: dict[str, str]
    tag_list: list[str]
    nulls: bool
    totals: Totals

    @property
    def all_adjustments(self) -> list[AdjustmentPlan]:
        found = [a for line in self.lines for a in line.adjustments]
        found += [a for shipment in self.shipments for a in shipment.adjustments]
        return found + self.adjustments

    @property
    def total(self) -> Decimal:
        return self.totals.total

    @property
    def total_quantity(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True, slots=True)
class Totals:
    """An order's sums, as Solidus's OrderUpdater computes them."""

    item_total: Decimal
    ship_total: Decimal
    adjustment_total: Decimal
    tax_total: Decimal

    @property
    def total(self) -> Decimal:
        return self.item_total + self.ship_total + self.adjustment_total

    @classmethod
    def of(
        cls,
        lines: list[LinePlan],
        shipments: list[ShipmentPlan],
        adjustments: list[AdjustmentPlan],
    ) -> Totals:
        every = [a for line in lines for a in line.adjustments]
        every += [a for shipment in shipments for a in shipment.adjustments]
        every += adjustments
        return cls(
            item_total=sum((line.price * line.quantity for line in lines), ZERO),
            ship_total=sum((shipment.cost for shipment in shipments), ZERO),
            adjustment_total=sum((a.amount for a in every), ZERO),
            tax_total=sum((a.amount for a in every if a.tax), ZERO),
        )
