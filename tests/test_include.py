"""include: short and long entries, nesting, conflicts, cycles.

Golden cases: tests/fixtures/include/<case>/compose.yaml and the projects it includes. The
case folder plays the role of /project. Expected: ``resolved.yaml`` plus ``calls.txt`` (what
the loader was asked to load), or ``error.txt`` for ``bad_*`` cases.
"""
from __future__ import annotations

import os

import pytest

from compose2ecs.compose.extends import apply_extends
from compose2ecs.compose.include import apply_include, parse_entry
from compose2ecs.compose.merge import merge_documents
from compose2ecs.compose.source import parse_yaml, plain, read_yaml_file
from compose2ecs.errors import Location, UserError

from .conftest import FIXTURES, corpus_dir
from .golden import cases, check_golden
from .test_merge import error_text, render

ROOT = "/project"


class MiniLoader:
    """The part of load() that include needs: read, extends, merge, recurse with a stack."""

    def __init__(self, case):
        self.case = case
        self.calls: list = []

    def read(self, path):
        rel = os.path.relpath(path, ROOT)
        return read_yaml_file(str(self.case / rel), display_name=rel)

    def loader(self, stack):
        def load_included(paths, project_dir, env_files):
            self.calls.append((paths, project_dir, env_files))
            docs = [apply_extends(self.read(p), p, self.read) for p in paths]
            inner = tuple(stack) + (paths[0],)
            return apply_include(merge_documents(docs), project_dir, self.loader(inner), inner)
        return load_included

    def load_top(self):
        top = os.path.join(ROOT, "compose.yaml")
        return apply_include(merge_documents([self.read(top)]), ROOT, self.loader((top,)), (top,))


def _calls_text(calls) -> str:
    def rel(p):
        return os.path.relpath(p, ROOT)
    return "".join(f"paths={[rel(p) for p in paths]} project_directory={rel(pd)} "
                   f"env_files={[rel(e) for e in envs]}\n" for paths, pd, envs in calls)


@pytest.mark.parametrize("case", cases(FIXTURES / "include"), ids=lambda p: p.name)
def test_include_golden(case, update_golden):
    mini = MiniLoader(case)
    if case.name.startswith("bad_"):
        with pytest.raises(UserError) as err:
            mini.load_top()
        check_golden(case / "error.txt", error_text(err.value), update_golden)
        return
    check_golden(case / "resolved.yaml", render(mini.load_top()), update_golden)
    check_golden(case / "calls.txt", _calls_text(mini.calls), update_golden)


HERE = Location("compose.yaml", 2, 5, ("include", 0))


def test_short_entry_defaults_project_directory_to_the_file_directory():
    assert parse_entry("sub/compose.yaml", "/p", HERE) == (["/p/sub/compose.yaml"], "/p/sub", [])


def test_long_entry_resolves_everything_against_the_including_directory():
    entry = parse_yaml("path: [a/c.yaml, /abs/o.yaml]\nproject_directory: ../x\nenv_file: e.env\n", "c.yaml")
    assert parse_entry(entry, "/p/q", HERE) == (["/p/q/a/c.yaml", "/abs/o.yaml"], "/p/x", ["/p/q/e.env"])


def test_entry_without_path_is_a_located_error():
    entry = parse_yaml("env_file: e.env\n", "compose.yaml")
    with pytest.raises(UserError, match="needs a path") as err:
        parse_entry(entry, "/p", HERE)
    assert err.value.diagnostics[0].location == HERE


def test_identical_definitions_are_not_a_conflict():
    doc = parse_yaml("include: [x.yaml]\nnetworks:\n  n: {driver: bridge}\n", "c.yaml")
    out = apply_include(doc, "/p", lambda *a: parse_yaml("networks: {n: {driver: bridge}}", "x.yaml"))
    assert plain(out) == {"networks": {"n": {"driver": "bridge"}}}


def test_every_conflict_is_reported_at_once_with_both_places():
    doc = parse_yaml("include: [x.yaml]\nservices:\n  a: {image: 1}\n  b: {image: 2}\n", "c.yaml")
    inc = parse_yaml("services:\n  a: {image: 3}\n  b: {image: 4}\n", "x.yaml")
    with pytest.raises(UserError) as err:
        apply_include(doc, "/p", lambda *a: inc)
    messages = [d.message for d in err.value.diagnostics]
    assert messages == ["services.a is defined both in c.yaml:3 and in included x.yaml:2",
                        "services.b is defined both in c.yaml:4 and in included x.yaml:3"]


def test_include_is_removed_and_input_is_not_modified():
    doc = parse_yaml("include: [x.yaml]\nservices:\n  a: {image: 1}\n", "c.yaml")
    before = plain(doc)
    out = apply_include(doc, "/p", lambda *a: parse_yaml("services: {b: {image: 2}}", "x.yaml"))
    assert plain(out) == {"services": {"a": {"image": 1}, "b": {"image": 2}}}
    assert plain(doc) == before


def test_included_resources_keep_their_own_locations():
    doc = parse_yaml("include: [x.yaml]\n", "c.yaml")
    out = apply_include(doc, "/p", lambda *a: parse_yaml("\nvolumes:\n  v: {}\n", "x.yaml"))
    assert (out["volumes"].loc("v").file, out["volumes"].loc("v").line) == ("x.yaml", 3)


def test_document_without_include_is_returned_unchanged():
    doc = parse_yaml("services: {a: {image: 1}}", "c.yaml")
    assert apply_include(doc, "/p", lambda *a: pytest.fail("must not load")) is doc


def test_corpus_compose_go_include():
    folder = corpus_dir("real", "compose-go-include")
    canonical = pytest.importorskip("compose2ecs.compose.canonical")

    def load(path):
        return canonical.canonicalise(read_yaml_file(path, os.path.relpath(path, folder)),
                                      os.path.dirname(path))

    def load_included(paths, project_dir, env_files):
        return merge_documents([apply_extends(load(p), p, load) for p in paths])
    top = str(folder / "compose-include.yaml")
    out = plain(apply_include(load(top), str(folder), load_included, (top,)))
    assert list(out["services"]) == ["bar", "imported"]
    # the included file's relative env_file stays relative to the included file
    assert out["services"]["imported"]["env_file"][0]["path"] == str(folder / "subdir" / "extra.env")
