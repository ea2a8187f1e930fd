"""Seeded, realistic Chord OMS webhook payloads.

``EventFactory(seed)`` builds events (``event``, ``events``, ``scenario``,
``edge_cases``) that validate against the harness's schemas and add up;
``ChordProvider`` gives the same kinds of values to an integrator's own Faker.
"""

from harness.generate.factory import EDGE_CASES, SCENARIOS, EventFactory
from harness.generate.provider import ChordProvider

__all__ = ["EDGE_CASES", "SCENARIOS", "ChordProvider", "EventFactory"]
