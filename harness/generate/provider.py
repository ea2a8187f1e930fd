"""``ChordProvider``: Chord OMS values for an integrator's own Faker instance.

    >>> from faker import Faker
    >>> fake = Faker()
    >>> fake.add_provider(ChordProvider)
    >>> fake.seed_instance(7)
    >>> fake.chord_order_number()  # doctest: +SKIP
    'R407118325'

Every method draws from the Faker instance's own random stream, so seeding the
instance makes the values repeatable.
"""

from __future__ import annotations

from decimal import Decimal

from faker.providers import BaseProvider

from harness.generate import codes
from harness.generate.money import rails
from harness.generate.tables import tables

__all__ = ["ChordProvider"]


class ChordProvider(BaseProvider):
    """Faker provider for order numbers, money strings, ids and tracking codes."""

    def chord_order_number(self, prefix: str = "R") -> str:
        """'R' and nine digits (Solidus's default order number)."""
        return codes.order_number(self.generator.random, prefix=prefix)

    def chord_shipment_number(self) -> str:
        """'H' and eleven digits (0-8, as Solidus draws them)."""
        return codes.shipment_number(self.generator.random)

    def chord_money(self, low: float | str = 0, high: float | str = 100) -> str:
        """A Rails-style decimal string in [low, high]: '19.99', '100.0', '0.0'."""
        low_cents = int(Decimal(str(low)) * 100)
        high_cents = int(Decimal(str(high)) * 100)
        amount = self.generator.random.randint(low_cents, high_cents)
        return rails(Decimal(amount) / 100)

    def chord_event_id(self) -> str:
        """An envelope id: 'evt_' and 32 hex digits."""
        return codes.event_id(self.generator.random)

    def chord_tracking_code(self, carrier: str = "usps") -> str:
        """A tracking code in the format of ``carrier`` (ups, usps, fedex, dhl)."""
        return codes.tracking_code(self.generator.random, carrier.lower())

    def chord_tracker_id(self) -> str:
        """An EasyPost tracker id: 'trk_' and 32 hex digits."""
        return codes.easypost_id(self.generator.random, "trk")

    def chord_carrier(self) -> str:
        """A Chord carrier code: 'ups', 'usps', 'fedex' or 'dhl'."""
        carriers = sorted({m.carrier.code for m in tables().shipping_methods})
        return self.generator.random.choice(carriers)

    def chord_delivery_status(self) -> str:
        """An EasyPost tracker status such as 'in_transit'."""
        return self.generator.random.choice(tuple(tables().statuses))

    def chord_guest_token(self) -> str:
        """A 22-character guest token."""
        return codes.guest_token(self.generator.random)
