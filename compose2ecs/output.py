"""Writing artefacts without losing anything the user had.

One run's outputs are written all-or-nothing by :class:`Outputs`:

1. *plan* — every destination is classified (:func:`destination`) and checked: an output
   never overwrites a file the run read (:mod:`compose2ecs.readlog`), nor a directory;
2. *stage* — regular files are written beside their destinations under temporary names;
   directory outputs (``-o DIR``) were staged whole in a sibling directory (:meth:`directory`);
3. *direct* — stdout, devices and pipes are written (in place: renaming over ``/dev/null``
   would replace the device for everyone). They come before anything is renamed, so a
   device that fails (``--report /dev/full``) leaves every file as it was;
4. *swap* — the staged files are renamed into place with SIGINT/SIGTERM held back, so a run
   ends with the old or the new outputs, never a mix.

Anything staged is removed when the run fails or is interrupted (SIGTERM unwinds like
Ctrl-C inside :class:`Outputs`). A symlink is written through — its target is replaced,
the link stays. Directories are made with the user's umask.
"""
from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import sys
import tempfile
from typing import List, Optional, Tuple

from . import interrupts
from .errors import Location, UserError
from .readlog import input_at
from .records import record

STDOUT, IN_PLACE, FILE = "stdout", "in place", "file"
STAGING_PREFIX = ".compose2ecs-"


def write_text(path, text: str) -> None:
    """Write ``text`` to stdout when ``path`` is empty or ``-``, else to ``path``.

    Raises :class:`UserError` (exit 2) naming the path when it cannot be written.
    """
    write_all([(path, text)])


def write_all(writes) -> None:
    """Write several artefacts all-or-nothing: ``writes`` is ``[(path or None, text)]``."""
    with Outputs() as outputs:
        for path, text in writes:
            outputs.file(path, text)
        outputs.commit()


def destination(path) -> Tuple[str, Optional[str]]:
    """How ``path`` is written: ``(STDOUT, None)``, ``(IN_PLACE, path)`` for a device, pipe
    or a ``/dev/fd``-style link, or ``(FILE, real path)`` — a symlink's target."""
    if not path or path == "-" or os.path.abspath(path) == "/dev/stdout" or _is_our_stdout(path):
        return STDOUT, None
    absolute = os.path.abspath(path)
    if is_special(path) or (absolute.startswith(("/dev/", "/proc/")) and os.path.islink(absolute)):
        return IN_PLACE, path
    return FILE, os.path.realpath(path)


def _is_our_stdout(path) -> bool:
    """``path`` names this process's standard output (``/dev/fd/1``, a link to
    ``/proc/self/fd/1``, the file stdout was redirected to): written as stdout, never replaced."""
    try:
        return os.path.samestat(os.stat(path), os.fstat(1))
    except (OSError, ValueError):
        return False


@record(frozen=False, slots=False)
class Tree:
    """A directory output staged in ``staging``; ``files`` (relative, ``/``-separated) is
    filled in by whoever stages it, or found by walking ``staging`` at commit."""

    target: str  # as the user gave it
    real: str  # the directory it names (symlinks resolved)
    staging: Optional[str]
    files: Optional[List[str]] = None


class Outputs:
    """The outputs of one run; use as a context manager and call :meth:`commit` once."""

    def __init__(self) -> None:
        self._files: list = []  # (path, text)
        self._trees: List[Tree] = []
        self._temps: List[str] = []
        self._made: List[str] = []  # directories this run created (removed again on failure)
        self._signals = interrupts.terminate_unwinds()

    def __enter__(self) -> "Outputs":
        self._signals.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        try:
            with interrupts.deferred():  # a second Ctrl-C does not stop the clean-up
                self._discard()
        finally:
            self._signals.__exit__(*exc)

    def file(self, path, text: str) -> None:
        """Add an output (``None``/``-`` = stdout)."""
        self._files.append((path, text))

    def directory(self, target: str) -> Tree:
        """Start staging the directory output ``target``: write into the returned
        :attr:`Tree.staging`, a new directory beside the target (same file system)."""
        real = os.path.realpath(target)
        with interrupts.deferred():  # a signal now must not orphan the new directory
            self._make_dirs(os.path.dirname(real))
            try:
                staging = tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=os.path.dirname(real))
            except PermissionError:  # -o /tmp: beside it (/) is not ours, inside it is as good
                if not os.path.isdir(real):
                    raise
                staging = tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=real)
            tree = Tree(target, real, staging)
            self._trees.append(tree)
        os.chmod(staging, 0o777 & ~umask())  # mkdtemp makes it 0700; it may become the target
        return tree

    def commit(self) -> None:
        """Plan, stage, write stdout/devices, swap in. Raises :class:`UserError`; on any
        failure before the swap no file of the user's is changed."""
        files = [(path,) + destination(path) + (text,) for path, text in self._files]
        self._check(files)
        staged = self._stage(files)
        for path, kind, _, text in files:
            if kind != FILE:
                _write_direct(path, text)
        with interrupts.deferred():
            for tree in self._trees:
                _swap_tree(tree)
            for tmp, real in staged:
                _rename(tmp, real, real)
                self._temps.remove(tmp)

    # -- the steps
    def _check(self, files) -> None:
        seen: dict = {}
        for path, kind, real, _ in files:
            if kind == FILE:
                _refuse_input(path, path)
                if real in seen:
                    raise UserError.at(Location(str(path)), f"is written twice in one run (also as {seen[real]})",
                                       "give each output (-o, --report) its own path")
                seen[real] = path
        for tree in self._trees:
            if tree.files is None:
                tree.files = _walk(tree.staging)
            if os.path.isdir(tree.real):
                for rel in tree.files:
                    dest = os.path.join(tree.real, rel)
                    _refuse_input(dest, os.path.join(tree.target, rel))
                    if os.path.isdir(dest):
                        raise UserError.at(Location(os.path.join(tree.target, rel)), "is a directory",
                                           "move it away; the output writes a file of that name")

    def _stage(self, files) -> list:
        staged = []
        for path, kind, real, text in files:
            if kind != FILE:
                continue
            try:
                self._make_dirs(os.path.dirname(real))
                tmp = _temp_name(real)
                self._temps.append(tmp)
                with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(text)
                _keep_mode(real, tmp)
            except OSError as exc:
                raise cannot_write(path, exc, "; nothing was written") from None
            staged.append((tmp, real))
        return staged

    def _make_dirs(self, directory: str) -> None:
        missing = []
        while directory and not os.path.isdir(directory):
            missing.append(directory)
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        for path in reversed(missing):
            os.mkdir(path)  # mode 0777 less the umask, like mkdir(1)
            self._made.append(path)

    def _discard(self) -> None:
        for tmp in self._temps:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        for tree in self._trees:
            if tree.staging and os.path.isdir(tree.staging):
                shutil.rmtree(tree.staging, ignore_errors=True)
        for path in reversed(self._made):
            with contextlib.suppress(OSError):
                os.rmdir(path)  # only if still empty: a swapped-in output keeps it
        self._temps, self._made = [], []


def _refuse_input(path: str, shown) -> None:
    source = input_at(path)
    if source is not None:
        relative = os.path.relpath(source)
        source = relative if len(relative) < len(source) else source
        raise UserError.at(Location(str(shown)), f"is an input of this run ({source}); "
                           "refusing to overwrite it", "give -o / --report another path")


def _walk(staging: str) -> List[str]:
    out = []
    for folder, _, names in os.walk(staging):
        rel = os.path.relpath(folder, staging)
        out += [name if rel == "." else f"{rel}/{name}".replace(os.sep, "/") for name in names]
    return sorted(out)


def _swap_tree(tree: Tree) -> None:
    if not os.path.lexists(tree.real):
        _rename(tree.staging, tree.real, tree.target)  # a new directory: one atomic step
        tree.staging = None
        return
    for rel in tree.files:  # only our own files are replaced; nothing else in DIR is touched
        dest = os.path.join(tree.real, rel)
        parent = os.path.dirname(dest)
        if not os.path.isdir(parent):
            os.makedirs(parent)
        _rename(os.path.join(tree.staging, rel), os.path.realpath(dest), os.path.join(tree.target, rel))


def _rename(source: str, dest: str, shown) -> None:
    """``os.replace``; a symlink's target on another file system gets a copy renamed beside it."""
    try:
        try:
            if os.path.isfile(dest) and os.path.isfile(source):
                _keep_mode(dest, source)
            os.replace(source, dest)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            tmp = _temp_name(dest)
            try:
                shutil.copyfile(source, tmp)
                os.replace(tmp, dest)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
    except OSError as exc:
        raise cannot_write(shown, exc, "; the outputs before it were already replaced") from None


def _temp_name(real: str) -> str:
    return os.path.join(os.path.dirname(real), f".{os.path.basename(real)}.tmp{os.getpid()}")


def _keep_mode(existing: str, new: str) -> None:
    """A replaced file keeps its permission bits (a 0600 file stays private)."""
    try:
        mode = os.stat(existing).st_mode
    except OSError:
        return
    if stat.S_ISREG(mode):
        os.chmod(new, stat.S_IMODE(mode))


def _write_direct(path, text: str) -> None:
    """stdout, or a device/pipe written in place (never renamed over)."""
    try:
        if destination(path)[0] == STDOUT:
            sys.stdout.write(text)
            sys.stdout.flush()
            return
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise cannot_write(path or "stdout", exc, "; no file output was changed") from None


def cannot_write(path, exc: OSError, suffix: str = "") -> UserError:
    """The located error for an output that could not be written."""
    return UserError.at(Location(str(path)), f"cannot write the output: {exc.strerror or exc}",
                        f"choose a writable file path with -o / --report{suffix}")


def check_writable(path, directory: bool = False) -> None:
    """Fail early, before any work is written, when ``path`` cannot be an output.

    ``directory`` means ``path`` is (or will be made) a directory of outputs.
    """
    if destination(path)[0] != FILE:
        return
    if os.path.isdir(path) and not directory:
        raise UserError.at(Location(str(path)), "is a directory", "give a file name")
    if os.path.exists(path) and directory and not os.path.isdir(path):
        raise UserError.at(Location(str(path)), "exists and is not a directory",
                           "give a directory (it is created when missing)")
    parent = _existing_ancestor(os.path.realpath(path))
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


def umask() -> int:
    """The process umask (read from /proc where Linux tells it, so it is never changed)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
