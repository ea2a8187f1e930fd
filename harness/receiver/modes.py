"""The receiver's modes (one correct, each other one breaks a rule) and verdicts."""

from __future__ import annotations

import difflib
import enum

from harness.errors import UsageError

__all__ = ["Mode", "Verdict", "parse_mode"]


class Mode(enum.Enum):
    """How the reference receiver behaves; each value is its name on the CLI."""

    CORRECT = "correct"
    REDIRECT = "redirect"
    SLOW = "slow"
    ERROR_ON_REPEAT = "error-on-repeat"
    NON_ACK_2XX = "non-ack-2xx"
    REJECT_UNKNOWN = "reject-unknown"
    FAIL_FIRST = "fail-first"
    PROCESS_FIRST = "process-first"
    STRICT_FIELDS = "strict-fields"
    STRICT_ORDER = "strict-order"
    OVERLOADED = "overloaded"
    BODY_LIMIT = "body-limit"
    NO_DEDUPE = "no-dedupe"

    @property
    def summary(self) -> str:
        """One line saying what the receiver does in this mode."""
        return _SUMMARIES[self]

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """Every mode's CLI name, in declaration order."""
        return tuple(mode.value for mode in cls)


_SUMMARIES = {
    Mode.CORRECT: "answers 200 once the body is parsed, then processes each id once",
    Mode.REDIRECT: "answers 308 to the same path with a trailing slash",
    Mode.SLOW: "acknowledges correctly, but only after --slow-seconds",
    Mode.ERROR_ON_REPEAT: "answers 500 to an event id it has seen (a unique index)",
    Mode.NON_ACK_2XX: "processes the event but answers 203, which Chord does not count",
    Mode.REJECT_UNKNOWN: "answers 400 to an event type it does not know",
    Mode.FAIL_FIRST: "answers 503 to the first --fail-first attempts of each id",
    Mode.PROCESS_FIRST: "does slow work before answering; 409 to a repeat meanwhile",
    Mode.STRICT_FIELDS: "answers 400 to fields the event's schema does not name",
    Mode.STRICT_ORDER: "answers 422 to a shipment event before its order_completed",
    Mode.OVERLOADED: "answers 503 when more than --max-in-flight requests overlap",
    Mode.BODY_LIMIT: "answers 413 to a body over --body-limit bytes",
    Mode.NO_DEDUPE: "acknowledges correctly but processes every repeat again",
}


class Verdict(enum.Enum):
    """What the receiver's post-answer work made of one delivered event."""

    PROCESSED = "processed"
    DUPLICATE = "duplicate"
    IGNORED = "ignored unknown type"
    INVALID = "invalid"


def parse_mode(name: str) -> Mode:
    """The mode called ``name`` on the CLI; a one-line ``UsageError`` otherwise."""
    try:
        return Mode(name)
    except ValueError:
        pass
    close = difflib.get_close_matches(name, Mode.names(), n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise UsageError(
        f"unknown receiver mode {name!r}",
        remedy=f"{hint}modes: {', '.join(Mode.names())}",
    )
