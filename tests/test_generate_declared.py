"""Every field the generator emits is named by its event's schema.

The schemas allow extra properties (a real sender adds fields), so validity
alone would not notice a generated field the schemas forgot; a receiver in
strict-fields mode, or an integrator reading the schemas as documentation,
would.
"""

from __future__ import annotations

import pytest

from harness.catalog import Catalog
from harness.generate import EventFactory
from harness.receiver.strict import undeclared_fields

CATALOG = Catalog()


@pytest.mark.parametrize("event_type", CATALOG.types)
@pytest.mark.parametrize("seed", range(8))
def test_generated_fields_are_all_declared(event_type: str, seed: int) -> None:
    factory = EventFactory(seed)
    item = CATALOG.schema_file(event_type)
    resolver = CATALOG.registry.resolver(base_uri=item.uri)
    schema = CATALOG.registry[item.uri].contents

    for event in [factory.event(event_type), *factory.edge_cases(event_type)]:
        assert undeclared_fields(event, schema, resolver) == []
