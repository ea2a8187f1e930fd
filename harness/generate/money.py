"""Money as Solidus renders it: exact decimals, Rails strings and display strings."""

from __future__ import annotations

import functools
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["CENT", "ZERO", "cents", "display", "rails"]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(amount: Decimal) -> Decimal:
    """Round to whole cents, half up, as Solidus rounds taxes and discounts."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


# Both renderers are pure functions of the amount's value, and orders repeat the
# same prices and totals all the time: memoizing them saves most of their cost.
@functools.lru_cache(maxsize=16384)
def rails(amount: Decimal) -> str:
    """Render like a Rails BigDecimal in JSON: '19.99', '19.9', '100.0', '0.0'."""
    text = format(amount.normalize(), "f")
    if "." not in text:
        text += ".0"
    return "0.0" if text == "-0.0" else text


@functools.lru_cache(maxsize=16384)
def display(amount: Decimal, symbol: str = "$") -> str:
    """Render for people: '$1,234.50', '-$5.00'."""
    sign = "-" if amount < 0 else ""
    return f"{sign}{symbol}{abs(amount):,.2f}"
