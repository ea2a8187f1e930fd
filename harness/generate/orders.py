"""Draw an order: customer, line items, shipments, adjustments and payments.

Drawing makes every random decision once and keeps it in an ``OrderPlan``
(``plans``); the ``render`` module turns a plan into the Solidus order JSON at
a given stage (completed or canceled), so a scenario can show the same order
twice.

Money is ``decimal.Decimal`` throughout, so the totals hold exactly:
``total = item_total + ship_total + adjustment_total``; a line item's total is
``price * quantity`` plus its adjustments.
"""

from __future__ import annotations

from decimal import Decimal

from harness.generate.clock import DAY, MINUTE, SECOND
from harness.generate.codes import guest_token
from harness.generate.context import Context
from harness.generate.customers import (
    AddressPlan,
    Customer,
    choose_locale,
    draw_address,
    draw_customer,
)
from harness.generate.money import ZERO
from harness.generate.payments import draw_payments
from harness.generate.plans import (
    LinePlan,
    OrderOptions,
    OrderPlan,
    PaymentMode,
    ShipmentPlan,
    Totals,
)
from harness.generate.pricing import adjust
from harness.generate.tables import VariantSpec, Weighted

__all__ = ["draw_order"]

# How many line items a typical order has, and how often.
_LINE_COUNTS = Weighted.of(((1, 35), (2, 25), (3, 18), (4, 12), (5, 10)))
_QUANTITIES = Weighted.of(((1, 70), (2, 20), (3, 6), (4, 4)))
_SHIPMENT_COUNTS = Weighted.of(((1, 80), (2, 15), (3, 5)))


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
    order_adjustments = adjust(
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
        plan.payments = draw_payments(ctx, plan)
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


def _backorder(ctx: Context, shipment: ShipmentPlan) -> None:
    """Stock ran short: some units of one line wait for a restock."""
    line = ctx.pick(shipment.lines)
    line.backordered = ctx.between(1, line.quantity)
    line.on_hand = 0


def _draw_extras(ctx: Context, plan: OrderPlan) -> None:
    """Instructions, gift note, metadata and tags (Chord additions).

    A localized (``unicode``) order always has both texts, in its locale, and
    the gift note ends with an emoji: a character outside the Basic
    Multilingual Plane, which 3-byte "utf8" database columns cannot store.
    """
    tables = ctx.tables
    customer = plan.customer
    texts = customer.pool.sentences if customer.localized else None
    if texts or ctx.chance(0.12):
        plan.special_instructions = ctx.pick(texts or tables.instructions)
    if texts or ctx.chance(0.05):
        recipient = plan.ship.name if plan.ship else customer.name
        note = ctx.pick(texts or tables.gift_notes)
        plan.gift_note = {
            "from": customer.name,
            "note": f"{note} \N{WRAPPED PRESENT}" if texts else note,
            "recipient": recipient,
        }
    for key, values in tables.metadata:
        if ctx.chance(0.3):
            plan.metadata[key] = ctx.pick(values)
    if ctx.chance(0.15):
        plan.tag_list = sorted(ctx.rng.sample(tables.tags, ctx.between(1, 2)))
