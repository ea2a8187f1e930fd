"""Payments: captured when the order is paid, authorized when a balance is due.

A few orders pay partly with store credit or with a wallet, and some show a
failed card attempt first; only ``completed`` payments count towards the
order's ``payment_total``.
"""

from __future__ import annotations

from decimal import Decimal

from harness.generate.clock import SECOND, year_of
from harness.generate.context import Context
from harness.generate.money import cents
from harness.generate.plans import (
    CardPlan,
    OrderPlan,
    PaymentMode,
    PaymentOutcome,
    PaymentPlan,
)

__all__ = ["draw_payments"]


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


def draw_payments(ctx: Context, plan: OrderPlan) -> list[PaymentPlan]:
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
