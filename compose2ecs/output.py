"""Writing artefacts: to stdout, or atomically to a file (never a half-written file).

Only regular files are replaced atomically. An existing device, pipe or socket (``-o
/dev/null``, ``-o /dev/stdout``, a FIFO) is written in place: renaming over it would turn
``/dev/null`` into an ordinary file for everyone on the machine.
"""
from __future__ import annotations

import os
import stat
import sys

from .errors import Location, UserError


def write_text(path, text: str) -> None:
    """Write ``text`` to stdout when ``path`` is empty or ``-``, else to ``path``.

    Raises :class:`UserError` (exit 2) naming the path when it cannot be written.
    """
    write_all([(path, text)])


def write_all(writes) -> None:
    """Write several artefacts all-or-nothing: ``writes`` is ``[(path or None, text)]``.

    Regular files are first written beside their destinations under temporary names; only
    when all of them succeeded are they renamed into place, then stdout and devices are
    written. On failure the temporaries are removed and nothing of the user's changes.
    """
    staged, direct, made = [], [], set()
    try:
        for path, text in writes:
            if not path or path == "-" or is_special(path):
                direct.append((path, text))
                continue
            directory = os.path.dirname(os.path.abspath(path))
            if directory not in made:  # -o DIR: a thousand files, one directory
                os.makedirs(directory, exist_ok=True)
                made.add(directory)
            tmp = os.path.join(directory, f".{os.path.basename(path)}.tmp{os.getpid()}")
            staged.append((tmp, path))
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
    except OSError as exc:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)
        failed = staged[-1][1] if staged else (writes[0][0] if writes else "")
        raise _cannot_write(failed, exc, "; nothing was written") from None
    for tmp, path in staged:
        os.replace(tmp, path)
    for path, text in direct:
        _write_direct(path, text)


def _write_direct(path, text: str) -> None:
    """stdout, or a device/pipe written in place (never renamed over)."""
    if not path or path == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _cannot_write(path, exc: OSError, suffix: str = "") -> UserError:
    return UserError.at(Location(str(path)), f"cannot write the output: {exc.strerror or exc}",
                        f"choose a writable file path with -o / --report{suffix}")


def check_writable(path, directory: bool = False) -> None:
    """Fail early, before any work is written, when ``path`` cannot be an output.

    ``directory`` means ``path`` is (or will be made) a directory of outputs.
    """
    if not path or path == "-" or is_special(path):
        return
    if os.path.isdir(path) and not directory:
        raise UserError.at(Location(str(path)), "is a directory", "give a file name")
    if os.path.exists(path) and directory and not os.path.isdir(path):
        raise UserError.at(Location(str(path)), "exists and is not a directory",
                           "give a directory (it is created when missing)")
    parent = _existing_ancestor(os.path.abspath(path))
    if not os.access(parent, os.W_OK | os.X_OK) or not os.path.isdir(parent):
        raise UserError.at(Location(str(path)), f"cannot write here ({parent} is not a writable "
                           "directory)", "choose a writable location")


def _existing_ancestor(path: str) -> str:
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path if os.path.isdir(path) else os.path.dirname(path)


def is_special(path) -> bool:
    """True for an existing device, pipe or socket: written in place, never replaced."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)
