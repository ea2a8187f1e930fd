"""The receiver's "work": judge each event once, after its answer has gone out.

A handler thread submits the parsed event before it writes the answer and
marks the job answered right after, so the worker never starts an event
before its acknowledgement is on the wire, and ``wait_idle`` never misses an
event whose answer the sender already holds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from harness.receiver.events import EventReader, Identity
from harness.receiver.ledger import Ledger
from harness.receiver.modes import Verdict

__all__ = ["Hook", "Job", "Processor", "WorkQueue", "run_worker"]

logger = logging.getLogger("harness.receiver")

Hook = Callable[[Mapping[str, Any], Verdict], None]


@dataclass
class Job:
    """One event waiting for the worker, and whether its answer has been sent."""

    event: dict[str, Any]
    answered: threading.Event = field(default_factory=threading.Event)


class WorkQueue:
    """A first-in first-out queue that knows how many jobs are not finished."""

    def __init__(self) -> None:
        self._ready = threading.Condition()
        self._jobs: deque[Job] = deque()
        self._pending = 0
        self._closed = False

    def submit(self, event: dict[str, Any]) -> Job:
        job = Job(event)
        with self._ready:
            self._jobs.append(job)
            self._pending += 1
            self._ready.notify_all()
        return job

    def take(self) -> Job | None:
        """The next job; ``None`` once the queue is closed and empty."""
        with self._ready:
            self._ready.wait_for(lambda: self._jobs or self._closed)
            return self._jobs.popleft() if self._jobs else None

    def done(self) -> None:
        with self._ready:
            self._pending -= 1
            self._ready.notify_all()

    def close(self) -> None:
        """Let the worker finish what is queued, then stop."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every submitted job is done; false on timeout."""
        with self._ready:
            return self._ready.wait_for(lambda: self._pending == 0, timeout)


class Processor:
    """Judges an event: processed once, a duplicate, ignored, or invalid."""

    def __init__(
        self,
        events: EventReader,
        ledger: Ledger,
        *,
        dedupe: bool,
        hook: Hook | None,
    ) -> None:
        self.events = events
        self.ledger = ledger
        self.dedupe = dedupe
        self.hook = hook

    def process(self, event: dict[str, Any]) -> Verdict:
        """Judge ``event``, log one line, call the hook; return the verdict."""
        identity = self.events.identify(event)
        verdict, detail = self._judge(event, identity)

        text = verdict.value if detail is None else f"{verdict.value}: {detail}"
        logger.info(
            "%s %s: %s",
            identity.event_id or "(no id)",
            identity.raw_type or "(no type)",
            text,
        )
        if self.hook is not None:
            self.hook(event, verdict)
        return verdict

    def _judge(
        self, event: dict[str, Any], identity: Identity
    ) -> tuple[Verdict, str | None]:
        if identity.raw_type is None:
            return Verdict.INVALID, f"no {self.events.keys.type!r} key"
        if identity.canonical is None:
            return Verdict.IGNORED, None
        if (
            self.dedupe
            and identity.event_id is not None
            and self.ledger.processed_count(identity.event_id)
        ):
            # A repeat of an event already handled: nothing to check again.
            return Verdict.DUPLICATE, None
        violations = self.events.violations(event, identity.canonical)
        if violations:
            return Verdict.INVALID, str(violations[0])
        if identity.event_id is None:
            return Verdict.INVALID, f"no {self.events.keys.id!r} key"
        if self.ledger.claim(identity.event_id, dedupe=self.dedupe):
            return Verdict.PROCESSED, None
        return Verdict.DUPLICATE, None


def run_worker(
    queue: WorkQueue,
    processor: Processor,
    report: Callable[[BaseException], None],
) -> None:
    """The worker thread's loop: one job at a time, each after its answer."""
    while (job := queue.take()) is not None:
        try:
            job.answered.wait()
            _yield_to_answers(processor.ledger)
            processor.process(job.event)
        except Exception as exc:
            report(exc)
        finally:
            queue.done()


# Answering comes before work: the worker lets requests being handled finish
# first, polling this often, but never waits longer than the cap per job, so
# a steady stream of requests cannot starve the work.
_QUIET_POLL_SECONDS = 0.001
_QUIET_WAIT_CAP_SECONDS = 0.1


def _yield_to_answers(ledger: Ledger) -> None:
    """Wait, briefly, until no request is being handled."""
    waited = 0.0
    while ledger.in_flight() and waited < _QUIET_WAIT_CAP_SECONDS:
        time.sleep(_QUIET_POLL_SECONDS)
        waited += _QUIET_POLL_SECONDS
