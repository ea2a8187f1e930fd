"""The event envelope: read its keys and turn an event into the bytes sent.

One serialization is used everywhere (generator output, delivery bodies,
fixture files on stdout), so that the same event is the same bytes on every
attempt, machine and run.
"""

from __future__ import annotations

import json
from typing import Any

from harness.contract import EnvelopeKeys

__all__ = ["encode", "encode_pretty", "event_id", "event_type"]


def encode(event: Any) -> bytes:
    """Compact UTF-8 JSON, keys in insertion order: the bytes on the wire."""
    return json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode()


def encode_pretty(event: Any) -> bytes:
    """Indented UTF-8 JSON with a final newline, for fixture files."""
    return (json.dumps(event, ensure_ascii=False, indent=2) + "\n").encode()


def event_id(event: Any, keys: EnvelopeKeys | None = None) -> str | None:
    """The envelope's id, or ``None`` when the event has none."""
    key = (keys or EnvelopeKeys()).id
    value = event.get(key) if isinstance(event, dict) else None
    return value if isinstance(value, str) else None


def event_type(event: Any, keys: EnvelopeKeys | None = None) -> str | None:
    """The envelope's type name as written, or ``None`` when it has none."""
    key = (keys or EnvelopeKeys()).type
    value = event.get(key) if isinstance(event, dict) else None
    return value if isinstance(value, str) else None
