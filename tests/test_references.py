"""Phase 11b: dangling references and dependency cycles are located errors (as in Compose)."""
from __future__ import annotations

import pytest

from compose2ecs.errors import UserError
from compose2ecs.pipeline import InputOptions, load_inputs


def load_text(tmp_path, text):
    (tmp_path / "compose.yaml").write_text(text)
    return load_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), project_name="p",
                                    cwd=str(tmp_path)), environ={})


def errors(tmp_path, text) -> list:
    with pytest.raises(UserError) as info:
        load_text(tmp_path, text)
    return [str(d) for d in info.value.diagnostics]


def test_undefined_volume_network_secret_and_config_are_reported_together(tmp_path):
    got = errors(tmp_path, """services:
  web:
    image: nginx
    volumes: ["data:/data", "./here:/here"]
    networks: [front]
    secrets: [token]
    configs: [conf]
""")
    assert [g.split(": error: ")[1] for g in got] == [  # in file order
        "service 'web' refers to undefined volume 'data' (declare it under the top-level `volumes:` key)",
        "service 'web' refers to undefined network 'front' (declare it under the top-level `networks:` key)",
        "service 'web' refers to undefined secret 'token' (declare it under the top-level `secrets:` key)",
        "service 'web' refers to undefined config 'conf' (declare it under the top-level `configs:` key)",
    ]
    assert ":4:" in got[0] and "services.web.volumes[0]" in got[0]


def test_declared_references_and_the_default_network_are_fine(tmp_path):
    loaded = load_text(tmp_path, """services:
  web:
    image: nginx
    volumes: [data:/data]
    networks: [default, front]
volumes: {data: {}}
networks: {front: {}}
""")
    assert [s.name for s in loaded.project.services] == ["web"]


def test_a_service_without_image_or_build_is_an_error(tmp_path):
    (got,) = errors(tmp_path, "services:\n  web: {}\n")
    assert "service 'web' has neither an image nor a build context" in got


def test_self_dependency_is_an_error(tmp_path):
    (got,) = errors(tmp_path, "services:\n  web:\n    image: nginx\n    depends_on: [web]\n")
    assert "service 'web' depends on itself" in got and "services.web.depends_on" in got


def test_dependency_cycle_names_the_chain(tmp_path):
    (got,) = errors(tmp_path, """services:
  a: {image: x, depends_on: [b]}
  b: {image: x, links: [c]}
  c: {image: x, depends_on: [a]}
""")
    assert "dependency cycle: a → b → c → a" in got
