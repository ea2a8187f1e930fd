"""``python -m harness.cli``: the same as the ``chord-webhooks`` command."""

from harness.cli import entry

entry()
