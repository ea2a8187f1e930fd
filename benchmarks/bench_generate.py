"""Events per second of the generator, against a naive Faker builder, and CLI memory.

Run from the repository root::

    python benchmarks/bench_generate.py [--events 1500] [--repeat 5]
        [--memory-counts 10000,100000] [--skip-memory] [--cpu N]

Speed: each contender builds ``--events`` events and serializes each with
``harness.envelope.encode`` (the bytes the harness sends), on one core (the
process is pinned to one CPU, the last by default, where the OS allows it).
The contenders run interleaved, round after round, and each one's best round
counts, so that other load on the machine stays out of the comparison.  The
Faker pools are built before timing; their one-off cost per process is
reported apart.

The baseline is ``naive_order``: a straightforward builder of the same big
Solidus order that calls Faker for every field, as fixture code usually does.

Memory: ``chord-webhooks generate order_completed --count N --out DIR`` runs in
a child process; its peak resident set size comes from ``os.wait4``.  Two
counts show whether memory grows with the count.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from importlib import metadata
from typing import Any

from faker import Faker

from harness.envelope import encode
from harness.generate import EventFactory
from harness.generate.pools import pool
from harness.generate.tables import tables

TYPES = (
    "order_completed",
    "order_canceled",
    "shipment_shipped",
    "shipping_delivery_status_updated",
)


def naive_money(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if "." in text else text + ".0"


def naive_address(fake: Faker) -> dict[str, Any]:
    return {
        "id": fake.random_int(1, 10**6),
        "name": fake.name(),
        "address1": fake.street_address(),
        "address2": fake.secondary_address() if fake.boolean(30) else None,
        "city": fake.city(),
        "zipcode": fake.postcode(),
        "phone": fake.phone_number(),
        "company": fake.company() if fake.boolean(10) else None,
        "alternative_phone": None,
        "country_id": 233,
        "country_iso": "US",
        "state_id": fake.random_int(3500, 3600),
        "state_name": None,
        "state_text": fake.state_abbr(),
        "country": {
            "id": 233,
            "iso_name": "UNITED STATES",
            "iso": "US",
            "iso3": "USA",
            "name": "United States",
            "numcode": 840,
        },
        "state": {
            "id": fake.random_int(3500, 3600),
            "name": fake.state(),
            "abbr": fake.state_abbr(),
            "country_id": 233,
        },
    }


def naive_order(fake: Faker) -> dict[str, Any]:
    """The same big order, every field straight from Faker."""
    number = f"R{fake.random_number(digits=9, fix_len=True)}"
    lines = []
    for _ in range(fake.random_int(1, 5)):
        price = Decimal(fake.pydecimal(left_digits=3, right_digits=2, positive=True))
        quantity = fake.random_int(1, 3)
        line_id = fake.random_int(1, 10**7)
        lines.append(
            {
                "id": line_id,
                "quantity": quantity,
                "price": naive_money(price),
                "variant_id": fake.random_int(1, 500),
                "single_display_amount": f"${price:,.2f}",
                "display_amount": f"${price * quantity:,.2f}",
                "total": naive_money(price * quantity),
                "variant": {
                    "id": fake.random_int(1, 500),
                    "name": fake.catch_phrase(),
                    "sku": fake.bothify("???-###").upper(),
                    "price": naive_money(price),
                    "display_price": f"${price:,.2f}",
                    "weight": str(fake.pyfloat(1, 2, positive=True)),
                    "height": None,
                    "width": None,
                    "depth": None,
                    "is_master": fake.boolean(),
                    "slug": fake.slug(),
                    "description": fake.sentence(),
                    "track_inventory": True,
                    "options_text": f"Size: {fake.random_element(['S', 'M', 'L'])}",
                    "in_stock": True,
                    "is_backorderable": True,
                    "total_on_hand": fake.random_int(0, 400),
                    "product_id": fake.random_int(1, 100),
                    "option_values": [
                        {
                            "id": fake.random_int(1, 30),
                            "name": fake.color_name().lower(),
                            "presentation": fake.color_name(),
                            "option_type_name": "color",
                            "option_type_id": 2,
                            "option_type_presentation": "Color",
                        }
                    ],
                    "images": [],
                },
                "adjustments": [],
                "metadata": {},
            }
        )
    item_total = sum(Decimal(line["price"]) * line["quantity"] for line in lines)
    ship_cost = Decimal(fake.pydecimal(left_digits=2, right_digits=2, positive=True))
    total = item_total + ship_cost
    created = fake.date_time_between("-2y", "now")
    stamp = created.isoformat(timespec="milliseconds") + "Z"
    rates = [
        {
            "id": fake.random_int(1, 10**6),
            "name": fake.random_element(["UPS Ground", "USPS Priority", "FedEx 2Day"]),
            "cost": naive_money(ship_cost),
            "selected": index == 0,
            "shipping_method_id": index + 1,
            "shipping_method_code": fake.slug(),
            "display_cost": f"${ship_cost:,.2f}",
        }
        for index in range(3)
    ]
    return {
        "id": fake.uuid4(),
        "type": "order_completed",
        "created_at": stamp,
        "data": {
            "order": {
                "id": fake.random_int(1, 10**6),
                "number": number,
                "item_total": naive_money(item_total),
                "total": naive_money(total),
                "ship_total": naive_money(ship_cost),
                "state": "complete",
                "adjustment_total": "0.0",
                "user_id": fake.random_int(1, 10**6),
                "created_at": stamp,
                "updated_at": stamp,
                "completed_at": stamp,
                "payment_total": naive_money(total),
                "shipment_state": "ready",
                "payment_state": "paid",
                "email": fake.email(),
                "special_instructions": fake.sentence() if fake.boolean(10) else None,
                "channel": "spree",
                "currency": "USD",
                "total_quantity": sum(line["quantity"] for line in lines),
                "display_total": f"${total:,.2f}",
                "token": fake.pystr(22, 22),
                "bill_address": naive_address(fake),
                "ship_address": naive_address(fake),
                "line_items": lines,
                "payments": [
                    {
                        "id": fake.random_int(1, 10**6),
                        "amount": naive_money(total),
                        "state": "completed",
                        "payment_method_id": 1,
                        "source": {
                            "id": fake.random_int(1, 10**6),
                            "month": str(fake.random_int(1, 12)),
                            "year": fake.credit_card_expire()[-2:],
                            "cc_type": fake.credit_card_provider(),
                            "last_digits": fake.credit_card_number()[-4:],
                            "name": fake.name(),
                        },
                        "created_at": stamp,
                        "updated_at": stamp,
                    }
                ],
                "shipments": [
                    {
                        "id": fake.random_int(1, 10**6),
                        "number": f"H{fake.random_number(digits=11, fix_len=True)}",
                        "state": "ready",
                        "order_id": number,
                        "cost": naive_money(ship_cost),
                        "shipped_at": None,
                        "tracking": None,
                        "stock_location_name": fake.city(),
                        "shipping_rates": rates,
                        "selected_shipping_rate": rates[0],
                        "manifest": [
                            {
                                "variant_id": line["variant_id"],
                                "quantity": line["quantity"],
                                "states": {"on_hand": line["quantity"]},
                            }
                            for line in lines
                        ],
                        "adjustments": [],
                    }
                ],
                "adjustments": [],
            }
        },
    }


def pin_to_one_core(core: int | None) -> str:
    if hasattr(os, "sched_setaffinity") and hasattr(os, "sched_getaffinity"):
        chosen = max(os.sched_getaffinity(0)) if core is None else core
        os.sched_setaffinity(0, {chosen})
        return f"pinned to CPU {chosen}"
    return "not pinned (no sched_setaffinity)"


def rate(build: Callable[[], Any], count: int) -> tuple[float, int]:
    """Events per second building and encoding ``count`` events, and bytes each."""
    size = 0
    start = time.perf_counter()
    for _ in range(count):
        size += len(encode(build()))
    return count / (time.perf_counter() - start), size // count


def speed(events: int, repeat: int) -> dict[str, tuple[float, int]]:
    started = time.perf_counter()
    for name in tables().locale_names:
        pool(name)
    pools_seconds = time.perf_counter() - started
    locales = len(tables().locale_names)
    print(f"Faker pools, {locales} locales: {pools_seconds:.2f} s, once per process")

    fake = Faker()
    fake.seed_instance(1)
    factory = EventFactory(1)
    contenders: dict[str, Callable[[], Any]] = {
        f"EventFactory {name}": (lambda name=name: factory.event(name))
        for name in TYPES
    }
    contenders["naive Faker order_completed"] = lambda: naive_order(fake)
    best: dict[str, tuple[float, int]] = {}
    for _ in range(repeat):
        for label, build in contenders.items():
            measured = rate(build, events)
            if label not in best or measured[0] > best[label][0]:
                best[label] = measured
    return best


def peak_rss(count: int, folder: str) -> tuple[float, float]:
    """Peak RSS (MiB) and wall seconds of the CLI writing ``count`` files."""
    argv = [
        sys.executable, "-c", "from harness.cli import entry; entry()",
        "generate", "order_completed", "--count", str(count), "--out", folder,
    ]  # fmt: skip
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"generate --count {count} failed with {process.returncode}")
    return usage.ru_maxrss / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--memory-counts", default="10000,100000")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--cpu", type=int, help="CPU to pin to (default: the last)")
    args = parser.parse_args()

    python, faker = platform.python_version(), metadata.version("faker")
    print(
        f"Python {python}, Faker {faker}, {platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(pin_to_one_core(args.cpu))
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    best = speed(args.events, args.repeat)
    naive = best["naive Faker order_completed"][0]
    rounds = f"best of {args.repeat} rounds of {args.events} events"
    print(f"\n{rounds}, build + encode, one core")
    print(f"{'contender':<48} {'events/s':>9} {'bytes':>7} {'x naive':>8}")
    for label, (per_second, size) in best.items():
        print(f"{label:<48} {per_second:>9,.0f} {size:>7,} {per_second / naive:>8.1f}")

    if args.skip_memory:
        return
    print(
        "\nchord-webhooks generate order_completed --count N --out DIR (child process)"
    )
    print(f"{'N':>8} {'peak RSS MiB':>13} {'seconds':>9} {'files/s':>8}")
    for count in (int(text) for text in args.memory_counts.split(",")):
        folder = tempfile.mkdtemp(prefix="bench-generate-")
        try:
            rss, seconds = peak_rss(count, os.path.join(folder, "out"))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        print(f"{count:>8,} {rss:>13.1f} {seconds:>9.1f} {count / seconds:>8,.0f}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
