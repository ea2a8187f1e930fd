"""Where the command line writes: results on stdout, messages on stderr."""

from __future__ import annotations

import json
from typing import Any, TextIO

__all__ = ["Console"]


class Console:
    """The CLI's output layer; handlers print through it, nothing else does."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err

    @property
    def interactive(self) -> bool:
        """Whether stderr is a terminal (progress bars go there)."""
        isatty = getattr(self.err, "isatty", None)
        return bool(isatty and isatty())

    def line(self, text: str = "") -> None:
        print(text, file=self.out)

    def json(self, value: Any) -> None:
        print(json.dumps(value, indent=2, ensure_ascii=False), file=self.out)

    def info(self, text: str) -> None:
        print(text, file=self.err)

    def error(self, text: str) -> None:
        """One line on stderr, prefixed with the program name."""
        print(f"chord-webhooks: error: {text}", file=self.err)

    def progress(self, done: int, total: int, label: str = "") -> None:
        """Redraw a one-line progress bar on an interactive stderr."""
        if not self.interactive or total <= 0:
            return
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done >= total else ""
        print(f"\r{label} [{bar}] {done}/{total}", end=end, file=self.err, flush=True)
