"""pytest wiring: the contract suite as collected tests, and ``chord_`` fixtures.

Dormant until asked: without ``--chord-endpoint`` (or ``CHORD_WEBHOOK_URL``)
it only offers fixtures.  With an endpoint it adds one test item per check and
event type, all under a ``chord-contract`` node.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from harness.catalog import Catalog
from harness.checks import (
    Check,
    ProcessedCount,
    Suite,
    SuiteConfig,
    Verdict,
    check_by_id,
    plan,
)
from harness.contract import Contract, load_contract
from harness.delivery import AttemptLog, Deliverer, check_url
from harness.errors import ContractViolation, HarnessError
from harness.generate import EventFactory
from harness.options import seconds, whole_number

__all__ = ["ENDPOINT_ENV"]

ENDPOINT_ENV = "CHORD_WEBHOOK_URL"
_SUITE_NODE = "chord-contract"


@dataclass(frozen=True)
class _Settings:
    """The plugin's options, read and checked once at configure time."""

    endpoint: str | None
    contract: Contract
    event_types: tuple[str, ...]
    timeout: float | None
    seed: int | None


_settings_key = pytest.StashKey[_Settings]()
_suite_key = pytest.StashKey[Suite]()
_seed_key = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("chord", "Chord OMS webhook contract")
    group.addoption(
        "--chord-endpoint",
        metavar="URL",
        help=f"run the Chord OMS contract suite against URL (or set {ENDPOINT_ENV})",
    )
    group.addoption(
        "--chord-events",
        metavar="TYPE[,TYPE...]",
        help="event types the endpoint subscribes to (default: all)",
    )
    group.addoption("--chord-timeout", metavar="SECONDS", help="per-attempt deadline")
    group.addoption("--chord-seed", metavar="N", help="seed of generated events")
    group.addoption("--chord-contract", metavar="FILE", help="contract TOML file")
    group.addoption(
        "--chord-require-endpoint",
        action="store_true",
        help=f"fail unless an endpoint is given (for CI gates using {ENDPOINT_ENV})",
    )
    for name, help_text in (
        ("chord_endpoint", "endpoint URL to run the contract suite against"),
        ("chord_events", "comma-separated event types the endpoint subscribes to"),
        ("chord_timeout", "per-attempt deadline in seconds"),
        ("chord_seed", "seed of generated events"),
        ("chord_contract", "contract TOML file"),
    ):
        parser.addini(name, help_text, default=None)


def _option(config: pytest.Config, name: str) -> str | None:
    value = config.getoption(f"--{name.replace('_', '-')}")
    if value is None:
        value = config.getini(name)
    return value or None


def _read_settings(config: pytest.Config) -> _Settings:
    """Check every option once; misuse is a pytest usage error, not a failure."""
    try:
        contract = load_contract(_option(config, "chord_contract"))
        endpoint = _option(config, "chord_endpoint") or os.environ.get(ENDPOINT_ENV)
        if endpoint:
            endpoint = check_url(endpoint)
        elif config.getoption("--chord-require-endpoint"):
            raise HarnessError(
                "no endpoint to verify",
                remedy=f"set {ENDPOINT_ENV} or pass --chord-endpoint URL",
            )
        events = _option(config, "chord_events")
        names = tuple(n.strip() for n in (events or "").split(",") if n.strip())
        event_types = tuple(dict.fromkeys(contract.canonical_type(n) for n in names))
        return _Settings(
            endpoint=endpoint,
            contract=contract,
            event_types=event_types or contract.event_names,
            timeout=_maybe(
                seconds, "--chord-timeout", _option(config, "chord_timeout")
            ),
            seed=_maybe(whole_number, "--chord-seed", _option(config, "chord_seed")),
        )
    except HarnessError as exc:
        raise pytest.UsageError(f"chord: {exc}") from None


def _maybe(parse: Callable[[str, str], Any], flag: str, text: str | None) -> Any:
    return None if text is None else parse(flag, text)


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_settings_key] = _read_settings(config)


def pytest_report_header(config: pytest.Config) -> str | None:
    settings = config.stash.get(_settings_key, None)
    if settings is None or settings.endpoint is None:
        return None
    return (
        f"chord: verifying {settings.endpoint} for "
        f"{', '.join(settings.event_types)} (seed {settings.seed or 0})"
    )


# -- the contract suite as collected items -------------------------------------


class ChordContractSuite(pytest.Collector):
    """The node that holds one item per check and event type."""

    def collect(self) -> Iterator[pytest.Item]:
        settings = self.config.stash[_settings_key]
        for check, event_type in plan(settings.event_types):
            yield ChordCheckItem.from_parent(
                self,
                name=f"{check.id}[{event_type}]",
                check=check,
                event_type=event_type,
            )


class ChordCheckItem(pytest.Function):
    """One contract check for one event type, run as a pytest test."""

    def __init__(self, *, check: Check, event_type: str, **kwargs: Any) -> None:
        self.check = check
        self.event_type = event_type
        super().__init__(callobj=self._run_check, **kwargs)

    def _run_check(self, chord_processed_count: ProcessedCount | None) -> None:
        suite = _session_suite(self.config, chord_processed_count)
        verdict = suite.run_check(self.check, self.event_type)
        self.user_properties.append(("chord_verdict", verdict.to_dict()))
        if verdict.skipped is not None:
            pytest.skip(f"{self.check.id}: {verdict.skipped}")
        if not verdict.passed:
            raise ContractViolation(verdict)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException]) -> str:
        if isinstance(excinfo.value, ContractViolation):
            verdict: Verdict = excinfo.value.verdict
            return verdict.render()
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[str, int | None, str]:
        return _SUITE_NODE, None, f"{self.check.id}[{self.event_type}]"


def _session_suite(config: pytest.Config, observe: ProcessedCount | None) -> Suite:
    suite = config.stash.get(_suite_key, None)
    if suite is None:
        settings = config.stash[_settings_key]
        assert settings.endpoint is not None
        suite = Suite(
            SuiteConfig(
                url=settings.endpoint,
                contract=settings.contract,
                event_types=settings.event_types,
                seed=settings.seed or 0,
                timeout=settings.timeout,
                processed_count=observe,
            )
        )
        config.stash[_suite_key] = suite
    return suite


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    settings = config.stash[_settings_key]
    if settings.endpoint is None:
        return
    suite = ChordContractSuite.from_parent(
        session, name=_SUITE_NODE, nodeid=_SUITE_NODE
    )
    # genitems reports the collection, so pytest counts and lists the items.
    items.extend(session.genitems(suite))


def pytest_unconfigure(config: pytest.Config) -> None:
    suite = config.stash.get(_suite_key, None)
    if suite is not None:
        suite.close()


# -- fixtures ------------------------------------------------------------------


@pytest.fixture(scope="session")
def chord_contract(pytestconfig: pytest.Config) -> Contract:
    """The delivery contract in force (``--chord-contract`` or the shipped one)."""
    return pytestconfig.stash[_settings_key].contract


@pytest.fixture(scope="session")
def chord_processed_count() -> ProcessedCount | None:
    """Override in your rootdir ``conftest.py`` to enable the processed-once check.

    Return a function from event id to the number of times your application
    processed that event.  The default, ``None``, skips the check.
    """
    return None


@pytest.fixture
def chord_seed(request: pytest.FixtureRequest) -> int:
    """This test's seed: ``--chord-seed`` or ini ``chord_seed`` plus the test's id.

    Stable across runs and machines; shown in the report when the test fails.
    """
    base = request.config.stash[_settings_key].seed or 0
    seed = base ^ zlib.crc32(request.node.nodeid.encode())
    request.node.stash[_seed_key] = seed
    return seed


@pytest.fixture
def chord_event(
    chord_seed: int, chord_contract: Contract
) -> Callable[..., dict[str, Any]]:
    """Make a valid event: ``chord_event("order_completed", overrides={...})``."""
    factory = EventFactory(chord_seed, chord_contract)
    return factory.event


@pytest.fixture
def chord_scenario(
    chord_seed: int, chord_contract: Contract
) -> Callable[..., list[dict[str, Any]]]:
    """Make a lifecycle: ``chord_scenario("lifecycle")`` -> a list of events."""
    factory = EventFactory(chord_seed, chord_contract)
    return factory.scenario


class EventValidator:
    """The catalog's validation, with an assertion that lists every violation."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def __call__(self, event: Mapping[str, Any], type: str | None = None) -> list:
        return self.catalog.validate(event, type)

    def assert_valid(self, event: Mapping[str, Any], type: str | None = None) -> None:
        violations = self.catalog.validate(event, type)
        if violations:
            listed = "\n".join(f"  {violation}" for violation in violations)
            raise AssertionError(f"the event breaks its schema:\n{listed}")


@pytest.fixture(scope="session")
def chord_validator(chord_contract: Contract) -> EventValidator:
    """``chord_validator(event)`` -> violations; ``.assert_valid(event)``."""
    return EventValidator(Catalog(chord_contract))


@pytest.fixture
def chord_deliver(chord_contract: Contract) -> Iterator[Callable[..., AttemptLog]]:
    """Deliver an event to a URL as the OMS does (no pauses) and get the log.

    ``chord_deliver(url, event, timeout=None)`` -> ``AttemptLog``; assert on
    ``log.received``, ``log.received_on`` or ``log.attempts``.
    """
    deliverers: list[Deliverer] = []

    def deliver(
        url: str, event: Mapping[str, Any] | bytes, *, timeout: float | None = None
    ) -> AttemptLog:
        deliverer = Deliverer(
            chord_contract.retry,
            pause_scale=0.0,
            timeout=timeout,
            envelope=chord_contract.envelope,
        )
        deliverers.append(deliverer)
        return deliverer.deliver(url, event)

    yield deliver
    for deliverer in deliverers:
        deliverer.close()


@pytest.fixture
def chord_check(chord_contract: Contract) -> Iterator[Callable[..., Verdict]]:
    """Run one contract check against a URL: ``chord_check("burst", url, type)``."""
    suites: list[Suite] = []

    def run(
        check_id: str,
        url: str,
        event_type: str = "order_completed",
        *,
        processed_count: ProcessedCount | None = None,
        timeout: float | None = None,
    ) -> Verdict:
        suite = Suite(
            SuiteConfig(
                url=url,
                contract=chord_contract,
                processed_count=processed_count,
                timeout=timeout,
            )
        )
        suites.append(suite)
        return suite.run_check(check_by_id(check_id), event_type)

    yield run
    for suite in suites:
        suite.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[None]:
    report = yield
    seed = item.stash.get(_seed_key, None)
    if seed is not None and report.failed:
        report.sections.append(
            (
                "chord seed",
                f"this test's chord_seed was {seed} (base --chord-seed "
                f"{item.config.stash[_settings_key].seed or 0})",
            )
        )
    return report
