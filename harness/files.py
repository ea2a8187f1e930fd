"""Read the files users give, and write files so that no reader sees half of one.

Every file a user names (a contract, a schema, a payload) is read by
``read_text``, which turns each way of failing into one line naming the file.
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

from harness.errors import HarnessError, InputError

__all__ = ["read_text", "write_atomically"]


def read_text(
    path: Path,
    *,
    what: str,
    error: type[HarnessError],
    remedy: str,
    shown: str | None = None,
) -> str:
    """The UTF-8 text of ``path``; ``error`` with ``remedy`` if it cannot be read.

    ``what`` names the file in the message ("contract file"); ``shown`` is how
    its path is shown (the path itself by default).
    """
    name = f"{what} {shown or str(path)!r}"
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problem = "not found"
    except IsADirectoryError:
        problem = "is a folder"
    except UnicodeDecodeError:
        problem = "cannot be read: not UTF-8 text"
    except OSError as exc:
        problem = f"cannot be read ({exc.strerror or exc})"
    raise error(f"{name} {problem}", remedy=remedy)


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
