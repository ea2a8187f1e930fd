"""Check an endpoint URL once, at the edge, before anything is sent to it."""

from __future__ import annotations

from urllib.parse import urlsplit

from harness.errors import UsageError

__all__ = ["check_url"]

_SCHEMES = ("http", "https")
_EXAMPLE = "e.g. https://localhost:8000/webhooks"


def check_url(url: str) -> str:
    """Return ``url`` unchanged when the harness can POST to it.

    Raise ``UsageError`` (one line with the remedy) for anything that is not
    an absolute http:// or https:// URL with a host and a valid port.
    """
    if not isinstance(url, str) or not url.strip():
        raise UsageError(
            "the endpoint URL is empty", remedy=f"give its full URL, {_EXAMPLE}"
        )
    if "://" not in url:
        raise UsageError(
            f"{url!r} is not a URL (no scheme)",
            remedy=f"give the endpoint's full URL, {_EXAMPLE}",
        )
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise UsageError(
            f"the endpoint URL {url!r} contains spaces or control characters",
            remedy="percent-encode them (a space is %20)",
        )
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise UsageError(
            f"{url!r} is not a URL ({exc})",
            remedy=f"give the endpoint's full URL, {_EXAMPLE}",
        ) from exc

    scheme = parts.scheme.lower()
    if scheme not in _SCHEMES:
        raise UsageError(
            f"{url!r} uses the scheme {parts.scheme!r}; Chord OMS sends only HTTP",
            remedy=f"use an http:// or https:// URL, {_EXAMPLE}",
        )
    if not parts.hostname:
        raise UsageError(
            f"{url!r} has no host",
            remedy=f"name the host after {scheme}://, {_EXAMPLE}",
        )
    try:
        port = parts.port
    except ValueError as exc:
        raise UsageError(
            f"{url!r} has an invalid port ({exc})",
            remedy="give a port from 1 to 65535, e.g. http://localhost:8000/webhooks",
        ) from exc
    if port == 0:
        raise UsageError(
            f"{url!r} has port 0, which nothing can listen on",
            remedy="give a port from 1 to 65535",
        )
    return url
