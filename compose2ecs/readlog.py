"""Which files a run read, so no output of the same run can overwrite one of them.

Every reader of user files (compose files and their include/extends targets, ``.env`` and
``--env-file``/``env_file``, ``--docker-run-file`` and the files it names) calls
:func:`note_read`. A command that writes outputs runs inside :func:`recording`; the writer
asks :func:`input_at` before it replaces a path. Outside :func:`recording` nothing is
recorded (a long-lived process, such as the test suite, must not remember old files: an
inode number is reused once its file is deleted).

Files are compared by device and inode, so a symlink, a hard link or another spelling of
the same path is caught as well.
"""
from __future__ import annotations

import contextlib
import os
from contextvars import ContextVar
from typing import Dict, Iterator, Optional, Tuple

_current: ContextVar[Optional[Dict[Tuple[int, int], str]]] = ContextVar("compose2ecs_reads", default=None)


def note_read(path: str) -> None:
    """Record that ``path`` (a file just read) is an input of the current run."""
    reads = _current.get()
    if reads is None or not path or path == "-":
        return
    try:
        info = os.stat(path)
    except OSError:
        return
    reads.setdefault((info.st_dev, info.st_ino), path)


@contextlib.contextmanager
def recording() -> Iterator[Dict[Tuple[int, int], str]]:
    """Record the files read inside the block (nested blocks share the outer record)."""
    reads = _current.get()
    if reads is not None:
        yield reads
        return
    token = _current.set({})
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def input_at(path: str) -> Optional[str]:
    """The input file (as it was named when read) that ``path`` is, or None."""
    reads = _current.get()
    if not reads:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    return reads.get((info.st_dev, info.st_ino))
