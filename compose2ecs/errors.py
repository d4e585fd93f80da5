"""Locations, findings and the errors every layer raises.

Every message the tool prints starts with *where* (file:line:col: key.path), then *what*,
then the fix. Invalid input raises :class:`UserError` carrying one or more
:class:`Diagnostic`; valid input that ECS cannot express yields :class:`Finding` values.
"""
from __future__ import annotations

from dataclasses import field
from typing import Iterable, Sequence, Union

from .records import record

KeyPart = Union[str, int]
KeyPath = tuple  # tuple[KeyPart, ...]

# Exit codes (design.md §4): one table, so the CLI and the docs agree.
EXIT_OK = 0
EXIT_CANCELLED = 1  # the user declined a confirmation prompt (deploy, down): nothing changed
EXIT_INVALID = 2  # bad input: YAML, schema, variables, extends cycle, docker run flags
EXIT_STRICT = 3  # --strict and at least one unsupported/lossy finding
EXIT_AWS = 4  # deploy-side failure (AWS error, rollback, timeout)


def format_key_path(path: Sequence[KeyPart]) -> str:
    """Render ``("services", "web", "ports", 0)`` as ``services.web.ports[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = str(part)
    return out


@record
class Location:
    """Where something came from. ``line``/``column`` are 1-based; 0 means unknown."""

    file: str = ""
    line: int = 0
    column: int = 0
    key_path: KeyPath = ()

    def with_path(self, key_path: Sequence[KeyPart]) -> "Location":
        return Location(self.file, self.line, self.column, tuple(key_path))

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(self.file)
            if self.line:
                parts.append(str(self.line))
                if self.column:
                    parts.append(str(self.column))
        where = ":".join(parts)
        path = format_key_path(self.key_path)
        if where and path:
            return f"{where}: {path}"
        return where or path or "<input>"


UNKNOWN = Location()


class Severity:
    """Finding severities, ordered from most to least serious."""

    ERROR = "error"
    UNSUPPORTED = "unsupported"  # dropped: ECS cannot express it
    LOSSY = "lossy"  # changed: rounded, clamped, replaced
    WARNING = "warning"  # carried over, but quietly risky (an unset variable, a plaintext password)
    INFO = "info"  # ignored on purpose, or a default we chose

    ORDER = (ERROR, UNSUPPORTED, LOSSY, WARNING, INFO)
    STRICT = (UNSUPPORTED, LOSSY, WARNING)  # what --strict turns into exit code 3


@record
class Finding:
    """Something about the input worth telling the user.

    ``severity`` is one of :class:`Severity`. ``service`` names the compose service it is
    about (empty for project-wide findings). Sorting findings gives a stable order.
    """

    severity: str
    location: Location
    message: str
    hint: str = ""
    service: str = ""

    def __str__(self) -> str:
        text = f"{self.location}: {self.severity}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.file, loc.line, loc.column, format_key_path(loc.key_path),
                Severity.ORDER.index(self.severity) if self.severity in Severity.ORDER else 9,
                self.message)


# A Diagnostic is an error-severity finding; the alias keeps call sites readable.
def diagnostic(location: Location, message: str, hint: str = "") -> Finding:
    return Finding(Severity.ERROR, location, message, hint)


class UserError(Exception):
    """Invalid input. Carries every diagnostic of the run; the CLI prints them and exits 2."""

    exit_code = EXIT_INVALID

    def __init__(self, diagnostics: Union[Finding, Iterable[Finding]]):
        if isinstance(diagnostics, Finding):
            diagnostics = [diagnostics]
        self.diagnostics: list[Finding] = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics))

    @classmethod
    def at(cls, location: Location, message: str, hint: str = "") -> "UserError":
        return cls(diagnostic(location, message, hint))


class StrictError(UserError):
    """--strict and at least one unsupported or lossy finding."""

    exit_code = EXIT_STRICT


class AwsError(Exception):
    """A deploy-side failure: names the resource, the AWS error code and what to do."""

    exit_code = EXIT_AWS

    def __init__(self, resource: str, message: str, hint: str = "", code: str = "",
                 details: dict | None = None):
        self.resource = resource
        self.code = code
        self.hint = hint
        self.message = message
        self.details = details or {}  # extra facts for --output json (e.g. each service's outcome)
        text = f"{resource}: {code + ': ' if code else ''}{message}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)


class Cancelled(Exception):
    """The user answered no at a confirmation prompt; nothing was changed (exit 1)."""

    exit_code = EXIT_CANCELLED

    def __init__(self, resource: str, message: str = "cancelled; nothing was changed"):
        self.resource = resource
        self.message = message
        super().__init__(f"{resource}: {message}")


@record(frozen=False)
class FindingSink:
    """Collects findings during a run; de-duplicates and sorts them for output."""

    items: list = field(default_factory=list)

    def add(self, severity: str, location: Location, message: str, hint: str = "",
            service: str = "") -> None:
        self.items.append(Finding(severity, location, message, hint, service))

    def extend(self, findings: Iterable[Finding]) -> None:
        self.items.extend(findings)

    def sorted(self) -> list:
        return sorted(set(self.items), key=Finding.sort_key)
