"""The contract checks and the suite that runs them against one endpoint."""

from __future__ import annotations

from harness.checks.context import (
    ProcessedCount,
    SuiteConfig,
    SuiteContext,
    url_observer,
)
from harness.checks.rules import CHECKS, LIFECYCLE, Check, Scope, check_by_id
from harness.checks.suite import Suite, SuiteResult, dump_report, plan
from harness.checks.verdict import Verdict, curl_command

__all__ = [
    "CHECKS",
    "LIFECYCLE",
    "Check",
    "ProcessedCount",
    "Scope",
    "Suite",
    "SuiteConfig",
    "SuiteContext",
    "SuiteResult",
    "Verdict",
    "check_by_id",
    "curl_command",
    "dump_report",
    "plan",
    "url_observer",
]
