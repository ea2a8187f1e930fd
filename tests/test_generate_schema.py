"""Every generated payload validates against its event schema.

Property tests over seeds x types x options, each scenario, and the edge
cases, validated with the harness's own ``Catalog`` (formats checked).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.catalog import Catalog
from harness.contract import default_contract
from harness.generate import SCENARIOS, EventFactory
from harness.generate.tables import tables

TYPES = default_contract().event_names
SEEDS = st.integers(0, 2**63)
OPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "line_items": st.integers(1, 8),
        "guest": st.booleans(),
        "zero_total": st.booleans(),
        "unicode": st.booleans(),
        "locale": st.sampled_from(tables().locale_names),
    },
)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog()


def assert_valid(catalog: Catalog, event: dict[str, Any]) -> None:
    violations = catalog.validate(event)
    assert not violations, "\n".join(str(v) for v in violations[:5])


@pytest.mark.parametrize("type", TYPES)
def test_every_type_validates(catalog: Catalog, type: str) -> None:
    @settings(
        derandomize=True,
        deadline=None,
        max_examples=100,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(seed=SEEDS, options=OPTIONS)
    def check(seed: int, options: dict[str, Any]) -> None:
        event = EventFactory(seed).event(type, **options)
        assert event["type"] == type
        assert_valid(catalog, event)

    check()


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_scenario_validates(catalog: Catalog, name: str) -> None:
    @settings(
        derandomize=True,
        deadline=None,
        max_examples=15,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(seed=SEEDS, options=OPTIONS)
    def check(seed: int, options: dict[str, Any]) -> None:
        for event in EventFactory(seed).scenario(name, **options):
            assert_valid(catalog, event)

    check()


@pytest.mark.parametrize("type", TYPES)
@pytest.mark.parametrize("seed", [0, 1])
def test_edge_cases_validate(catalog: Catalog, type: str, seed: int) -> None:
    for event in EventFactory(seed).edge_cases(type):
        assert_valid(catalog, event)


@pytest.mark.parametrize("status", sorted(tables().statuses))
def test_every_delivery_status_validates(catalog: Catalog, status: str) -> None:
    factory = EventFactory(5)
    for event in factory.events("shipping_delivery_status_updated", 3, status=status):
        assert_valid(catalog, event)


def test_a_broken_payload_is_caught(catalog: Catalog) -> None:
    """The check above can fail: a payload the schema forbids is reported."""
    event = EventFactory(0).event("order_completed")
    event["data"]["order"]["total"] = 12.5
    assert catalog.validate(event)
