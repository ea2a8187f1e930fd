"""Customers and their addresses, drawn from the locale pools."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.generate.context import Context
from harness.generate.pools import LocalePool, pool
from harness.generate.tables import LocaleSpec, Region

__all__ = [
    "AddressPlan",
    "Customer",
    "choose_locale",
    "draw_address",
    "draw_customer",
    "render_address",
]


@dataclass(slots=True)
class AddressPlan:
    """One address; ``region`` is None in countries without states."""

    id: int
    name: str
    address1: str
    address2: str | None
    city: str
    zipcode: str
    phone: str | None
    alternative_phone: str | None
    company: str | None
    locale: LocaleSpec
    region: Region | None

    @property
    def domestic(self) -> bool:
        return self.locale.country.iso == "US"


@dataclass(slots=True)
class Customer:
    """Who placed the order; ``localized`` writes free text in the locale too."""

    locale: LocaleSpec
    pool: LocalePool
    name: str
    email: str
    user_id: int | None
    localized: bool


def choose_locale(ctx: Context, unicode: bool | None, locale: str | None) -> LocaleSpec:
    """The customer's locale: forced, non-Latin only, the default only, or the mix."""
    if locale is not None:
        return ctx.tables.locale(locale)
    if unicode is False:
        return ctx.tables.locales[0]
    return ctx.weighted(ctx.tables.non_latin_mix if unicode else ctx.tables.locale_mix)


def draw_customer(
    ctx: Context, spec: LocaleSpec, *, guest: bool, localized: bool
) -> Customer:
    """A customer of ``spec``; a guest has no user id."""
    people = pool(spec.name)
    user = ctx.pick(people.user_names).replace(".", "_")
    if ctx.chance(0.4):
        user = f"{user}{ctx.between(1, 99)}"
    email = f"{user}@{ctx.pick(ctx.tables.email_domains)}"
    return Customer(
        locale=spec,
        pool=people,
        name=ctx.pick(people.names),
        email=email,
        user_id=None if guest else ctx.between(1, 399_999),
        localized=localized,
    )


def draw_address(
    ctx: Context, customer: Customer, *, name: str | None = None, bare: bool = False
) -> AddressPlan:
    """An address in the customer's locale; ``bare`` leaves every nullable out."""
    spec = customer.locale
    people = customer.pool
    region = ctx.pick(spec.regions) if spec.regions and not bare else None
    address2 = None
    if people.secondary and not bare and ctx.chance(0.3):
        address2 = ctx.pick(people.secondary)
    company = ctx.pick(people.companies) if not bare and ctx.chance(0.1) else None
    phone = ctx.pick(people.phones) if not bare and ctx.chance(0.85) else None
    alternative = ctx.pick(people.phones) if phone and ctx.chance(0.05) else None
    return AddressPlan(
        id=ctx.ids.next("address"),
        name=name or customer.name,
        address1=ctx.pick(people.streets),
        address2=address2,
        city=ctx.pick(people.cities),
        zipcode=ctx.pick(people.postcodes),
        phone=phone,
        alternative_phone=alternative,
        company=company,
        locale=spec,
        region=region,
    )


def render_address(address: AddressPlan) -> dict[str, Any]:
    """The Solidus address view."""
    country = address.locale.country
    region = address.region
    return {
        "id": address.id,
        "name": address.name,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "zipcode": address.zipcode,
        "phone": address.phone,
        "company": address.company,
        "alternative_phone": address.alternative_phone,
        "country_id": country.id,
        "country_iso": country.iso,
        "state_id": region.id if region else None,
        "state_name": None,
        "state_text": region.abbr if region else None,
        "country": {
            "id": country.id,
            "iso_name": country.iso_name,
            "iso": country.iso,
            "iso3": country.iso3,
            "name": country.name,
            "numcode": country.numcode,
        },
        "state": (
            {
                "id": region.id,
                "name": region.name,
                "abbr": region.abbr,
                "country_id": country.id,
            }
            if region
            else None
        ),
    }
