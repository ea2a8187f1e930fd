"""Promotions and taxes: the adjustments of an order's lines, shipments and itself.

Amounts are exact ``Decimal`` cents: a promotion is negative, an additional
(US sales) tax positive, and a zero-total order gets a promotion that cancels
each line.
"""

from __future__ import annotations

from decimal import Decimal

from harness.generate.context import Context
from harness.generate.customers import AddressPlan
from harness.generate.money import ZERO, cents
from harness.generate.plans import AdjustmentPlan, LinePlan, ShipmentPlan

__all__ = ["adjust"]


def adjust(
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
