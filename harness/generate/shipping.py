"""Ship a shipment and follow its EasyPost tracker, rendering the shipment events.

A ``Parcel`` is a shipped shipment with its tracking code, EasyPost tracker and
the scans seen so far.  ``scan`` adds the next status (with a status_detail and
carrier text that fit it, at a later time); the renderers give the JSON of
``shipment_shipped`` and ``shipping_delivery_status_updated``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from harness.generate.clock import DAY, easypost_time, solidus_time
from harness.generate.codes import easypost_id, easypost_public_url, tracking_code
from harness.generate.context import Context
from harness.generate.customers import render_address
from harness.generate.money import rails
from harness.generate.plans import OrderPlan, ShipmentPlan
from harness.generate.render import render_manifest, shipment_base
from harness.generate.tables import Carrier

__all__ = [
    "Parcel",
    "Scan",
    "render_delivery",
    "render_shipment_ref",
    "render_shipped",
    "render_summary",
    "scan",
    "ship",
]

_OUNCES_PER_KG = Decimal("35.274")


@dataclass(frozen=True, slots=True)
class Scan:
    """One tracker scan: a status, its detail and text, when and where."""

    status: str
    detail: str | None
    message: str
    at_ms: int
    city: str | None
    state: str | None
    country: str | None
    zip: str | None


@dataclass(slots=True)
class Parcel:
    """A shipped shipment and its tracker."""

    shipment: ShipmentPlan
    carrier: Carrier
    tracking: str
    shipped_ms: int
    mode: str
    tracker_id: str
    easypost_shipment_id: str | None
    weight_oz: float | None
    est_delivery_ms: int | None
    with_tracker: bool
    bare: bool
    scans: list[Scan] = field(default_factory=list)

    @property
    def public_url(self) -> str:
        return easypost_public_url(self.tracker_id)

    @property
    def tracking_url(self) -> str:
        return self.carrier.url_for(self.tracking)


def _weight(shipment: ShipmentPlan) -> float | None:
    kilos = [
        line.variant.weight * line.quantity
        for line in shipment.lines
        if line.variant.weight is not None
    ]
    if not kilos:
        return None
    return float(round(sum(kilos) * _OUNCES_PER_KG, 1))


def ship(
    ctx: Context,
    plan: OrderPlan,
    shipment: ShipmentPlan,
    shipped_ms: int,
    final_status: str | None = None,
) -> Parcel:
    """Ship ``shipment`` at ``shipped_ms``; ``final_status`` picks a test code."""
    carrier = shipment.method.carrier
    test_codes = ctx.tables.test_codes
    if final_status in test_codes and ctx.chance(0.15):
        mode, code = "test", test_codes[final_status]
    else:
        mode, code = "production", tracking_code(ctx.rng, carrier.code)
    days = ctx.between(shipment.method.min_days, shipment.method.max_days)
    bare = plan.nulls
    return Parcel(
        shipment=shipment,
        carrier=carrier,
        tracking=code,
        shipped_ms=shipped_ms,
        mode=mode,
        tracker_id=easypost_id(ctx.rng, "trk"),
        easypost_shipment_id=easypost_id(ctx.rng, "shp") if ctx.chance(0.7) else None,
        weight_oz=_weight(shipment),
        est_delivery_ms=None if bare else (shipped_ms // DAY + days + 1) * DAY,
        with_tracker=not bare and ctx.chance(0.7),
        bare=bare,
    )


def scan(
    ctx: Context, plan: OrderPlan, parcel: Parcel, status: str, at_ms: int
) -> Scan:
    """Record the tracker's next status at ``at_ms`` and return the scan."""
    detail, message = ctx.pick(ctx.tables.statuses[status].details)
    if status == "pre_transit":
        site = parcel.shipment.stock_location
        place = (site.city, site.state, "US", site.zip)
    elif status in ("in_transit", "return_to_sender"):
        hub = ctx.pick(ctx.tables.hubs)
        place = (hub.city, hub.state, "US", hub.zip)
    elif status in ("out_for_delivery", "delivered", "failure", "available_for_pickup"):
        address = plan.ship or plan.bill
        region = address.region
        place = (
            address.city,
            region.abbr if region else None,
            address.locale.country.iso,
            address.zipcode,
        )
    else:
        place = (None, None, None, None)
    record = Scan(status, detail, message, at_ms, *place)
    parcel.scans.append(record)
    return record


def render_shipped(plan: OrderPlan, parcel: Parcel, ctx: Context) -> dict[str, Any]:
    """The shipment of a ``shipment_shipped`` event."""
    shipment = shipment_base(plan, parcel.shipment, ctx.tables)
    shipment["tracking"] = parcel.tracking
    shipment["shipped_at"] = solidus_time(parcel.shipped_ms)
    shipment["state"] = "shipped"
    shipment["manifest"] = render_manifest(parcel.shipment, "shipped")
    if parcel.bare:
        shipment["selected_shipping_rate"] = None
        shipment["carrier"] = None
    else:
        shipment["tracking_url"] = parcel.tracking_url
        shipment["external_tracking_url"] = parcel.public_url
    return shipment


def render_summary(
    plan: OrderPlan, shipment_state: str, ctx: Context
) -> dict[str, Any]:
    """The order of a shipment event: identifiers and where it goes."""
    bare = plan.nulls
    return {
        "id": plan.id,
        "number": plan.number,
        "email": plan.customer.email,
        "state": "complete",
        "shipment_state": shipment_state,
        "ship_address": render_address(plan.ship) if plan.ship else None,
        "completed_at": None if bare else solidus_time(plan.completed_ms),
        "total": rails(plan.total),
        "currency": ctx.tables.currency,
    }


def render_shipment_ref(parcel: Parcel) -> dict[str, Any]:
    """The shipment of a delivery update: identifiers and tracking."""
    return {
        "number": parcel.shipment.number,
        "state": "shipped",
        "tracking": parcel.tracking,
        "carrier": parcel.carrier.code,
        "shipped_at": solidus_time(parcel.shipped_ms),
        "tracking_url": None if parcel.bare else parcel.tracking_url,
        "external_tracking_url": None if parcel.bare else parcel.public_url,
    }


def _signed_by(ctx: Context, plan: OrderPlan, status: str) -> str | None:
    if status != "delivered" or plan.nulls or not ctx.chance(0.6):
        return None
    address = plan.ship or plan.bill
    return address.name


def _tracking_detail(record: Scan, carrier: Carrier) -> dict[str, Any]:
    return {
        "object": "TrackingDetail",
        "message": record.message,
        "description": None,
        "status": record.status,
        "status_detail": record.detail,
        "datetime": easypost_time(record.at_ms),
        "source": carrier.easypost,
        "carrier_code": None,
        "tracking_location": {
            "object": "TrackingLocation",
            "city": record.city,
            "state": record.state,
            "country": record.country,
            "zip": record.zip,
        },
    }


def _tracker(
    parcel: Parcel, record: Scan, signed_by: str | None, plan: OrderPlan
) -> dict[str, Any]:
    carrier = parcel.carrier
    site = parcel.shipment.stock_location
    address = plan.ship or plan.bill
    charged = parcel.mode == "production"
    est = parcel.est_delivery_ms
    return {
        "id": parcel.tracker_id,
        "object": "Tracker",
        "mode": parcel.mode,
        "tracking_code": parcel.tracking,
        "status": record.status,
        "status_detail": record.detail,
        "created_at": easypost_time(parcel.shipped_ms),
        "updated_at": easypost_time(record.at_ms),
        "signed_by": signed_by,
        "weight": parcel.weight_oz,
        "est_delivery_date": easypost_time(est) if est is not None else None,
        "shipment_id": parcel.easypost_shipment_id,
        "carrier": carrier.easypost,
        "tracking_details": [_tracking_detail(s, carrier) for s in parcel.scans],
        "carrier_detail": {
            "object": "CarrierDetail",
            "service": parcel.shipment.method.name,
            "container_type": None,
            "est_delivery_date_local": None,
            "est_delivery_time_local": None,
            "origin_location": f"{site.city} {site.state}, {site.zip}",
            "origin_tracking_location": None,
            "destination_location": f"{address.city}, {address.zipcode}",
            "destination_tracking_location": None,
            "guaranteed_delivery_date": None,
            "alternate_identifier": None,
            "initial_delivery_attempt": None,
        },
        "public_url": parcel.public_url,
        "fees": [
            {
                "object": "Fee",
                "type": "TrackerFee",
                "amount": "0.02000" if charged else "0.00000",
                "charged": charged,
                "refunded": False,
            }
        ],
        "finalized": record.status in ("delivered", "return_to_sender", "failure"),
        "is_return": record.status == "return_to_sender",
    }


def render_delivery(
    ctx: Context, plan: OrderPlan, parcel: Parcel, previous: str | None
) -> dict[str, Any]:
    """The delivery block of the latest scan; ``previous`` is the status before."""
    record = parcel.scans[-1]
    signed_by = _signed_by(ctx, plan, record.status)
    est = parcel.est_delivery_ms
    delivery = {
        "status": record.status,
        "previous_status": previous,
        "status_detail": record.detail,
        "message": None if parcel.bare else record.message,
        "est_delivery_date": easypost_time(est) if est is not None else None,
        "public_url": parcel.public_url,
        "signed_by": signed_by,
        "updated_at": easypost_time(record.at_ms),
    }
    if parcel.bare:
        delivery["status_detail"] = None
    if parcel.with_tracker:
        delivery["tracker"] = _tracker(parcel, record, signed_by, plan)
    return delivery
