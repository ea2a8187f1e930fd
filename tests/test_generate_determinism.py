"""Same seed, same calls: byte-identical events, in this process and in others."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from harness.envelope import encode
from harness.generate import SCENARIOS, EventFactory

# A batch that touches every builder: plain events with options, every
# scenario and the edge cases.  Written out so a fresh interpreter runs the
# very same calls.
BATCH = textwrap.dedent(
    """
    def batch(seed):
        from harness.envelope import encode
        from harness.generate import SCENARIOS, EventFactory

        factory = EventFactory(seed)
        events = []
        for type in (
            "order_completed",
            "order_canceled",
            "shipment_shipped",
            "shipping_delivery_status_updated",
        ):
            events += list(factory.events(type, 3))
            events.append(factory.event(type, unicode=True, guest=True))
            events += factory.edge_cases(type)[1:]
        for name in SCENARIOS:
            events += factory.scenario(name, line_items=2)
        return b"\\n".join(encode(event) for event in events)
    """
)


def batch(seed: int) -> bytes:
    scope: dict[str, object] = {}
    exec(BATCH, scope)
    return scope["batch"](seed)  # type: ignore[operator]


def fresh_interpreter(seed: int, hash_seed: str) -> bytes:
    """The batch's bytes as a brand-new Python process builds them."""
    script = BATCH + f"\nimport sys\nsys.stdout.buffer.write(batch({seed}))\n"
    env = dict(os.environ, PYTHONHASHSEED=hash_seed)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        env=env,
        timeout=120,
        check=True,
    )
    return result.stdout


def test_same_seed_same_bytes_in_process() -> None:
    assert batch(17) == batch(17)


def test_different_seeds_differ() -> None:
    first, second = batch(17), batch(18)
    assert first != second
    assert first.split(b"\n")[0] != second.split(b"\n")[0]


def test_two_fresh_interpreters_give_the_same_bytes() -> None:
    """Different hash seeds, processes and moments: still the same bytes."""
    here = batch(23)
    one = fresh_interpreter(23, hash_seed="1")
    two = fresh_interpreter(23, hash_seed="987654")
    assert one == two
    assert one == here
    assert len(one) > 10_000


def test_factories_do_not_share_state() -> None:
    """Interleaving two factories changes neither one's stream."""
    alone = [encode(e) for e in EventFactory(3).events("order_completed", 4)]
    left, right = EventFactory(3), EventFactory(99)
    mixed = []
    for _ in range(4):
        mixed.append(encode(left.event("order_completed")))
        right.event("shipment_shipped")
    assert mixed == alone


def test_a_stream_continues_rather_than_repeats() -> None:
    """One factory never repeats an order: ids and numbers stay unique."""
    factory = EventFactory(5)
    orders = [e["data"]["order"] for e in factory.events("order_completed", 300)]
    assert len({o["id"] for o in orders}) == len(orders)
    assert len({o["number"] for o in orders}) == len(orders)
    shipments = [s["number"] for o in orders for s in o["shipments"]]
    assert len(set(shipments)) == len(shipments)
    stamps = [o["completed_at"] for o in orders]
    assert stamps == sorted(stamps)


def test_scenario_names_are_stable() -> None:
    assert SCENARIOS[:4] == (
        "lifecycle",
        "return_to_sender",
        "delivery_failure",
        "canceled",
    )
