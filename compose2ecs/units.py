"""Units shared by every front-end: byte sizes, durations, CPU counts, command splitting.

One implementation so that ``mem_limit: 1g``, ``--memory 1g`` and ``deploy.resources.limits.memory``
all mean the same number. Functions raise :class:`ValueError` with a plain-words message; callers
attach the location.
"""
from __future__ import annotations

import math
import re
import shlex
from typing import Union

# go-units RAMInBytes: case-insensitive, 1024-based, decimals allowed, optional "i" and "b".
_BYTES_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?)(b?)\s*$", re.IGNORECASE)
_BYTE_FACTORS = {"": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3, "t": 1024 ** 4, "p": 1024 ** 5}


def parse_bytes(value: Union[str, int, float]) -> int:
    """``"512m"`` → 536870912; bare integers are bytes. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a byte size")
    if isinstance(value, (int, float)):
        if value < 0 or not math.isfinite(value):
            raise ValueError(f"{value!r} is not a byte size (a finite number from 0 up)")
        return int(value)
    match = _BYTES_RE.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a byte size (use a number with b, k, m or g, e.g. 512m)")
    number, unit, _, _ = match.groups()
    return int(float(number) * _BYTE_FACTORS[unit.lower()])


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w)")
_DURATION_FACTORS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0,
                     "m": 60.0, "h": 3600.0, "d": 86400.0, "w": 604800.0}


def parse_duration(value: Union[str, int, float]) -> float:
    """Go ``time.ParseDuration`` syntax (``1m30s``, ``1.5s``, ``10ms``) → seconds.

    Bare numbers are seconds (what users of ``--stop-timeout`` and ``--health-interval=30``
    mean). Raises ValueError.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a duration")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not a duration")
        return float(value)
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    pos, total = 0, 0.0
    for match in _DURATION_PART.finditer(body):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _DURATION_FACTORS[match.group(2)]
        pos = match.end()
    if not body or pos != len(body):
        raise ValueError(f"{value!r} is not a duration (use units like 30s, 1m30s, 500ms)")
    return sign * total


def format_duration(seconds: float) -> str:
    """Seconds → the shortest Go-style duration string (``90.0`` → ``1m30s``)."""
    if seconds == 0:
        return "0s"
    out = ""
    rest = round(seconds * 1000)  # milliseconds: finer units never matter to ECS
    for unit, ms in (("h", 3_600_000), ("m", 60_000), ("s", 1000)):
        if rest >= ms:
            out += f"{rest // ms}{unit}"
            rest %= ms
    if rest:
        out += f"{rest}ms"
    return out


def parse_cpus(value: Union[str, int, float]) -> float:
    """``"0.5"`` / ``0.5`` → 0.5 CPUs. Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a CPU count")
    try:
        cpus = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{value!r} is not a CPU count (use a number such as 0.5 or '2')") from None
    if cpus < 0 or not math.isfinite(cpus):
        raise ValueError(f"{value!r} is not a usable CPU count (a finite number from 0 up)")
    return cpus


def split_command(value: str) -> list:
    """Split a compose ``command``/``entrypoint`` string like Compose does (POSIX shell words,
    no expansion). Raises ValueError on unbalanced quotes."""
    try:
        return shlex.split(value, posix=True)
    except ValueError as exc:
        raise ValueError(f"cannot split {value!r} into words: {exc}") from None
