"""Every corpus project converts without a traceback, every task definition passes the oracle,
and every finding names its key, its service (when about one) and its location."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from compose2ecs.ecs.lower import LowerOptions, lower
from compose2ecs.emit.taskdef import task_definition_dict
from compose2ecs.errors import UserError
from compose2ecs.pipeline import InputOptions, load_inputs
from tests.conftest import CORPUS, corpus_dir
from tests.oracle import task_definition_problems
from tests.test_corpus_load import EXPECTED_ERRORS

NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")


def corpus_projects() -> list:
    """(id, compose file) for every corpus project: directories with a default file, loose YAML files."""
    if not CORPUS.exists():
        return []
    out = []
    for path in sorted(CORPUS.rglob("*")):
        if path.is_dir():
            found = next((path / n for n in NAMES if (path / n).exists()), None)
            if found:
                out.append(found)
        elif path.suffix in (".yaml", ".yml") and path.parent.name == "real":
            out.append(path)
    return out


PROJECTS = corpus_projects()


def convert(path: Path):
    loaded = load_inputs(InputOptions(files=(str(path),), cwd=str(path.parent)), {})
    return loaded.project, lower(loaded.project, LowerOptions(), {})


@pytest.mark.parametrize("path", PROJECTS or [None],
                         ids=[str(p.relative_to(CORPUS)) for p in PROJECTS] or ["no-corpus"])
def test_corpus_project_lowers(path):
    corpus_dir()
    if str(path.relative_to(CORPUS)) in EXPECTED_ERRORS:  # the loader's recorded, located errors
        with pytest.raises(UserError) as info:
            convert(path)
        assert all(d.location.file for d in info.value.diagnostics), str(info.value)
        return
    project, ecs = convert(path)
    assert ecs.task_definitions
    for td in ecs.task_definitions:
        document = task_definition_dict(td)
        assert task_definition_problems(document) == [], td.family
        json.dumps(document)
    for finding in ecs.findings:
        loc = finding.location
        assert loc.file, str(finding)
        if finding.service:
            assert loc.key_path[:2] == ("services", finding.service), str(finding)
            assert len(loc.key_path) >= 2, str(finding)


def test_corpus_is_found():
    corpus_dir()
    assert len(PROJECTS) >= 20


def docker_run_cases() -> list:
    path = CORPUS / "docker-run" / "cases.jsonl"
    if not path.exists():
        return []
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return sorted({case["command"] for case in lines})


RUN_CASES = docker_run_cases()


@pytest.mark.parametrize("command", RUN_CASES or [None],
                         ids=[str(i) for i in range(len(RUN_CASES))] or ["no-corpus"])
def test_docker_run_case_lowers(command, tmp_path):
    corpus_dir("docker-run")
    try:
        loaded = load_inputs(InputOptions(docker_run=(command,), cwd=str(tmp_path)), {})
        ecs = lower(loaded.project, LowerOptions(), {})
    except UserError as err:
        assert err.diagnostics, command
        return
    for td in ecs.task_definitions:
        assert task_definition_problems(task_definition_dict(td)) == [], command
    for finding in ecs.findings:
        if finding.service:
            assert finding.location.key_path[:2] == ("services", finding.service), str(finding)
