"""Draw an order: line items, shipments, adjustments and payments that add up.

Drawing makes every random decision once and keeps it in an ``OrderPlan``; the
``render`` module turns a plan into the Solidus order JSON at a given stage
(completed or canceled), so a scenario can show the same order twice.

Money is ``decimal.Decimal`` throughout, so the totals hold exactly:
``total = item_total + ship_total + adjustment_total``; a line item's total is
``price * quantity`` plus its adjustments.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal

from harness.generate.clock import DAY, MINUTE, SECOND, year_of
from harness.generate.codes import guest_token
from harness.generate.context import Context
from harness.generate.customers import (
    AddressPlan,
    Customer,
    choose_locale,
    draw_address,
    draw_customer,
)
from harness.generate.money import ZERO, cents
from harness.generate.tables import (
    PaymentMethodSpec,
    ShippingMethodSpec,
    StockLocation,
    VariantSpec,
    Weighted,
)

__all__ = [
    "AdjustmentPlan",
    "CardPlan",
    "LinePlan",
    "OrderOptions",
    "OrderPlan",
    "PaymentMode",
    "PaymentPlan",
    "ShipmentPlan",
    "Totals",
    "draw_order",
]

# How many line items a typical order has, and how often.
_LINE_COUNTS = Weighted.of(((1, 35), (2, 25), (3, 18), (4, 12), (5, 10)))
_QUANTITIES = Weighted.of(((1, 70), (2, 20), (3, 6), (4, 4)))
_SHIPMENT_COUNTS = Weighted.of(((1, 80), (2, 15), (3, 5)))


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


def draw_order(ctx: Context, options: OrderOptions, completed_ms: int) -> OrderPlan:
    """Draw a whole order that completed at ``completed_ms``."""
    nulls = options.nulls
    guest = nulls or (options.guest if options.guest is not None else ctx.chance(0.25))
    zero = options.zero_total if options.zero_total is not None else ctx.chance(0.03)
    spec = choose_locale(ctx, options.unicode, options.locale)
    localized = bool(options.unicode) and not spec.latin
    customer = draw_customer(ctx, spec, guest=guest, localized=localized)
    created_ms = completed_ms - ctx.between(2 * MINUTE, 2 * DAY)

    bill = draw_address(ctx, customer, bare=nulls)
    if nulls:
        ship = None
    elif ctx.chance(0.85):
        ship = _same_place(bill, ctx.ids.next("address"))
    else:
        ship = draw_address(ctx, customer, name=ctx.pick(customer.pool.names))

    order_id = ctx.ids.next("order")
    number = "R" + ctx.order_numbers.next()
    count = options.line_items or ctx.weighted(_LINE_COUNTS)
    lines = _draw_lines(ctx, customer, count, created_ms)
    destination = ship or bill
    shipments = _draw_shipments(ctx, lines, destination, zero)
    if nulls:
        shipments = shipments[:1]
        shipments[0].lines = lines
    # Solidus recalculates adjustments at each checkout step: the ones an order
    # ends with were last written in its final minutes.
    stamp = (max(created_ms, completed_ms - 10 * MINUTE), completed_ms)
    order_adjustments = _adjust(
        ctx, order_id, lines, shipments, destination, zero, stamp
    )

    plan = OrderPlan(
        id=order_id,
        number=number,
        token=guest_token(ctx.rng),
        customer=customer,
        bill=bill,
        ship=ship,
        lines=lines,
        shipments=shipments,
        adjustments=order_adjustments,
        payments=[],
        mode=PaymentMode.FREE,
        channel=ctx.weighted(ctx.tables.channels),
        created_ms=created_ms,
        completed_ms=completed_ms,
        updated_ms=completed_ms + ctx.between(80, 2 * SECOND),
        special_instructions=None,
        gift_note=None,
        metadata={},
        tag_list=[],
        nulls=nulls,
        totals=Totals.of(lines, shipments, order_adjustments),
    )
    if plan.total > 0:
        plan.mode = PaymentMode.BALANCE_DUE if ctx.chance(0.15) else PaymentMode.PAID
        plan.payments = _draw_payments(ctx, plan)
    if plan.mode is PaymentMode.PAID and not nulls and ctx.chance(0.08):
        _backorder(ctx, ctx.pick(shipments))
    if not nulls:
        _draw_extras(ctx, plan)
    return plan


def _same_place(address: AddressPlan, new_id: int) -> AddressPlan:
    """A copy of ``address`` under another database id."""
    return AddressPlan(
        new_id,
        address.name,
        address.address1,
        address.address2,
        address.city,
        address.zipcode,
        address.phone,
        address.alternative_phone,
        address.company,
        address.locale,
        address.region,
    )


def _variants(ctx: Context, count: int) -> list[VariantSpec]:
    """``count`` distinct variants (an order has one line per variant)."""
    catalog = ctx.tables.variants
    if count <= len(catalog) // 4:
        # Draw until distinct: for the usual handful this beats random.sample.
        chosen: dict[int, VariantSpec] = {}
        while len(chosen) < count:
            variant = ctx.pick(catalog)
            chosen.setdefault(variant.id, variant)
        return list(chosen.values())
    if count <= len(catalog):
        return ctx.rng.sample(catalog, count)
    extra = [
        VariantSpec(
            id=len(catalog) + index + 1,
            product_id=10_000 + index,
            sku=f"SAMPLE-{index + 1:05d}",
            name=f"Sample Pack No. {index + 1}",
            slug=f"sample-pack-{index + 1}",
            price=Decimal(300 + index * 7919 % 2700) / 100,
            weight=None,
            option_values=(),
        )
        for index in range(count - len(catalog))
    ]
    return [*ctx.rng.sample(catalog, len(catalog)), *extra]


def _draw_lines(
    ctx: Context, customer: Customer, count: int, created_ms: int
) -> list[LinePlan]:
    lines = []
    for variant in _variants(ctx, count):
        name = variant.name
        if customer.localized:
            words = customer.pool.words
            name = f"{ctx.pick(words)} {ctx.pick(words)}"
        lines.append(
            LinePlan(
                id=ctx.ids.next("line_item"),
                variant=variant,
                name=name,
                quantity=ctx.weighted(_QUANTITIES),
                price=variant.price,
                on_hand=ctx.between(5, 399),
            )
        )
    return lines


def _draw_shipments(
    ctx: Context, lines: list[LinePlan], destination: AddressPlan, zero: bool
) -> list[ShipmentPlan]:
    """Split the lines over 1-3 shipments from different stock locations."""
    locations = ctx.tables.stock_locations
    count = min(ctx.weighted(_SHIPMENT_COUNTS), len(lines), len(locations))
    if count == 1:
        bounds = [0, len(lines)]
        sites = [ctx.pick(locations)]
    else:
        cuts = sorted(ctx.rng.sample(range(1, len(lines)), count - 1))
        bounds = [0, *cuts, len(lines)]
        sites = ctx.rng.sample(locations, count)
    methods = ctx.tables.methods_in(destination.domestic)
    shipments = []
    for index, site in enumerate(sites):
        chosen = methods[0] if ctx.chance(0.55) else ctx.pick(methods)
        rates = [
            (ctx.ids.next("shipping_rate"), method, ZERO if zero else method.cost)
            for method in methods
        ]
        shipments.append(
            ShipmentPlan(
                id=ctx.ids.next("shipment"),
                number="H" + ctx.shipment_numbers.next(),
                method=chosen,
                rates=rates,
                cost=ZERO if zero else chosen.cost,
                stock_location=site,
                lines=lines[bounds[index] : bounds[index + 1]],
            )
        )
    return shipments


def _adjust(
    ctx: Context,
    order_id: int,
    lines: list[LinePlan],
    shipments: list[ShipmentPlan],
    destination: AddressPlan,
    zero: bool,
    stamp: tuple[int, int],
) -> list[AdjustmentPlan]:
    """Add promotions and taxes to lines and shipments; return the order's own."""
    tables = ctx.tables
    low, high = stamp

    def adjustment(
        amount: Decimal,
        label: str,
        source: tuple[str, int] | None,
        target: str,
        on: int,
    ) -> AdjustmentPlan:
        return AdjustmentPlan(
            id=ctx.ids.next("adjustment"),
            amount=amount,
            label=label,
            source_type=source[0] if source else None,
            source_id=source[1] if source else None,
            adjustable_type=target,
            adjustable_id=on,
            created_ms=ctx.between(low, high),
            tax=source is not None and source[0] == "Spree::TaxRate",
        )

    promo = "Spree::PromotionAction"
    if zero:
        code = tables.free_item_promotion
        for line in lines:
            line.adjustments.append(
                adjustment(
                    -line.amount,
                    f"Promotion ({code})",
                    (promo, 1),
                    "Spree::LineItem",
                    line.id,
                )
            )
        return []

    if ctx.chance(0.12):
        index = ctx.rng.randrange(len(tables.line_promotions))
        code, percent = tables.line_promotions[index]
        for line in lines:
            if ctx.chance(0.6):
                cut = -cents(line.amount * percent)
                label = f"Promotion ({code})"
                line.adjustments.append(
                    adjustment(
                        cut, label, (promo, 10 + index), "Spree::LineItem", line.id
                    )
                )
    for shipment in shipments:
        if shipment.cost > 0 and ctx.chance(0.08):
            code = ctx.pick(tables.shipping_promotions)
            shipment.adjustments.append(
                adjustment(
                    -shipment.cost,
                    f"Promotion ({code})",
                    (promo, 30),
                    "Spree::Shipment",
                    shipment.id,
                )
            )

    own = []
    if ctx.chance(0.08):
        index = ctx.rng.randrange(len(tables.order_promotions))
        code, value = tables.order_promotions[index]
        left = sum((line.total for line in lines), ZERO)
        if left > value:
            label = f"Promotion ({code})"
            own.append(
                adjustment(-value, label, (promo, 20 + index), "Spree::Order", order_id)
            )

    region = destination.region
    if region is not None and region.tax_rate > 0:
        percent = format((region.tax_rate * 100).normalize(), "f")
        label = f"{region.name} Sales Tax {percent}%"
        for line in lines:
            tax = cents(line.total * region.tax_rate)
            if tax > 0:
                source = ("Spree::TaxRate", region.id)
                line.adjustments.append(
                    adjustment(tax, label, source, "Spree::LineItem", line.id)
                )
    return own


def _card(ctx: Context, plan_name: str, completed_ms: int) -> CardPlan:
    year = year_of(completed_ms) + ctx.between(1, 6)
    return CardPlan(
        id=ctx.ids.next("credit_card"),
        month=ctx.between(1, 12),
        year=year,
        cc_type=ctx.weighted(ctx.tables.card_types),
        last_digits=f"{ctx.rng.randrange(10_000):04d}",
        name=plan_name,
    )


def _draw_payments(ctx: Context, plan: OrderPlan) -> list[PaymentPlan]:
    """Payments for a non-zero total: captured when paid, authorized otherwise."""
    tables = ctx.tables
    total = plan.total
    completed = plan.completed_ms
    outcome = (
        PaymentOutcome.COMPLETED
        if plan.mode is PaymentMode.PAID
        else PaymentOutcome.PENDING
    )

    def payment(kind: str, amount: Decimal, state: PaymentOutcome) -> PaymentPlan:
        method = tables.payment_method(kind)
        card = _card(ctx, plan.bill.name, completed) if kind == "card" else None
        source_id = card.id if card else None
        if kind == "store_credit":
            source_id = ctx.ids.next("store_credit")
        created = completed - ctx.between(2 * SECOND, 90 * SECOND)
        avs = ctx.pick(tables.avs_responses) if card and ctx.chance(0.9) else None
        return PaymentPlan(
            id=ctx.ids.next("payment"),
            method=method,
            amount=amount,
            outcome=state,
            card=card,
            source_id=source_id,
            avs_response=avs,
            created_ms=created,
            updated_ms=completed + ctx.between(10, 900),
        )

    payments = []
    if ctx.chance(0.05):
        payments.append(payment("card", total, PaymentOutcome.FAILED))
    draw = ctx.rng.random()
    if plan.mode is PaymentMode.PAID and draw < 0.08:
        credit = min(total, cents(Decimal(ctx.between(500, 6000)) / 100))
        payments.append(payment("store_credit", credit, outcome))
        if credit < total:
            payments.append(payment("card", total - credit, outcome))
    elif draw < 0.18:
        payments.append(payment("wallet", total, outcome))
    else:
        payments.append(payment("card", total, outcome))
    if plan.nulls:
        for item in payments:
            item.card = None
            item.source_id = None
            item.avs_response = None
    return payments


def _backorder(ctx: Context, shipment: ShipmentPlan) -> None:
    """Stock ran short: some units of one line wait for a restock."""
    line = ctx.pick(shipment.lines)
    line.backordered = ctx.between(1, line.quantity)
    line.on_hand = 0


def _draw_extras(ctx: Context, plan: OrderPlan) -> None:
    """Instructions, gift note, metadata and tags (Chord additions)."""
    tables = ctx.tables
    customer = plan.customer
    texts = customer.pool.sentences if customer.localized else None
    if ctx.chance(0.12):
        plan.special_instructions = ctx.pick(texts or tables.instructions)
    if ctx.chance(0.05):
        recipient = plan.ship.name if plan.ship else customer.name
        plan.gift_note = {
            "from": customer.name,
            "note": ctx.pick(texts or tables.gift_notes),
            "recipient": recipient,
        }
    for key, values in tables.metadata:
        if ctx.chance(0.3):
            plan.metadata[key] = ctx.pick(values)
    if ctx.chance(0.15):
        plan.tag_list = sorted(ctx.rng.sample(tables.tags, ctx.between(1, 2)))
