"""extends: same file, other file, chains, cycles, missing services and files.

Golden cases: tests/fixtures/extends/<case>/compose.yaml (+ the files it extends). Expected:
``resolved.yaml`` and ``locations.txt``, or ``error.txt`` for ``bad_*`` cases.
"""
from __future__ import annotations

import os

import pytest

from compose2ecs.compose.extends import apply_extends
from compose2ecs.compose.merge import merge_documents
from compose2ecs.compose.source import Reset, parse_yaml, plain, read_yaml_file
from compose2ecs.errors import UserError

from .conftest import FIXTURES, corpus_dir
from .golden import cases, check_golden
from .test_merge import error_text, render, render_locations


def case_loader(case, calls=None):
    """load_file for a fixture case: paths are relative to the case folder."""
    def load(path):
        if calls is not None:
            calls.append(path)
        return read_yaml_file(str(case / path), display_name=path)
    return load


@pytest.mark.parametrize("case", cases(FIXTURES / "extends"), ids=lambda p: p.name)
def test_extends_golden(case, update_golden):
    load = case_loader(case)
    doc = load("compose.yaml")
    if case.name.startswith("bad_"):
        with pytest.raises(UserError) as err:
            apply_extends(doc, "compose.yaml", load)
        check_golden(case / "error.txt", error_text(err.value), update_golden)
        return
    resolved = merge_documents([apply_extends(doc, "compose.yaml", load)])
    check_golden(case / "resolved.yaml", render(resolved), update_golden)
    check_golden(case / "locations.txt", render_locations(resolved), update_golden)


def y(text, name="compose.yaml"):
    return parse_yaml(text, name)


def test_same_file_string_and_mapping_forms():
    doc = y("services:\n  base: {image: a, environment: {A: '1'}}\n"
            "  one: {extends: base, environment: {B: '2'}}\n"
            "  two: {extends: {service: base}, image: b}\n")
    out = plain(apply_extends(doc, "compose.yaml", _no_files))
    assert out["services"]["one"] == {"image": "a", "environment": {"A": "1", "B": "2"}}
    assert out["services"]["two"] == {"image": "b", "environment": {"A": "1"}}


def _no_files(path):
    raise AssertionError(f"no other file should be read, asked for {path}")


def test_extends_key_is_removed_and_input_untouched():
    doc = y("services:\n  base: {image: a}\n  web: {extends: base}\n")
    before = plain(doc)
    out = apply_extends(doc, "compose.yaml", _no_files)
    assert "extends" not in out["services"]["web"]
    assert plain(doc) == before


def test_other_file_path_is_relative_to_the_extending_file():
    calls = []
    files = {os.path.normpath("/p/lib/common.yaml"): y("services:\n  app: {image: lib}\n", "common.yaml")}

    def load(path):
        calls.append(path)
        return files[path]
    doc = y("services:\n  web: {extends: {service: app, file: lib/common.yaml}}\n", "/p/compose.yaml")
    out = apply_extends(doc, "/p/compose.yaml", load)
    assert plain(out)["services"]["web"] == {"image": "lib"}
    assert calls == ["/p/lib/common.yaml"]


def test_other_file_is_loaded_once_per_call_even_when_used_twice():
    calls = []
    doc = y("services:\n  a: {extends: {service: base, file: c.yaml}}\n"
            "  b: {extends: {service: base, file: ./c.yaml}}\n")
    apply_extends(doc, "compose.yaml", lambda p: calls.append(p) or y("services: {base: {image: x}}", p))
    assert calls == ["c.yaml"]


def test_base_depends_on_is_kept_like_compose_go():
    doc = y("services:\n  base: {image: a, depends_on: {db: {condition: service_started, required: true}}}\n"
            "  web: {extends: base}\n  db: {image: d}\n")
    out = plain(apply_extends(doc, "compose.yaml", _no_files))
    assert out["services"]["web"]["depends_on"] == {"db": {"condition": "service_started", "required": True}}


def test_local_reset_survives_for_the_file_merge():
    doc = y("services:\n  base: {image: a, ports: [{target: 80}]}\n  web: {extends: base, ports: !reset []}\n")
    web = apply_extends(doc, "compose.yaml", _no_files)["services"]["web"]
    assert isinstance(web["ports"], Reset)


def test_override_file_reset_clears_the_value_from_the_first_file():
    first = y("services:\n  web: {image: a, ports: [{target: 80}]}\n", "compose.yaml")
    second = y("services:\n  base: {image: b}\n  web: {extends: base, ports: !reset []}\n", "override.yaml")
    merged = merge_documents([first, apply_extends(second, "override.yaml", _no_files)])
    assert plain(merged)["services"]["web"] == {"image": "b"}


def test_inherited_values_point_at_the_base_and_local_values_at_the_local_service():
    doc = y("services:\n  base:\n    image: a\n    user: root\n  web:\n    extends: base\n    user: me\n")
    web = apply_extends(doc, "compose.yaml", _no_files)["services"]["web"]
    assert web.loc("image").line == 3
    assert web.loc("user").line == 7
    assert web.at.line == 6  # the service itself is where web is written


def test_self_cycle_names_the_service():
    doc = y("services:\n  web:\n    extends: web\n")
    with pytest.raises(UserError) as err:
        apply_extends(doc, "compose.yaml", _no_files)
    d = err.value.diagnostics[0]
    assert "extends cycle: web → web" in d.message
    assert (d.location.line, d.location.key_path) == (3, ("services", "web", "extends"))


def test_extends_without_service_name_is_an_error():
    doc = y("services:\n  web:\n    extends: {file: x.yaml}\n")
    with pytest.raises(UserError, match="extends needs the name of a service"):
        apply_extends(doc, "compose.yaml", _no_files)


def test_document_without_services_is_returned_as_is():
    doc = y("volumes: {a: {}}")
    assert apply_extends(doc, "compose.yaml", _no_files) is doc


# --- the real-world corpus (read in place; skipped when ../shared/corpus is absent) ---------

def _canonical_loader(root, legacy=False):
    """load_file as the loader does it: read, canonicalise against the file's own directory.
    ``legacy`` wraps a version-1 file (services at the top level) under ``services:``."""
    canonical = pytest.importorskip("compose2ecs.compose.canonical")
    from compose2ecs.compose.source import LDict

    def load(path):
        raw = read_yaml_file(path, os.path.relpath(path, root))
        if legacy:
            raw = LDict({"services": raw}, at=raw.at)
        return canonical.canonicalise(raw, os.path.dirname(path))
    return load


def _resolve(folder, name, legacy=False):
    load = _canonical_loader(folder, legacy)
    path = str(folder / name)
    return plain(merge_documents([apply_extends(load(path), path, load)]))["services"]


def test_corpus_compose_go_extends_base():
    folder = corpus_dir("real", "compose-go-extends")
    services = _resolve(folder, "base.yaml")
    assert services["another"] == {"image": "base"}
    assert services["with-build"] == {"build": {"context": str(folder)}}  # sibling.yaml's "."
    assert services["nil"] is None


@pytest.mark.parametrize("name,service,environment,command", [
    ("docker-compose.yml", "myweb", {"FOO": "1", "BAR": "2", "BAZ": "2"}, ["top"]),
    ("nested.yml", "myweb", {"FOO": "2", "BAR": "2"}, ["/bin/true"]),
    ("specify-file-as-self.yml", "myweb", {"YEP": "1", "BAZ": "3", "BAR": "1"}, None),
    ("verbose-and-shorthand.yml", "verbose", {"BAR": "1", "FOO": "1"}, None),
    ("verbose-and-shorthand.yml", "shorthand", {"BAR": "1", "FOO": "2"}, None),
    ("common-env-labels-ulimits.yml", "web", {"FOO": "2", "BAR": "1", "BAZ": "3"}, ["/bin/true"]),
])
def test_corpus_docker_compose_v1_extends_give_compose_v1_results(name, service, environment, command):
    # Compose v1's own acceptance tests expect these environments for these fixtures.
    services = _resolve(corpus_dir("real", "docker-compose-v1-extends"), name, legacy=True)
    assert services[service]["environment"] == environment
    assert services[service].get("command") == command


def test_override_tagged_service_with_extends_still_replaces_in_the_file_merge():
    first = y("services:\n  web: {image: a, user: root}\n", "compose.yaml")
    second = y("services:\n  base: {image: b}\n  web: !override {extends: base, init: true}\n", "o.yaml")
    merged = merge_documents([first, apply_extends(second, "o.yaml", _no_files)])
    assert plain(merged)["services"]["web"] == {"image": "b", "init": True}


def test_every_broken_extends_of_a_file_is_reported_at_once(tmp_path):
    from compose2ecs.pipeline import InputOptions, load_inputs

    (tmp_path / "compose.yaml").write_text(
        "services:\n  w2:\n    extends: nothere\n  self:\n    extends: self\n    image: x\n  ok: {image: y}\n")
    with pytest.raises(UserError) as info:
        load_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path)), environ={})
    messages = [d.message for d in info.value.diagnostics]
    assert len(messages) == 2
    assert "extends 'nothere'" in messages[0] and messages[1].startswith("extends cycle: self → self")
