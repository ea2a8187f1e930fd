"""Identifiers and codes in the formats Solidus, Chord and EasyPost use.

Each function draws from the ``random.Random`` it is given, so the factory's
seeded stream and a Faker instance's stream (through ``ChordProvider``) give
the same kind of values.
"""

from __future__ import annotations

import base64
import string
from random import Random

__all__ = [
    "NumberSequence",
    "easypost_id",
    "easypost_public_url",
    "event_id",
    "guest_token",
    "order_number",
    "shipment_number",
    "tracking_code",
]

_UPPER_DIGITS = string.ascii_uppercase + string.digits


def event_id(rng: Random) -> str:
    """'evt_' and 32 lower-case hex digits."""
    return f"evt_{rng.getrandbits(128):032x}"


def easypost_id(rng: Random, prefix: str) -> str:
    """An EasyPost object id: 'trk_', 'shp_', ... and 32 lower-case hex digits."""
    return f"{prefix}_{rng.getrandbits(128):032x}"


def easypost_public_url(tracker_id: str) -> str:
    """EasyPost's public tracking page for a tracker (base64 of 'v1:<id>')."""
    token = base64.urlsafe_b64encode(f"v1:{tracker_id}".encode()).decode()
    return f"https://track.easypost.com/{token.rstrip('=')}"


def order_number(rng: Random, prefix: str = "R", digits: int = 9) -> str:
    """Solidus's default order number: 'R' and nine digits."""
    return f"{prefix}{rng.randrange(10**digits):0{digits}d}"


def shipment_number(rng: Random) -> str:
    """'H' and eleven digits; like Solidus (``rand(9)``) only 0-8 appear."""
    return "H" + "".join(str(rng.randrange(9)) for _ in range(11))


def guest_token(rng: Random) -> str:
    """A 22-character URL-safe token, like Rails' ``SecureRandom.urlsafe_base64``."""
    raw = rng.getrandbits(128).to_bytes(16, "big")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _digits(rng: Random, count: int) -> str:
    return f"{rng.randrange(10**count):0{count}d}"


def tracking_code(rng: Random, carrier: str) -> str:
    """A tracking code in the carrier's own format.

    ``ups``: '1Z' + 16 characters; ``usps``: 22 digits starting 9400;
    ``fedex``: 12 digits; ``dhl``: 10 digits; ``easypost``: a test-mode code
    ('EZ4000000004').  Other carriers get 14 upper-case letters and digits.
    """
    if carrier == "ups":
        shipper = "".join(rng.choice(_UPPER_DIGITS) for _ in range(6))
        return f"1Z{shipper}03{_digits(rng, 8)}"
    if carrier == "usps":
        return f"9400{_digits(rng, 18)}"
    if carrier == "fedex":
        return _digits(rng, 12)
    if carrier == "dhl":
        return _digits(rng, 10)
    if carrier == "easypost":
        status = rng.randint(1, 7)
        return f"EZ{status}{'0' * 8}{status}"
    return "".join(rng.choice(_UPPER_DIGITS) for _ in range(14))


class NumberSequence:
    """Unique, random-looking numbers of fixed width from a seeded bijection.

    ``next()`` maps a counter through ``(a * n + b) mod base**width`` with ``a``
    coprime to the base, so no number repeats until the whole space is used,
    yet consecutive numbers look unrelated (as Solidus's random numbers do).
    """

    def __init__(self, rng: Random, base: int, width: int) -> None:
        self._base = base
        self._width = width
        self._space = base**width
        factor = rng.randrange(self._space // 3, self._space)
        while any(factor % p == 0 for p in _prime_factors(base)):
            factor += 1
        self._factor = factor
        self._offset = rng.randrange(self._space)
        self._count = 0
        # Digits in groups of three, so a number takes a few lookups to render.
        self._chunk = base**3
        self._groups = tuple(
            f"{n // base**2}{n // base % base}{n % base}" for n in range(self._chunk)
        )

    def next(self) -> str:
        value = (self._factor * self._count + self._offset) % self._space
        self._count += 1
        if self._base == 10:
            return f"{value:0{self._width}d}"
        parts = []
        for _ in range(-(-self._width // 3)):
            value, group = divmod(value, self._chunk)
            parts.append(self._groups[group])
        return "".join(reversed(parts))[-self._width :]


def _prime_factors(number: int) -> tuple[int, ...]:
    factors = []
    candidate = 2
    while candidate * candidate <= number:
        if number % candidate == 0:
            factors.append(candidate)
            while number % candidate == 0:
                number //= candidate
        candidate += 1
    if number > 1:
        factors.append(number)
    return tuple(factors)
