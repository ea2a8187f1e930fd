"""The event builders: one order's events, at times that only move forward.

Each builder draws what it needs from the factory's ``Context`` and hands every
event to ``wrap(type, at_ms, data)``, which adds the envelope.  Within a story
(one order's events) each event happens after the one before it: inner times
(completion, shipping, scans) and envelope ``created_at`` alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.generate.clock import DAY, HOUR, MINUTE, SECOND
from harness.generate.context import Context
from harness.generate.orders import draw_order
from harness.generate.plans import OrderOptions, OrderPlan, PaymentMode
from harness.generate.render import CancelPlan, render_order
from harness.generate.shipping import (
    Parcel,
    render_delivery,
    render_shipment_ref,
    render_shipped,
    render_summary,
    scan,
    ship,
)

__all__ = ["SCENARIO_SPECS", "ScenarioSpec", "Story", "Wrap"]

Wrap = Callable[[str, int, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ScenarioSpec:
    """A named story of one order; ``final_status`` None means it is canceled."""

    name: str
    description: str
    final_status: str | None


SCENARIO_SPECS: tuple[ScenarioSpec, ...] = (
    ScenarioSpec(
        "lifecycle",
        "order_completed, shipment_shipped per shipment, then per shipment "
        "pre_transit, in_transit, out_for_delivery, delivered",
        "delivered",
    ),
    ScenarioSpec(
        "return_to_sender",
        "as lifecycle, but each shipment goes pre_transit, in_transit, "
        "return_to_sender",
        "return_to_sender",
    ),
    ScenarioSpec(
        "delivery_failure",
        "as lifecycle, but each shipment goes pre_transit, in_transit, "
        "out_for_delivery, failure",
        "failure",
    ),
    ScenarioSpec("canceled", "order_completed, then order_canceled", None),
)


def _seconds(ms: int) -> int:
    return ms - ms % SECOND


class Story:
    """Builds the events of one order, keeping their times in order."""

    def __init__(self, ctx: Context, options: OrderOptions, wrap: Wrap) -> None:
        self.ctx = ctx
        self.options = options
        self.wrap = wrap
        self.last_ms = ctx.clock.now

    def _emit(self, type: str, at_ms: int, data: dict[str, Any]) -> dict[str, Any]:
        created = at_ms + self.ctx.between(5, 900)
        self.last_ms = created
        self.ctx.clock.move_to(created)
        return self.wrap(type, created, data)

    def _order(self, completed_ms: int) -> OrderPlan:
        return draw_order(self.ctx, self.options, completed_ms)

    # -- single events ----------------------------------------------------

    def completed(self) -> dict[str, Any]:
        plan = self._order(self.ctx.clock.advance(MINUTE, 45 * MINUTE))
        return self._completed_event(plan)

    def _completed_event(self, plan: OrderPlan) -> dict[str, Any]:
        data = {"order": render_order(plan, self.ctx.tables)}
        return self._emit("order_completed", plan.updated_ms, data)

    def canceled(self) -> dict[str, Any]:
        plan = self._order(self.ctx.clock.advance(MINUTE, 45 * MINUTE))
        return self._canceled_event(plan, plan.updated_ms)

    def _canceled_event(self, plan: OrderPlan, after_ms: int) -> dict[str, Any]:
        ctx = self.ctx
        cancel = CancelPlan(
            canceled_ms=after_ms + ctx.between(10 * MINUTE, 2 * DAY),
            canceler_id=None if plan.nulls or ctx.chance(0.3) else ctx.between(1, 60),
            refund_pending=plan.mode is PaymentMode.PAID and ctx.chance(0.4),
        )
        data = {"order": render_order(plan, ctx.tables, cancel)}
        return self._emit("order_canceled", cancel.canceled_ms, data)

    def shipped(self) -> dict[str, Any]:
        ctx = self.ctx
        shipped_ms = ctx.clock.advance(MINUTE, 45 * MINUTE)
        plan = self._order(shipped_ms - ctx.between(2 * HOUR, 4 * DAY))
        index = ctx.rng.randrange(len(plan.shipments))
        parcel = ship(ctx, plan, plan.shipments[index], shipped_ms)
        last = index == len(plan.shipments) - 1
        return self._shipped_event(plan, parcel, "shipped" if last else "partial")

    def _shipped_event(
        self, plan: OrderPlan, parcel: Parcel, shipment_state: str
    ) -> dict[str, Any]:
        data = {
            "shipment": render_shipped(plan, parcel, self.ctx),
            "order": render_summary(plan, shipment_state, self.ctx),
        }
        return self._emit("shipment_shipped", parcel.shipped_ms, data)

    def delivery(self, final_status: str | None) -> dict[str, Any]:
        ctx = self.ctx
        final = final_status or ctx.weighted(ctx.tables.final_statuses)
        path = ctx.tables.statuses[final].path
        now = _seconds(ctx.clock.advance(MINUTE, 45 * MINUTE))
        gaps = [ctx.between(10 * MINUTE, 6 * HOUR)]
        gaps += [ctx.between(2 * HOUR, 30 * HOUR) for _ in path[1:]]
        shipped_ms = now - sum(gaps)
        plan = self._order(shipped_ms - ctx.between(2 * HOUR, 3 * DAY))
        parcel = ship(ctx, plan, ctx.pick(plan.shipments), shipped_ms, final)
        at = shipped_ms
        for status, gap in zip(path, gaps, strict=True):
            at = _seconds(at + gap)
            scan(ctx, plan, parcel, status, at)
        previous = None if plan.nulls or len(path) < 2 else path[-2]
        several = len(plan.shipments) > 1
        state = "partial" if several and ctx.chance(0.4) else "shipped"
        return self._delivery_event(plan, parcel, previous, state)

    def _delivery_event(
        self, plan: OrderPlan, parcel: Parcel, previous: str | None, state: str
    ) -> dict[str, Any]:
        data = {
            "order": render_summary(plan, state, self.ctx),
            "shipment": render_shipment_ref(parcel),
            "delivery": render_delivery(self.ctx, plan, parcel, previous),
        }
        return self._emit(
            "shipping_delivery_status_updated", parcel.scans[-1].at_ms, data
        )

    # -- whole stories ----------------------------------------------------

    def scenario(self, spec: ScenarioSpec) -> list[dict[str, Any]]:
        ctx = self.ctx
        plan = self._order(ctx.clock.advance(MINUTE, 45 * MINUTE))
        events = [self._completed_event(plan)]
        if spec.final_status is None:
            events.append(self._canceled_event(plan, self.last_ms))
            return events

        parcels = []
        for index, shipment in enumerate(plan.shipments):
            low, high = (2 * HOUR, 2 * DAY) if index == 0 else (10 * MINUTE, DAY)
            shipped_ms = self.last_ms + ctx.between(low, high)
            parcel = ship(ctx, plan, shipment, shipped_ms, spec.final_status)
            last = index == len(plan.shipments) - 1
            events.append(
                self._shipped_event(plan, parcel, "shipped" if last else "partial")
            )
            parcels.append(parcel)

        path = ctx.tables.statuses[spec.final_status].path
        for parcel in parcels:
            previous = None
            for status in path:
                at = _seconds(self.last_ms + ctx.between(HOUR, 20 * HOUR))
                scan(ctx, plan, parcel, status, at)
                events.append(self._delivery_event(plan, parcel, previous, "shipped"))
                previous = None if plan.nulls else status
        return events
