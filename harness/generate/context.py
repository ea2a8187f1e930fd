"""The seeded state one factory draws from: its random stream, ids and numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from random import Random
from typing import TypeVar

from harness.generate.clock import Clock
from harness.generate.codes import NumberSequence
from harness.generate.tables import Tables, Weighted, tables

__all__ = ["Context", "Ids"]

T = TypeVar("T")

# Where each kind of database id starts: a seed-chosen point in this range, so
# that two seeds give different ids and one seed's ids never repeat.
_ID_STARTS: tuple[tuple[str, int, int], ...] = (
    ("order", 10_000, 900_000),
    ("address", 20_000, 2_000_000),
    ("line_item", 50_000, 5_000_000),
    ("adjustment", 50_000, 5_000_000),
    ("payment", 10_000, 1_000_000),
    ("shipment", 10_000, 1_000_000),
    ("shipping_rate", 50_000, 5_000_000),
    ("credit_card", 5_000, 500_000),
    ("store_credit", 1_000, 100_000),
)


class Ids:
    """Increasing database ids per record kind."""

    def __init__(self, rng: Random) -> None:
        self._next = {kind: rng.randrange(low, high) for kind, low, high in _ID_STARTS}

    def next(self, kind: str) -> int:
        value = self._next[kind]
        self._next[kind] = value + 1
        return value


@dataclass(slots=True)
class Context:
    """Everything a builder draws from; one per factory, never shared."""

    rng: Random
    clock: Clock
    ids: Ids
    order_numbers: NumberSequence
    shipment_numbers: NumberSequence
    tables: Tables

    @classmethod
    def seeded(cls, seed: int) -> Context:
        rng = Random(seed)
        return cls(
            rng=rng,
            clock=Clock(rng),
            ids=Ids(rng),
            order_numbers=NumberSequence(rng, base=10, width=9),
            shipment_numbers=NumberSequence(rng, base=9, width=11),
            tables=tables(),
        )

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def pick(self, items: Sequence[T]) -> T:
        """One of ``items``, uniformly (``random()`` is cheaper than ``randrange``)."""
        return items[int(self.rng.random() * len(items))]

    def between(self, low: int, high: int) -> int:
        """A whole number in [low, high], uniformly."""
        return low + int(self.rng.random() * (high - low + 1))

    def weighted(self, choices: Weighted[T]) -> T:
        return choices.draw(self.rng)
