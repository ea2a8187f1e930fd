"""Render an ``OrderPlan`` as the Solidus API "big" order, completed or canceled.

States follow Solidus (domain reference section 5.1, "State combinations"):

- completed and paid: payments ``completed``, shipments ``ready`` (``pending``
  with backordered units, making the order's shipment_state ``backorder``);
- completed with the payment only authorized: payment ``pending``,
  payment_state ``balance_due``, shipments and shipment_state ``pending``;
- zero total: no payments, payment_state ``paid``, no ``payment`` checkout step;
- canceled: shipments and shipment_state ``canceled``, payments ``void``
  (payment_state ``void``, payment_total 0) or still ``completed`` awaiting a
  refund (payment_state ``credit_owed``); never shipped.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from harness.generate.clock import solidus_time
from harness.generate.customers import render_address
from harness.generate.money import ZERO, display, rails
from harness.generate.plans import (
    AdjustmentPlan,
    LinePlan,
    OrderPlan,
    PaymentMode,
    PaymentOutcome,
    PaymentPlan,
    ShipmentPlan,
)
from harness.generate.tables import Tables, VariantSpec

__all__ = [
    "CancelPlan",
    "render_adjustment",
    "render_manifest",
    "render_order",
    "shipment_base",
]


@dataclass(frozen=True, slots=True)
class CancelPlan:
    """How and when an order was canceled."""

    canceled_ms: int
    canceler_id: int | None
    refund_pending: bool


def render_adjustment(adjustment: AdjustmentPlan, symbol: str) -> dict[str, Any]:
    stamp = solidus_time(adjustment.created_ms)
    return {
        "id": adjustment.id,
        "source_type": adjustment.source_type,
        "source_id": adjustment.source_id,
        "adjustable_type": adjustment.adjustable_type,
        "adjustable_id": adjustment.adjustable_id,
        "amount": rails(adjustment.amount),
        "label": adjustment.label,
        "finalized": True,
        "eligible": True,
        "created_at": stamp,
        "updated_at": stamp,
        "display_amount": display(adjustment.amount, symbol),
    }


@functools.lru_cache(maxsize=1024)
def _variant_fixed(
    variant: VariantSpec, symbol: str
) -> tuple[tuple[tuple[str, Any], ...], tuple[tuple[tuple[str, Any], ...], ...]]:
    """The parts of a variant's JSON that never change, as immutable pairs."""
    weight = variant.weight
    fields = (
        ("sku", variant.sku),
        ("price", rails(variant.price)),
        ("display_price", display(variant.price, symbol)),
        ("weight", None if weight is None else rails(weight)),
        ("height", None),
        ("width", None),
        ("depth", None),
        ("is_master", not variant.option_values),
        ("slug", variant.slug),
        ("description", None),
        ("track_inventory", True),
        ("options_text", variant.options_text),
        ("in_stock", True),
        ("is_backorderable", True),
        ("is_destroyed", False),
        ("total_on_hand", None),
        ("product_id", variant.product_id),
    )
    values = tuple(
        (
            ("id", value.id),
            ("name", value.name),
            ("presentation", value.presentation),
            ("option_type_name", value.type_name),
            ("option_type_id", value.type_id),
            ("option_type_presentation", value.type_presentation),
        )
        for value in variant.option_values
    )
    return fields, values


def _variant(line: LinePlan, symbol: str, bare: bool) -> dict[str, Any]:
    variant = line.variant
    fields, values = _variant_fixed(variant, symbol)
    rendered: dict[str, Any] = {"id": variant.id, "name": line.name}
    rendered.update(fields)
    if bare:
        rendered["weight"] = None
    else:
        rendered["total_on_hand"] = line.on_hand
    rendered["in_stock"] = line.backordered == 0
    rendered["option_values"] = [dict(pairs) for pairs in values]
    rendered["images"] = []
    rendered["metadata"] = {}
    return rendered


def _line(line: LinePlan, symbol: str, bare: bool) -> dict[str, Any]:
    price = line.price
    amount = price * line.quantity
    adjustments = line.adjustments
    total = amount
    for adjustment in adjustments:
        total += adjustment.amount
    return {
        "id": line.id,
        "quantity": line.quantity,
        "price": rails(price),
        "variant_id": line.variant.id,
        "single_display_amount": display(price, symbol),
        "display_amount": display(amount, symbol),
        "total": rails(total),
        "variant": _variant(line, symbol, bare),
        "adjustments": [render_adjustment(a, symbol) for a in adjustments],
        "metadata": {},
    }


def render_manifest(shipment: ShipmentPlan, state: str | None) -> list[dict[str, Any]]:
    """The manifest; ``state`` puts every unit in one state, None keeps stock."""
    items = []
    for line in shipment.lines:
        if state is not None:
            states = {state: line.quantity}
        elif line.backordered:
            states = {"on_hand": line.quantity - line.backordered}
            states["backordered"] = line.backordered
            if not states["on_hand"]:
                del states["on_hand"]
        else:
            states = {"on_hand": line.quantity}
        items.append(
            {
                "variant_id": line.variant.id,
                "quantity": line.quantity,
                "states": states,
                "sku": line.variant.sku,
            }
        )
    return items


def shipment_base(
    plan: OrderPlan, shipment: ShipmentPlan, tables: Tables
) -> dict[str, Any]:
    """A shipment's fields before shipping; callers set state and tracking."""
    symbol = tables.currency_symbol
    method = shipment.method
    zone = method.zone
    category_id, category_name = tables.shipping_category
    rates = [
        {
            "id": rate_id,
            "name": option.name,
            "cost": rails(cost),
            "selected": option is method,
            "shipping_method_id": option.id,
            "shipping_method_code": option.code,
            "display_cost": display(cost, symbol),
        }
        for rate_id, option, cost in shipment.rates
    ]
    selected = next(rate for rate in rates if rate["selected"])
    return {
        "id": shipment.id,
        "tracking": None,
        "tracking_url": None,
        "number": shipment.number,
        "cost": rails(shipment.cost),
        "display_cost": display(shipment.cost, symbol),
        "shipped_at": None,
        "state": "pending",
        "order_id": plan.number,
        "stock_location_name": shipment.stock_location.name,
        "shipping_rates": rates,
        "selected_shipping_rate": dict(selected),
        "shipping_methods": [
            {
                "id": method.id,
                "code": method.code,
                "name": method.name,
                "zones": [
                    {"id": zone.id, "name": zone.name, "description": zone.description}
                ],
                "shipping_categories": [{"id": category_id, "name": category_name}],
            }
        ],
        "manifest": [],
        "adjustments": [render_adjustment(a, symbol) for a in shipment.adjustments],
        "carrier": method.carrier.code,
        "external_tracking_url": None,
    }


def _payment(
    payment: PaymentPlan, state: str, symbol: str, cancel: CancelPlan | None
) -> dict[str, Any]:
    card = payment.card
    if card is not None:
        source: dict[str, Any] | None = {
            "id": card.id,
            "month": str(card.month),
            "year": str(card.year),
            "cc_type": card.cc_type,
            "last_digits": card.last_digits,
            "name": card.name,
        }
    elif payment.method.kind == "store_credit" and payment.source_id:
        source = {
            "id": payment.source_id,
            "memo": None,
            "created_at": solidus_time(payment.created_ms),
            "category": {"id": 1, "name": "Gift Card"},
        }
    else:
        source = None
    bare = payment.source_id is None
    voided = cancel is not None and state == "void"
    updated_ms = cancel.canceled_ms if voided and cancel else payment.updated_ms
    return {
        "id": payment.id,
        "source_type": None if bare else payment.method.source_type,
        "source_id": payment.source_id,
        "amount": rails(payment.amount),
        "display_amount": display(payment.amount, symbol),
        "payment_method_id": payment.method.id,
        "state": state,
        "avs_response": payment.avs_response,
        "created_at": solidus_time(payment.created_ms),
        "updated_at": solidus_time(updated_ms),
        "payment_method": {"id": payment.method.id, "name": payment.method.name},
        "source": source,
    }


def _payment_states(plan: OrderPlan, cancel: CancelPlan | None) -> list[str]:
    states = []
    for payment in plan.payments:
        state = payment.outcome.value
        if cancel is not None and payment.outcome is not PaymentOutcome.FAILED:
            refund = cancel.refund_pending and state == "completed"
            state = "completed" if refund else "void"
        states.append(state)
    return states


def _shipment_states(plan: OrderPlan, cancel: CancelPlan | None) -> list[str]:
    if cancel is not None:
        return ["canceled"] * len(plan.shipments)
    if plan.mode is PaymentMode.BALANCE_DUE:
        return ["pending"] * len(plan.shipments)
    return ["pending" if s.backordered else "ready" for s in plan.shipments]


def _order_shipment_state(plan: OrderPlan, cancel: CancelPlan | None) -> str | None:
    if plan.nulls or not plan.shipments:
        return None
    if cancel is not None:
        return "canceled"
    if plan.mode is PaymentMode.BALANCE_DUE:
        return "pending"
    return "backorder" if any(s.backordered for s in plan.shipments) else "ready"


def _payment_state(plan: OrderPlan, cancel: CancelPlan | None, paid: Decimal) -> str:
    if cancel is not None:
        return "void" if paid == 0 else "credit_owed"
    if plan.mode is PaymentMode.BALANCE_DUE:
        return "balance_due"
    return "paid"


def render_order(
    plan: OrderPlan, tables: Tables, cancel: CancelPlan | None = None
) -> dict[str, Any]:
    """The order as the webhook carries it, completed or (with ``cancel``) canceled."""
    symbol = tables.currency_symbol
    bare = plan.nulls
    payments = list(zip(plan.payments, _payment_states(plan, cancel), strict=True))
    paid = sum((p.amount for p, s in payments if s == "completed"), ZERO)
    shipment_states = _shipment_states(plan, cancel)
    shipments = []
    for shipment, state in zip(plan.shipments, shipment_states, strict=True):
        rendered = shipment_base(plan, shipment, tables)
        rendered["state"] = state
        manifest_state = "canceled" if state == "canceled" else None
        rendered["manifest"] = render_manifest(shipment, manifest_state)
        if bare:
            rendered["selected_shipping_rate"] = None
            rendered["carrier"] = None
        shipments.append(rendered)

    totals = plan.totals
    item_total = totals.item_total
    ship_total = totals.ship_total
    adjustment_total = totals.adjustment_total
    tax_total = totals.tax_total
    total = totals.total
    steps = ["address", "delivery", "payment", "confirm", "complete"]
    if plan.mode is PaymentMode.FREE:
        steps.remove("payment")
    updated_ms = cancel.canceled_ms if cancel else plan.updated_ms
    covered = bool(payments) and all(
        p.method.kind == "store_credit" for p, s in payments if s != "failed"
    )
    customer = plan.customer
    return {
        "id": plan.id,
        "number": plan.number,
        "item_total": rails(item_total),
        "total": rails(total),
        "ship_total": rails(ship_total),
        "state": "canceled" if cancel else "complete",
        "adjustment_total": rails(adjustment_total),
        "user_id": customer.user_id,
        "created_at": solidus_time(plan.created_ms),
        "updated_at": solidus_time(updated_ms),
        "completed_at": solidus_time(plan.completed_ms),
        "payment_total": rails(paid),
        "shipment_state": _order_shipment_state(plan, cancel),
        "payment_state": None if bare else _payment_state(plan, cancel, paid),
        "email": customer.email,
        "special_instructions": plan.special_instructions,
        "channel": plan.channel,
        "included_tax_total": "0.0",
        "additional_tax_total": rails(tax_total),
        "display_included_tax_total": display(ZERO, symbol),
        "display_additional_tax_total": display(tax_total, symbol),
        "tax_total": rails(tax_total),
        "currency": tables.currency,
        "covered_by_store_credit": covered,
        "canceler_id": cancel.canceler_id if cancel else None,
        "display_item_total": display(item_total, symbol),
        "total_quantity": plan.total_quantity,
        "display_total": display(total, symbol),
        "display_ship_total": display(ship_total, symbol),
        "display_tax_total": display(tax_total, symbol),
        "token": plan.token,
        "checkout_steps": steps,
        "metadata": dict(plan.metadata),
        "locale": customer.locale.language,
        "tag_list": list(plan.tag_list),
        "gift_note": dict(plan.gift_note) if plan.gift_note else None,
        "bill_address": render_address(plan.bill),
        "ship_address": render_address(plan.ship) if plan.ship else None,
        "line_items": [_line(line, symbol, bare) for line in plan.lines],
        "payments": [_payment(p, s, symbol, cancel) for p, s in payments],
        "shipments": shipments,
        "adjustments": [render_adjustment(a, symbol) for a in plan.adjustments],
    }
