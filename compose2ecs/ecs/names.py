"""Names that stay unique after truncation and case folding.

AWS cuts names at a length (families 255, port names 64 …) and some compare them ignoring case
(port names are lower case only). Cutting ``…-service-a`` and ``…-service-b`` at the same place, or
folding ``Web`` and ``web``, would give two resources one name. Two tools:

* :func:`shorten` — stateless: a name that fits is kept; a longer one keeps its start and ends with
  ``-`` and a short hash of the *whole* name, so different long names stay different.
* :class:`NameSpace` — one set of names (the port names of a task, the Service Connect discovery
  names of a project): the first owner of a name keeps it, a later owner whose name would clash
  after folding gets a hash suffix derived from that owner. Deterministic for a given claim order.
"""
from __future__ import annotations

from dataclasses import field
from typing import Callable, Hashable

from ..records import record

HASH_LENGTH = 6


def digest(value, length: int = HASH_LENGTH) -> str:
    """A short, stable, lower-case hex hash of ``value`` (its repr for non-strings)."""
    import hashlib  # here, not at the top: only long or clashing names need it (start-up, issue 12)

    text = value if isinstance(value, str) else repr(value)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:length]


def shorten(name: str, limit: int, suffix: str = "", key=None) -> str:
    """``name + suffix`` cut to ``limit``; when cut, a hash of ``key`` (default: the whole name) is kept.

    ``suffix`` (e.g. ``-80-tcp``) always survives at the end.
    """
    if len(name) + len(suffix) <= limit:
        return name + suffix
    tag = "-" + digest(name + suffix if key is None else key)
    keep = max(limit - len(suffix) - len(tag), 1)
    return name[:keep].rstrip("-_") + tag + suffix


@record(frozen=False, slots=False)
class NameSpace:
    """Names unique within one scope, compared after ``fold`` (lower case by default)."""

    limit: int
    fold: Callable[[str], str] = str.lower
    _taken: dict = field(default_factory=dict)  # folded name → owner
    _names: dict = field(default_factory=dict)  # owner → name

    def claim(self, candidate: str, owner: Hashable) -> str:
        """The name ``owner`` gets: ``candidate`` (cut to the limit) unless another owner holds it."""
        if owner in self._names:
            return self._names[owner]
        name = shorten(candidate, self.limit)
        length = HASH_LENGTH
        while self._taken.get(self.fold(name), owner) != owner:
            tag = "-" + digest(owner, length)
            name = candidate[:max(self.limit - len(tag), 1)].rstrip("-_") + tag
            length += 2
        self._taken[self.fold(name)] = owner
        self._names[owner] = name
        return name
