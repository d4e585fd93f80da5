"""Golden cases: tests/fixtures/taskdef/<case>/ → taskdef/<family>.json + findings.txt, or
error.txt for cases ECS cannot run. The oracle checks every emitted task definition, so a
wrong golden cannot be blessed."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from compose2ecs.emit.taskdef import render_task_definitions
from compose2ecs.errors import UserError
from tests.conftest import FIXTURES
from tests.golden import cases, check_golden
from tests.oracle import task_definition_problems
from tests.taskdef_cases import convert_case, relative

CASES = cases(FIXTURES / "taskdef")


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_taskdef_golden(case: Path, update_golden):
    bad = (case / "error.txt").exists() or case.name.startswith("bad-")
    if bad:
        with pytest.raises(UserError) as err:
            convert_case(case)
        check_golden(case / "error.txt", relative(str(err.value), case) + "\n", update_golden)
        return
    _, ecs = convert_case(case)
    rendered = render_task_definitions(ecs)
    for family, text in rendered.items():
        assert task_definition_problems(json.loads(text)) == [], family
        check_golden(case / "taskdef" / f"{family}.json", text, update_golden)
    expected = {p.stem for p in (case / "taskdef").glob("*.json")} if (case / "taskdef").exists() else set()
    if not update_golden:
        assert expected == set(rendered), "task definitions differ from the golden set"
    findings = "".join(relative(str(f), case) + "\n" for f in ecs.findings)
    check_golden(case / "findings.txt", findings, update_golden)


def test_conversion_is_deterministic():
    for case in CASES:
        if (case / "error.txt").exists() or case.name.startswith("bad-"):
            continue
        first = render_task_definitions(convert_case(case)[1])
        assert first == render_task_definitions(convert_case(case)[1]), case.name
