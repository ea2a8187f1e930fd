"""Seeded pools of Faker values, built once per locale and process.

Calling Faker for every field is what makes a naive fixture builder slow (a
Faker name costs tens of microseconds).  The generator instead asks Faker once
for a few hundred names, streets, cities, postcodes and phone numbers per
locale, keeps them as immutable tuples, and draws from them with its own seeded
``random.Random``.  The pools come from a fixed Faker seed per locale, so they
are the same in every process; a factory's seed decides which entries it draws.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from faker import Faker

from harness.generate.tables import LocaleSpec, tables

__all__ = ["POOL_SIZE", "LocalePool", "pool"]

POOL_SIZE = 256
_SMALL = POOL_SIZE // 4
_POOL_SEED = 20240501


@dataclass(frozen=True, slots=True)
class LocalePool:
    """Faker values of one locale, ready to draw from."""

    locale: LocaleSpec
    names: tuple[str, ...]
    streets: tuple[str, ...]
    secondary: tuple[str, ...]
    cities: tuple[str, ...]
    postcodes: tuple[str, ...]
    phones: tuple[str, ...]
    companies: tuple[str, ...]
    words: tuple[str, ...]
    sentences: tuple[str, ...]
    user_names: tuple[str, ...]


def _many(method: Callable[[], str], count: int) -> tuple[str, ...]:
    return tuple(method() for _ in range(count))


def _street(fake: Faker, spec: LocaleSpec) -> str:
    parts = []
    for part in spec.street_parts:
        if part == "streets":
            parts.append(fake.random.choice(spec.streets))
        else:
            parts.append(str(getattr(fake, part)()))
    return spec.street_joiner.join(parts)


@functools.cache
def pool(locale: str) -> LocalePool:
    """The pool of ``locale`` (a name from ``data/locales.json``)."""
    spec = tables().locale(locale)
    fake = Faker(locale, use_weighting=False)
    fake.seed_instance(_POOL_SEED ^ zlib.crc32(locale.encode()))
    # ASCII user names for e-mail addresses come from en_US in every locale.
    ascii_fake = Faker("en_US", use_weighting=False)
    ascii_fake.seed_instance(_POOL_SEED ^ zlib.crc32(f"{locale}/email".encode()))
    return LocalePool(
        locale=spec,
        names=_many(fake.name, POOL_SIZE),
        streets=tuple(_street(fake, spec) for _ in range(POOL_SIZE)),
        secondary=_many(fake.secondary_address, _SMALL)
        if spec.secondary_address
        else (),
        cities=spec.cities or _many(fake.city, POOL_SIZE // 2),
        postcodes=_many(fake.postcode, POOL_SIZE // 2),
        phones=_many(fake.phone_number, POOL_SIZE // 2),
        companies=_many(fake.company, _SMALL),
        words=tuple(dict.fromkeys(_many(fake.word, POOL_SIZE // 2))),
        sentences=_many(fake.sentence, _SMALL),
        user_names=_many(ascii_fake.user_name, POOL_SIZE),
    )
