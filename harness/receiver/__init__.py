"""The reference receiver: a correct Chord OMS webhook endpoint, and wrong ones.

``ReferenceReceiver(mode=Mode.CORRECT)`` is the endpoint a newcomer verifies
first; each other ``Mode`` breaks one rule of the delivery contract so that
the harness's own tests can prove every check against a real socket.
"""

from __future__ import annotations

from harness.receiver.handler import OBSERVE_PREFIX
from harness.receiver.ledger import Delivery
from harness.receiver.modes import Mode, Verdict, parse_mode
from harness.receiver.server import ReferenceReceiver, is_loopback
from harness.receiver.work import Hook

__all__ = [
    "OBSERVE_PREFIX",
    "Delivery",
    "Hook",
    "Mode",
    "ReferenceReceiver",
    "Verdict",
    "is_loopback",
    "parse_mode",
]
