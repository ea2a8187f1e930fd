"""A contract-testing harness for receivers of Chord OMS webhooks.

The public surface is what this module exports; the modules behind it are
implementation and may change.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("chord-webhooks-harness")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

from harness.catalog import Catalog, Violation
from harness.checks import (
    CHECKS,
    Check,
    Suite,
    SuiteConfig,
    SuiteResult,
    Verdict,
    url_observer,
)
from harness.contract import (
    Contract,
    EnvelopeKeys,
    EventSpec,
    RetryPolicy,
    default_contract,
    load_contract,
)
from harness.delivery import (
    Attempt,
    AttemptLog,
    Deliverer,
    DeliveryRequest,
    FakeClock,
    MockTransport,
    Outcome,
    RequestsTransport,
    SystemClock,
    Transport,
    TransportResult,
)
from harness.envelope import encode, encode_pretty
from harness.errors import (
    ContractFileError,
    ContractViolation,
    HarnessError,
    InputError,
    SchemaFileError,
    UnknownEventTypeError,
    UsageError,
)
from harness.generate import SCENARIOS, ChordProvider, EventFactory
from harness.receiver import Mode, ReferenceReceiver

__all__ = [
    "CHECKS",
    "SCENARIOS",
    "Attempt",
    "AttemptLog",
    "Catalog",
    "Check",
    "ChordProvider",
    "Contract",
    "ContractFileError",
    "ContractViolation",
    "Deliverer",
    "DeliveryRequest",
    "EnvelopeKeys",
    "EventFactory",
    "EventSpec",
    "FakeClock",
    "HarnessError",
    "InputError",
    "MockTransport",
    "Mode",
    "Outcome",
    "ReferenceReceiver",
    "RequestsTransport",
    "RetryPolicy",
    "SchemaFileError",
    "Suite",
    "SuiteConfig",
    "SuiteResult",
    "SystemClock",
    "Transport",
    "TransportResult",
    "UnknownEventTypeError",
    "UsageError",
    "Verdict",
    "Violation",
    "__version__",
    "default_contract",
    "encode",
    "encode_pretty",
    "load_contract",
    "url_observer",
]
