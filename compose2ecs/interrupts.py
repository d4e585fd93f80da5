"""Signals while outputs are written: SIGTERM unwinds like Ctrl-C, and the final swap is
not interrupted half-way.

Python turns SIGINT into :class:`KeyboardInterrupt`, so ``finally`` blocks remove staged
files; SIGTERM (``kill``, a CI runner's timeout) would end the process at once and leave
them behind. :func:`terminate_unwinds` makes SIGTERM raise :class:`Terminated` instead.
:func:`deferred` blocks both signals while staged outputs are moved into place, so a run
ends with all old or all new outputs, never a mix; a signal that came meanwhile is acted on
right after.
"""
from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


class Terminated(KeyboardInterrupt):
    """SIGTERM (or SIGHUP) arrived; handled like Ctrl-C, exit status 128 + ``signum``."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"signal {signum}")
        self.signum = signum


def _raise(signum, _frame) -> None:
    raise Terminated(signum)


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def terminate_unwinds() -> Iterator[None]:
    """Inside the block SIGTERM and SIGHUP raise :class:`Terminated` (main thread only;
    a handler the caller installed is left alone)."""
    if not _main_thread():
        yield
        return
    previous = {}
    for signum in _SIGNALS[1:]:
        if signal.getsignal(signum) in (signal.SIG_DFL, None):
            previous[signum] = signal.signal(signum, _raise)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """SIGINT/SIGTERM/SIGHUP wait until the block is done (where the platform allows)."""
    if not hasattr(signal, "pthread_sigmask") or not _main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def default_in_child() -> None:
    """In a forked helper: die at once on a signal (the parent removes what it staged)."""
    for signum in _SIGNALS:
        signal.signal(signum, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _SIGNALS)

