"""The ``chord-webhooks`` command line: ``main(argv)`` returns an exit code.

Each subcommand lives in its own module of this package and exposes
``register(subparsers)``, which adds its parser and sets ``run`` as the
handler.  A handler takes the parsed arguments and a ``Console`` and returns
the exit code.  This package is the only place in the harness that prints.

Exit codes: 0 success, 1 a check or validation failed, 2 misuse or unreadable
input, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import TextIO

from harness.cli.console import Console
from harness.errors import HarnessError, UsageError

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_MISUSE", "EXIT_OK", "main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_MISUSE = 2
EXIT_INTERRUPTED = 130

PROG = "chord-webhooks"

# Subcommand modules, in the order ``--help`` lists them.
COMMANDS: tuple[str, ...] = (
    "verify",
    "serve",
    "validate",
    "schemas",
    "send",
    "generate",
)


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises instead of printing usage and exiting."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message, remedy=f"see '{self.prog} --help'")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Play Chord OMS against a webhook endpoint: verify it, send "
        "events, generate fixtures, validate payloads.",
    )
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", parser_class=_Parser
    )
    subparsers.required = True
    for name in COMMANDS:
        module = importlib.import_module(f"harness.cli.{name}")
        module.register(subparsers)
    return parser


def main(
    argv: Sequence[str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run the command line with ``argv`` and return its exit code."""
    console = Console(stdout or sys.stdout, stderr or sys.stderr)
    try:
        parser = build_parser()
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
        return args.run(args, console)
    except HarnessError as exc:
        console.error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:
        console.error("interrupted")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
