"""A contract-testing harness for receivers of Chord OMS webhooks."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("chord-webhooks-harness")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
