"""Write files so that a reader never sees half of one.

Every file the harness writes (fixtures, exported schemas, reports) goes
through a temporary file in the same folder and ``os.replace``: a crash, a
full disk or Ctrl-C leaves either the old file or the whole new one, and no
temporary file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from harness.errors import InputError

__all__ = ["write_atomically"]


def write_atomically(
    path: Path, data: bytes, *, remedy: str = "choose a folder you can write to"
) -> None:
    """Write ``data`` to ``path`` whole, or raise ``InputError`` and leave nothing."""
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException as exc:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        if isinstance(exc, OSError):
            raise InputError(
                f"cannot write {str(path)!r} ({exc.strerror or exc})", remedy=remedy
            ) from None
        raise
