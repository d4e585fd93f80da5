"""Progress rendering only: the deploy logic emits events, these classes draw them.

* ``TtyProgress`` — a live per-resource view on a terminal (one row per resource, redrawn in
  place, with elapsed time and the reason of a failure);
* ``PlainProgress`` — timestamped lines for CI (``CI=true``) or when stderr is not a TTY;
* ``JsonProgress`` — one JSON object per event on stdout, then the final result.

Rows are kept in first-seen order and events from concurrent workers are emitted by the
caller in a fixed order, so the output does not depend on thread timing.
"""
from __future__ import annotations

import json
import sys
import threading
import time
from typing import Callable, Mapping, Optional, TextIO

FINAL = {"created", "updated", "unchanged", "registered", "deleted", "done", "failed", "skipped"}


class Progress:
    """Base: ``event`` for a resource's state, ``note`` for a free line, ``result`` at the end."""

    def __init__(self, stream: TextIO = sys.stderr, clock: Callable[[], float] = time.time):
        self.stream = stream
        self.clock = clock
        self._lock = threading.Lock()

    def event(self, resource: str, name: str, status: str, message: str = "") -> None:
        with self._lock:
            self._event(resource, name, status, message)

    def note(self, text: str) -> None:
        with self._lock:
            self._note(text)

    def result(self, data: dict, text: str) -> None:
        """The final outcome: ``text`` for people (stdout), ``data`` for --output json."""
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")

    def tick(self) -> None:
        """Time passed with no event: refresh what shows elapsed time (nothing for line renderers)."""
        with self._lock:
            self._tick()

    def _tick(self) -> None:
        pass

    def close(self) -> None:
        """Finish the live view (nothing for line-based renderers)."""

    def _event(self, resource, name, status, message):  # pragma: no cover - abstract
        raise NotImplementedError

    def _note(self, text):
        self.stream.write(text + "\n")
        self.stream.flush()


class PlainProgress(Progress):
    """``12:03:04 service web: creating`` — one line per event, for logs and CI."""

    def _event(self, resource, name, status, message):
        stamp = time.strftime("%H:%M:%S", time.gmtime(self.clock()))
        tail = f" — {message}" if message else ""
        self.stream.write(f"{stamp} {resource} {name}: {status}{tail}\n")
        self.stream.flush()


class JsonProgress(Progress):
    """Machine-readable events (JSON lines on stdout) and a final ``{"result": …}``."""

    def __init__(self, stream: TextIO = sys.stdout, clock: Callable[[], float] = time.time):
        super().__init__(stream, clock)

    def _event(self, resource, name, status, message):
        record = {"event": "resource", "resource": resource, "name": name, "status": status,
                  "message": message, "time": round(self.clock(), 3)}
        self.stream.write(json.dumps(record, sort_keys=True) + "\n")
        self.stream.flush()

    def _note(self, text):
        self.stream.write(json.dumps({"event": "note", "message": text}, sort_keys=True) + "\n")

    def result(self, data: dict, text: str) -> None:
        record = {"event": "result", "status": "ok", "exit_code": 0, "result": data}
        self.stream.write(json.dumps(record, sort_keys=True) + "\n")
        self.stream.flush()


class TtyProgress(Progress):
    """A table redrawn in place: ``service  web   creating  12s``; failures keep their reason."""

    def __init__(self, stream: TextIO = sys.stderr, clock: Callable[[], float] = time.time):
        super().__init__(stream, clock)
        self.rows: dict = {}  # (resource, name) → [status, started, message, ended]
        self._drawn = 0

    def _event(self, resource, name, status, message):
        now = self.clock()
        row = self.rows.setdefault((resource, name), [status, now, message, None])
        if row[3] is not None and status not in FINAL:  # a new phase (created → waiting): its own clock
            row[1] = now
        row[0], row[2] = status, message
        row[3] = now if status in FINAL else None
        self._draw()

    def _tick(self):
        if self.rows:
            self._draw()

    def _note(self, text):
        self._clear()
        self.stream.write(text + "\n")
        self._drawn = 0
        self._draw()

    def _clear(self):
        if self._drawn:
            self.stream.write(f"\x1b[{self._drawn}F\x1b[J")

    def _draw(self):
        self._clear()
        now = self.clock()
        width = max((len(r) + len(n) for r, n in self.rows), default=0) + 2
        for (resource, name), (status, started, message, ended) in self.rows.items():
            elapsed = int((ended or now) - started)
            label = f"{resource} {name}".ljust(width)
            tail = f"  {message}" if message else ""
            self.stream.write(f"{label}{status:<12}{elapsed:>4}s{tail}\n")
        self._drawn = len(self.rows)
        self.stream.flush()

    def close(self) -> None:
        self._drawn = 0


class NullProgress(Progress):
    """Swallows events (library callers that only want the return value)."""

    def _event(self, resource, name, status, message):
        pass

    def _note(self, text):
        pass

    def result(self, data: dict, text: str) -> None:
        pass


def choose(output: str = "text", stream: TextIO = sys.stderr, environ: Optional[Mapping] = None,
           clock: Callable[[], float] = time.time) -> Progress:
    """JSON for ``--output json``; plain lines in CI or without a TTY; the live view otherwise."""
    environ = environ or {}
    if output == "json":
        return JsonProgress(sys.stdout, clock)
    in_ci = str(environ.get("CI", "")).lower() in ("1", "true", "yes")
    if in_ci or not getattr(stream, "isatty", lambda: False)():
        return PlainProgress(stream, clock)
    return TtyProgress(stream, clock)
