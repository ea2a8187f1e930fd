"""Extra request headers: parse ``Name: value`` flags and hide secret values."""

from __future__ import annotations

import re
from collections.abc import Mapping

from harness.errors import UsageError

__all__ = ["MASK", "check_headers", "mask_secrets", "parse_header"]

MASK = "***"

# RFC 9110 token characters: what a header name may be made of.
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
# Headers that frame the body; the transport sets them from the exact bytes sent.
_FRAMING = frozenset({"content-length", "transfer-encoding", "host"})


def parse_header(text: str, *, secret: bool = False) -> tuple[str, str]:
    """Split ``'Name: value'`` into a checked ``(name, value)`` pair.

    A secret header's value never appears in an error message.
    """
    flag = "--secret-header" if secret else "--header"
    shown = "a secret header" if secret else repr(text)
    if "\r" in text or "\n" in text:
        raise UsageError(
            f"{flag} {shown} contains a line break",
            remedy="give one header per flag, on one line: 'Name: value'",
        )
    name, colon, value = text.partition(":")
    if not colon:
        raise UsageError(
            f"{flag} {shown} has no colon",
            remedy="write it as 'Name: value', e.g. 'Authorization: Bearer abc'",
        )
    return _check(name.strip(), value.strip(), flag)


def check_headers(
    headers: Mapping[str, str], *, secret: bool = False
) -> dict[str, str]:
    """Check every name and value of ``headers``; return them as a new dict."""
    flag = "secret header" if secret else "header"
    checked: dict[str, str] = {}
    for name, value in headers.items():
        if "\r" in name or "\n" in name or "\r" in value or "\n" in value:
            raise UsageError(
                f"{flag} {name.strip()!r} contains a line break",
                remedy="remove the CR/LF characters from its name and value",
            )
        key, val = _check(name.strip(), value.strip(), flag)
        checked[key] = val
    return checked


def _check(name: str, value: str, flag: str) -> tuple[str, str]:
    if not _TOKEN.match(name):
        raise UsageError(
            f"{flag} name {name!r} is not a valid HTTP header name",
            remedy="use letters, digits and dashes, e.g. 'X-Api-Key: abc'",
        )
    if name.lower() in _FRAMING:
        raise UsageError(
            f"{flag} {name!r} cannot be set by hand",
            remedy="leave it out: the harness sets it from the exact bytes it sends",
        )
    if any((ord(ch) < 32 and ch != "\t") or ord(ch) == 127 for ch in value):
        raise UsageError(
            f"{flag} {name!r} has a control character in its value",
            remedy="remove it; header values are printable text",
        )
    return name, value


def mask_secrets(
    headers: Mapping[str, str], secret_names: frozenset[str]
) -> dict[str, str]:
    """A copy of ``headers`` with the value of every secret one replaced by ***."""
    return {
        name: MASK if name.lower() in secret_names else value
        for name, value in headers.items()
    }
