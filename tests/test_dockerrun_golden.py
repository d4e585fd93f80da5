"""Golden cases for the `docker run` front-end: tests/fixtures/dockerrun/<case>/command.sh →
compose.yaml + findings.txt (good-*) or error.txt (bad-*). Files next to command.sh are what
--env-file / --label-file read. Oracle: every good output reads back through the loader."""
from __future__ import annotations

import dataclasses
import posixpath
import shutil

import pytest
import yaml

from compose2ecs.dockerrun import render_compose, to_compose
from compose2ecs.errors import UserError
from tests.conftest import FIXTURES
from tests.golden import cases, check_golden

ROOT = FIXTURES / "dockerrun"
CASES = cases(ROOT)


def _reader(path: str) -> str:
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def test_cases_come_in_good_and_bad_kinds():
    kinds = {case.name.split("-")[0] for case in CASES}
    assert kinds == {"good", "bad"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden(case, update_golden):
    text = (case / "command.sh").read_text(encoding="utf-8")
    try:
        doc, findings = to_compose([(text, "command.sh")], cwd=str(case), read_file=_reader)
    except UserError as exc:
        assert case.name.startswith("bad-"), f"{case.name}: unexpected error\n{exc}"
        check_golden(case / "error.txt", str(exc).replace(str(case), "<case>") + "\n",
                     update_golden)
        return
    assert case.name.startswith("good-"), f"{case.name} converted but should fail"
    rendered = render_compose(doc)
    check_golden(case / "compose.yaml", rendered, update_golden)
    check_golden(case / "findings.txt", "".join(f"{f}\n" for f in findings), update_golden)
    assert yaml.safe_load(rendered)["services"]


def _without_locations(value):
    if dataclasses.is_dataclass(value):
        return {f.name: _without_locations(getattr(value, f.name))
                for f in dataclasses.fields(value) if f.name not in ("at", "locator")}
    if isinstance(value, (list, tuple)):
        return [_without_locations(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_locations(v) for k, v in value.items()}
    return value


def _resolved_binds(services: list, base: str) -> list:
    for service in services:
        for mount in service["volumes"]:
            if mount["type"] == "bind" and not posixpath.isabs(mount["source"]):
                mount["source"] = posixpath.normpath(posixpath.join(base, mount["source"]))
    return services


@pytest.mark.parametrize("case", [c for c in CASES if c.name.startswith("good-")],
                         ids=lambda c: c.name)
def test_rendered_compose_reads_back_to_the_identical_model(case, tmp_path):
    """`convert --docker-run … --format compose` then `config -f` gives the same model as
    loading the docker run lines directly."""
    try:
        from compose2ecs.pipeline import InputOptions, load_inputs
    except ImportError:  # pragma: no cover
        pytest.skip("loader not available")
    for item in case.iterdir():
        shutil.copy(item, tmp_path / item.name)
    text = (case / "command.sh").read_text(encoding="utf-8")
    environ = {"PWD": str(tmp_path), "HOME": "/home/u"}
    direct = load_inputs(InputOptions(docker_run=(text,), cwd=str(tmp_path)), environ)
    doc, _ = to_compose([(text, "command.sh")], cwd=str(tmp_path), read_file=_reader)
    (tmp_path / "compose.yaml").write_text(render_compose(doc))
    from_file = load_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),),
                                         cwd=str(tmp_path)), environ)
    # docker run lines keep relative bind sources relative (no path of the converting machine
    # in the output); read from a file, Compose resolves them against the file's directory
    assert _without_locations(from_file.project.services) == \
        _resolved_binds(_without_locations(direct.project.services), str(tmp_path))
    assert _without_locations(from_file.project.volumes) == \
        _without_locations(direct.project.volumes)
