"""Write fixture files safely: check the folder first, then write each file atomically.

``FixtureFolder.prepare`` refuses, before anything is written, a path that is a
regular file, a folder that already holds files (unless ``force``), and a
folder that cannot be created or written.  ``write`` puts each file in place
with a temporary file in the same folder and ``os.replace``, so a reader (or an
interrupted run) never sees half a file; the temporary file is removed on any
error, Ctrl-C included.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from harness.errors import UsageError
from harness.files import write_atomically

__all__ = ["FixtureFolder"]

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


class FixtureFolder:
    """A folder that fixture files are written into."""

    def __init__(self, path: str | os.PathLike[str], *, force: bool = False) -> None:
        self.path = Path(path)
        self.force = force
        self._created: list[Path] = []

    def prepare(self) -> None:
        """Check the folder and create it if missing; raise ``UsageError`` if unfit."""
        shown = str(self.path)
        if self.path.exists() and not self.path.is_dir():
            raise UsageError(
                f"output path {shown!r} is a file, not a folder",
                remedy="pass a folder path (it is created if missing)",
            )
        if self.path.is_dir():
            self._check_empty(shown)
        else:
            self._create(shown)
        self._probe(shown)

    def write(self, name: str, data: bytes) -> Path:
        """Write ``data`` to ``name`` in the folder, atomically.

        A failed write (a full disk, a folder in the way) raises ``InputError``
        after removing the temporary file; the files written before stay whole.
        """
        target = self.path / name
        write_atomically(
            target,
            data,
            remedy="free some space or choose another folder; the files written "
            "before it are complete",
        )
        return target

    def _check_empty(self, shown: str) -> None:
        if self.force:
            return
        try:
            with os.scandir(self.path) as entries:
                occupied = next(entries, None) is not None
        except OSError as exc:
            raise UsageError(
                f"output folder {shown!r} cannot be read ({exc.strerror})",
                remedy="choose a folder you can read and write",
            ) from None
        if occupied:
            raise UsageError(
                f"output folder {shown!r} already holds files; nothing was written",
                remedy="choose an empty or new folder, or pass --force to write into "
                "it (files of the same name are replaced)",
            )

    def _create(self, shown: str) -> None:
        missing = []
        parent = self.path
        while not parent.exists() and parent != parent.parent:
            missing.append(parent)
            parent = parent.parent
        # Outermost first; _undo removes them deepest first.
        self._created = list(reversed(missing))
        try:
            self.path.mkdir(parents=True)
        except OSError as exc:
            self._undo()
            raise UsageError(
                f"output folder {shown!r} cannot be created ({exc.strerror})",
                remedy="choose a path inside a folder you can write",
            ) from None

    def _probe(self, shown: str) -> None:
        """Create and remove a file, which is the one sure test of write access."""
        probe = self.path / f".chord-webhooks-probe.{os.getpid()}.tmp"
        try:
            os.close(os.open(probe, _FLAGS, 0o644))
            os.unlink(probe)
        except OSError as exc:
            self._undo()
            raise UsageError(
                f"output folder {shown!r} cannot be written ({exc.strerror})",
                remedy="choose a folder you can write",
            ) from None

    def _undo(self) -> None:
        """Remove the folders ``prepare`` created, deepest first, if still empty."""
        for folder in reversed(self._created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._created = []
