"""Run the ``chord-webhooks`` command line in tests and capture what it says."""

from __future__ import annotations

import io
import json
import os
import traceback
import warnings

from harness.cli import build_parser, main

__all__ = ["run", "run_unprivileged"]

NOBODY = 65534


def run(argv: list[str]) -> tuple[int, str, str]:
    """The exit code, stdout and stderr of ``chord-webhooks ARGV``."""
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def run_unprivileged(argv: list[str]) -> tuple[int, str, str]:
    """Run the CLI as a user the file permissions apply to.

    As root, permission bits do not stop reads, so the command runs in a
    forked child that has dropped to ``nobody`` (every module it needs is
    imported first); the result comes back through a pipe.
    """
    if os.geteuid() != 0:
        return run(argv)
    build_parser()
    reader, writer = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports through the pipe
        try:
            os.close(reader)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            payload = json.dumps(run(argv))
        except BaseException:
            payload = json.dumps([99, "", traceback.format_exc()])
        with os.fdopen(writer, "w") as pipe:
            pipe.write(payload)
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as pipe:
        payload = pipe.read()
    os.waitpid(pid, 0)
    code, out, err = json.loads(payload)
    return code, out, err
