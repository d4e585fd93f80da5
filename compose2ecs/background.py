"""One job in a forked child process while this process goes on with other work.

The bundle has two independent halves — the task-definition files and report, and the
CloudFormation templates — and building big templates is pure-Python CPU work, so on a
machine with two cores the halves are produced side by side (``emit/bundle.py``). A child
is forked rather than started so it shares the converted model without pickling it.

The child reports how it ended through a pipe: what the job returned, pickled (success), or
one line of error text; :meth:`Job.wait` returns the job's value either way.
Where ``fork`` is missing (Windows), threads exist (forking them is unsafe), there is one
CPU, or ``COMPOSE2ECS_NO_FORK`` is set, the job simply runs in this process.
"""
from __future__ import annotations

import os
import pickle
import sys
import traceback
from typing import Any, Callable, Optional

from . import interrupts


class BackgroundError(Exception):
    """The child failed; ``os_error`` tells a failed write (OSError) from anything else."""

    def __init__(self, message: str, os_error: bool) -> None:
        super().__init__(message)
        self.os_error = os_error


def can_fork(environ=None) -> bool:
    """Whether running a job in a forked child is possible and worth it here."""
    import threading

    environ = os.environ if environ is None else environ
    return (hasattr(os, "fork") and not environ.get("COMPOSE2ECS_NO_FORK")
            and threading.active_count() == 1 and (os.cpu_count() or 1) > 1)


class Job:
    """A job started by :func:`start`; call :meth:`wait` (or :meth:`cancel`) exactly once."""

    def __init__(self, job: Callable[[], Any], fork: bool) -> None:
        self.pid: Optional[int] = None
        self.value: Any = None
        if not fork:
            self.value = job()  # in this process: exceptions propagate as they are
            return
        sys.stdout.flush()
        sys.stderr.flush()
        read, write = os.pipe()
        # Signals wait until the child is known: a Ctrl-C right after fork() would otherwise
        # unwind the parent before it stored the pid, leaving a child nobody stops that goes
        # on writing into a staging directory the parent has just removed.
        with interrupts.deferred():
            pid = os.fork()
            if pid == 0:  # the child: run, report, and leave without running any cleanup of the parent's
                os.close(read)
                interrupts.default_in_child()  # a signal ends it at once (unblocked); the parent cleans up
                _run_child(job, write)
            os.close(write)
            self.pid, self._read = pid, read

    def wait(self) -> Any:
        """Block until the job is done and return what it returned; raise
        :class:`BackgroundError` if it failed."""
        if self.pid is None:
            return self.value
        chunks = []
        while True:
            chunk = os.read(self._read, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        os.close(self._read)
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        code = os.waitstatus_to_exitcode(status)
        if code < 0:  # killed by a signal (the parent usually got it too and is unwinding)
            raise BackgroundError(f"the helper process was stopped by signal {-code}", os_error=True)
        if code != 0:
            text = b"".join(chunks).decode("utf-8", "replace").strip() or f"exit status {code}"
            raise BackgroundError(text, os_error=code == 1)
        data = b"".join(chunks)
        return pickle.loads(data) if data else None  # our own child's bytes, not outside input

    def cancel(self) -> None:
        """Stop the job if it still runs (the parent failed; its work is thrown away)."""
        if self.pid is None:
            return
        import signal

        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        os.close(self._read)
        self.pid = None


def _run_child(job: Callable[[], Any], pipe: int) -> None:
    code, data = 0, b""
    try:
        value = job()
        data = b"" if value is None else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    except OSError as exc:
        code = 1
        data = f"{exc.filename + ': ' if exc.filename else ''}{exc.strerror or exc}".encode("utf-8", "replace")
    except BaseException:  # a bug: the parent prints it as an internal error
        code, data = 2, traceback.format_exc().encode("utf-8", "replace")
    try:
        while data:
            data = data[os.write(pipe, data):]
    finally:
        os._exit(code)


def start(job: Callable[[], Any], fork: Optional[bool] = None) -> Job:
    """Run ``job`` in a forked child when :func:`can_fork` (or ``fork``) says so, else now."""
    return Job(job, can_fork() if fork is None else fork)
