"""Run the contract checks against one endpoint and gather the verdicts."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from harness.checks.context import SuiteConfig, SuiteContext
from harness.checks.rules import CHECKS, LIFECYCLE, Check, Scope
from harness.checks.verdict import Verdict
from harness.delivery import Outcome

__all__ = ["Suite", "SuiteResult", "dump_report", "plan"]

# An endpoint that answers the very first attempt with one of these has no
# listener the suite can talk to: every check would fail the same way.
_UNREACHABLE = frozenset(
    {Outcome.CONNECTION_REFUSED, Outcome.TLS_FAILURE, Outcome.MALFORMED_ANSWER}
)


def plan(
    event_types: Sequence[str], checks: Sequence[Check] = CHECKS
) -> Iterator[tuple[Check, str]]:
    """Every (check, event type) pair, check by check in catalog order."""
    for check in checks:
        if check.scope is Scope.SUITE:
            yield check, LIFECYCLE
        else:
            for event_type in event_types:
                yield check, event_type


@dataclass
class SuiteResult:
    """All verdicts of one run, plus the headline when nothing answered."""

    url: str
    verdicts: list[Verdict] = field(default_factory=list)
    headline: str | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.headline is None and all(v.passed for v in self.verdicts)

    @property
    def failures(self) -> list[Verdict]:
        return [v for v in self.verdicts if not v.passed]

    def counts(self) -> dict[str, int]:
        counts = {"passed": 0, "failed": 0, "skipped": 0}
        for verdict in self.verdicts:
            counts[verdict.status] += 1
        return counts

    def to_dict(self) -> dict:
        return {
            "url": self.url,
            "passed": self.passed,
            "headline": self.headline,
            "seconds": round(self.seconds, 3),
            "counts": self.counts(),
            "checks": [verdict.to_dict() for verdict in self.verdicts],
        }

    def to_junit(self) -> bytes:
        counts = self.counts()
        suite = ET.Element(
            "testsuite",
            name="chord-webhooks contract",
            tests=str(len(self.verdicts)),
            failures=str(counts["failed"]),
            skipped=str(counts["skipped"]),
            time=f"{self.seconds:.3f}",
        )
        for verdict in self.verdicts:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"chord.{verdict.check_id}",
                name=verdict.title,
                time=f"{verdict.latency or 0:.3f}",
            )
            if verdict.skipped is not None:
                ET.SubElement(case, "skipped", message=verdict.skipped)
            elif not verdict.passed:
                failure = ET.SubElement(case, "failure", message=verdict.message)
                failure.text = verdict.render(full_command=True)
        root = ET.Element("testsuites")
        root.append(suite)
        return ET.tostring(root, encoding="utf-8", xml_declaration=True)


class Suite:
    """The contract suite for one endpoint: run checks one by one or all at once."""

    def __init__(self, config: SuiteConfig) -> None:
        self.config = config
        self.context = SuiteContext(config)
        self._checked_reachable = False

    def __enter__(self) -> Suite:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self.context.close()

    def plan(self) -> list[tuple[Check, str]]:
        return list(plan(self.config.event_types))

    def run_check(self, check: Check, event_type: str) -> Verdict:
        """Run one check; one that cannot be run says why in its verdict."""
        verdict = check.verdict(event_type)
        unreachable = self.reachability()
        if unreachable is not None:
            return verdict.fail(f"not run: {unreachable}")
        if self.context.stalled:
            return verdict.fail(
                "not run: the endpoint timed out on its last attempts in a row, so "
                "the suite stopped sending (see the first check that timed out)"
            )
        check.run(self.context, verdict)
        if verdict.latency is None and verdict.logs and verdict.logs[0].attempts:
            verdict.latency = verdict.logs[0].attempts[0].latency
        return verdict

    def reachability(self) -> str | None:
        """``None`` when something answers at the URL, else the headline."""
        if not self._checked_reachable:
            self._checked_reachable = True
            first_type = self.config.event_types[0]
            event = self.context.factory("reachable", first_type).event(first_type)
            log = self.context.send_once(event)
            attempt = log.attempts[0]
            if attempt.outcome in _UNREACHABLE:
                self.context.unreachable = attempt
        attempt = self.context.unreachable
        if attempt is None:
            return None
        return f"nothing answers at {self.config.url}: {attempt.outcome.label}"

    def run(self) -> SuiteResult:
        """Every check for every subscribed type, in plan order."""
        started = time.perf_counter()
        result = SuiteResult(self.config.url)
        result.headline = self.reachability()
        for check, event_type in self.plan():
            result.verdicts.append(self.run_check(check, event_type))
        result.seconds = time.perf_counter() - started
        return result


def dump_report(result: SuiteResult) -> bytes:
    return (json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n").encode()
