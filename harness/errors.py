"""The two families of errors the harness raises.

``HarnessError`` and its subclasses mean the harness was used wrongly: a bad
flag, an unknown event type, an unreadable file.  They render as one line that
names the remedy and map to exit code 2.

``ContractViolation`` means the endpoint under test broke the Chord OMS
contract.  It is an ``AssertionError`` so that pytest reports it as a test
failure, and it carries the verdict it came from.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

__all__ = [
    "ContractFileError",
    "ContractViolation",
    "HarnessError",
    "InputError",
    "SchemaFileError",
    "UnknownEventTypeError",
    "UsageError",
]


class HarnessError(Exception):
    """The harness was used wrongly; the message says how to fix it."""

    exit_code = 2

    def __init__(self, message: str, *, remedy: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy

    def __str__(self) -> str:
        text = self.message.rstrip(".")
        if self.remedy:
            text = f"{text}: {self.remedy}"
        return " ".join(text.split())


class UsageError(HarnessError):
    """A flag, option or argument has a value the harness cannot use."""


class InputError(HarnessError):
    """An input file or folder cannot be read."""


class ContractFileError(HarnessError):
    """A contract file is missing, malformed or breaks the contract schema."""


class SchemaFileError(HarnessError):
    """A JSON Schema file is missing, malformed or not valid JSON Schema."""


class UnknownEventTypeError(HarnessError):
    """An event type that the contract's catalog does not list."""

    def __init__(self, name: str, known: Iterable[str]) -> None:
        self.name = name
        self.known = tuple(sorted(known))
        close = difflib.get_close_matches(name, self.known, n=1, cutoff=0.6)
        self.suggestion = close[0] if close else None
        hint = f"did you mean {self.suggestion!r}? " if self.suggestion else ""
        super().__init__(
            f"unknown event type {name!r}",
            remedy=f"{hint}known types: {', '.join(self.known)}",
        )


class ContractViolation(AssertionError):
    """The endpoint under test broke a rule of the Chord OMS contract.

    ``verdict`` is the check's verdict object (see ``harness.checks``); its
    ``render()`` gives the text shown to the user.
    """

    def __init__(self, verdict: Any) -> None:
        super().__init__(verdict.render() if hasattr(verdict, "render") else verdict)
        self.verdict = verdict
