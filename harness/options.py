"""Numbers a user types as flags or ini values, checked once at the edge.

The CLI and the pytest plugin read the same kinds of values (seconds, counts,
seeds, ports); both turn a bad one into the same one-line ``UsageError``.
"""

from __future__ import annotations

import math

from harness.errors import UsageError

__all__ = ["seconds", "whole_number"]


def whole_number(
    flag: str, text: str, *, least: int | None = None, most: int | None = None
) -> int:
    """``text`` as an int within ``least``..``most`` (either bound optional)."""
    if least is not None and most is not None:
        span = f" from {least} to {most}"
    elif least is not None:
        span = f" {least} or more"
    else:
        span = ""
    try:
        value = int(text)
    except (TypeError, ValueError):
        value = None
    if (
        value is None
        or (least is not None and value < least)
        or (most is not None and value > most)
    ):
        example = least if least is not None else 7
        raise UsageError(
            f"{flag} takes a whole number{span}, not {text!r}",
            remedy=f"e.g. {flag} {example}",
        )
    return value


def seconds(
    flag: str,
    text: str,
    *,
    zero_ok: bool = False,
    remedy: str | None = None,
    what: str = "a number of seconds",
) -> float:
    """``text`` as a finite number, above 0 (or 0 too if ``zero_ok``)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = math.nan
    bad = math.isnan(value) or math.isinf(value) or value < 0
    if bad or (value == 0 and not zero_ok):
        kind = "0 or more" if zero_ok else "above 0"
        raise UsageError(
            f"{flag} takes {what}, {kind}, not {text!r}",
            remedy=remedy or f"e.g. {flag} 2.5",
        )
    return value
