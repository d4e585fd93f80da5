"""What the compose loader returns (:func:`compose.load.load`); ``pipeline.Loaded`` is this class.

Its own module so that the loader need not import the pipeline that calls it (no import circle;
docs/architecture.md).
"""
from __future__ import annotations

from ..records import record


@record(slots=False)
class Loaded:
    project: object  # compose.model.Project
    document: object  # the final canonical LDict (what `config` prints)
    findings: tuple = ()  # Finding
    profiles: tuple = ()  # every profile the project's services declare, sorted
