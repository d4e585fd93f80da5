"""Where Docker Compose v2 fills things in on its own, we do too (issue 10 items 3, 4, 7, 8).

Each expectation below was read off Docker Compose v2.40.3's `config --format json` on the same
file; tests/test_compose_differential.py checks the corpus against the binary itself.
"""
from __future__ import annotations

import pytest

from compose2ecs.errors import UserError
from compose2ecs.pipeline import InputOptions, convert_inputs, load_inputs


def load(tmp_path, files: dict, environ=None, **options):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    names = tuple(str(tmp_path / n) for n in files if n.endswith((".yaml", ".yml")))
    return load_inputs(InputOptions(files=options.pop("files", names), cwd=str(tmp_path), **options),
                       environ=environ or {})


def depends(loaded, service):
    return {name: dict(spec) for name, spec in loaded.document["services"][service]
            .get("depends_on", {}).items()}


# --- item 3: implicit dependencies --------------------------------------------------------

IMPLICIT = """services:
  z: {image: a}
  y: {image: a}
  l: {image: a, links: ["z:alias", y]}
  v: {image: a, volumes_from: ["z:ro", "container:foo"]}
  n: {image: a, network_mode: "service:z"}
  i: {image: a, ipc: "service:z"}
  p: {image: a, pid: "service:z"}
  e: {image: a, links: [z], depends_on: {z: {condition: service_healthy}}}
"""


@pytest.mark.parametrize("service, expected", [
    ("l", {"z": True, "y": True}),
    ("v", {"z": False}),  # volumes_from: Docker Compose does not restart on the provider
    ("n", {"z": True}),
    ("i", {"z": True}),
    ("p", {"z": True}),
])
def test_links_volumes_from_and_service_modes_become_depends_on(tmp_path, service, expected):
    got = depends(load(tmp_path, {"compose.yaml": IMPLICIT}), service)
    assert {name: spec["restart"] for name, spec in got.items()} == expected
    assert all(spec["condition"] == "service_started" and spec["required"] for spec in got.values())


def test_an_explicit_depends_on_entry_wins_over_the_implicit_one(tmp_path):
    got = depends(load(tmp_path, {"compose.yaml": IMPLICIT}), "e")
    assert got == {"z": {"condition": "service_healthy", "required": True, "restart": False}}


def test_implicit_dependency_points_at_the_key_that_caused_it(tmp_path):
    loaded = load(tmp_path, {"compose.yaml": IMPLICIT})
    spec = loaded.document["services"]["n"]["depends_on"]["z"]
    assert spec.at.line == 6 and spec.at.key_path[-1] == "network_mode"


def test_implicit_dependency_orders_the_ecs_services(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "services:\n  app: {image: a, links: [db], ports: ['80:80']}\n  db: {image: b}\n")
    result = convert_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),),
                                         cwd=str(tmp_path)), environ={"AWS_REGION": "eu-west-1"})
    app = next(s for s in result.ecs.services if s.name == "app")
    assert "db" in app.depends_on


# --- item 4: COMPOSE_PROJECT_NAME ---------------------------------------------------------

ENV_USES_NAME = "services:\n  web:\n    image: nginx\n    environment:\n      P: ${COMPOSE_PROJECT_NAME}\n"


@pytest.mark.parametrize("extra_files, options, environ, expected", [
    ({}, {}, {}, "mydir"),                                            # the directory, normalised
    ({"b.yaml": "name: ${NM:-fromb}\nservices: {}\n"}, {}, {}, "fromb"),  # `name:` of any -f file
    ({"b.yaml": "name: ${NM:-fromb}\nservices: {}\n"}, {}, {"NM": "zz"}, "zz"),
    ({}, {"project_name": "given"}, {}, "given"),                     # -p
    ({}, {}, {"COMPOSE_PROJECT_NAME": "fromenv"}, "fromenv"),         # the environment
    ({".env": "COMPOSE_PROJECT_NAME=dotenv\n"}, {}, {}, "dotenv"),    # .env
])
def test_compose_project_name_is_the_resolved_name(tmp_path, extra_files, options, environ,
                                                   expected):
    project = tmp_path / "myDir"
    files = {"compose.yaml": ENV_USES_NAME, **extra_files}
    loaded = load(project, files, environ, **options)
    assert loaded.project.name == expected
    assert loaded.document["services"]["web"]["environment"]["P"] == expected


def test_the_last_file_naming_the_project_wins(tmp_path):
    loaded = load(tmp_path, {"a.yaml": "name: first\nservices: {}\n",
                             "b.yaml": "name: second\nservices: {}\n",
                             "c.yaml": ENV_USES_NAME})
    assert loaded.document["services"]["web"]["environment"]["P"] == "second"


def test_an_invalid_top_level_name_is_still_reported_as_such(tmp_path):
    with pytest.raises(UserError) as err:
        load(tmp_path, {"compose.yaml": "name: Bad Name\n" + ENV_USES_NAME})
    assert "from the top-level 'name'" in str(err.value)


# --- item 8: build args without a value ---------------------------------------------------

def test_build_args_without_value_come_from_the_environment_and_dotenv(tmp_path):
    (tmp_path / "app").mkdir()
    loaded = load(tmp_path, {
        "compose.yaml": "services:\n  app:\n    build:\n      context: ./app\n"
                        "      args: [FROM_DOTENV, FROM_ENV, UNSET, GIVEN=1]\n",
        ".env": "FROM_DOTENV=d\n"}, environ={"FROM_ENV": "e"})
    args = dict(loaded.document["services"]["app"]["build"]["args"])
    assert args == {"FROM_DOTENV": "d", "FROM_ENV": "e", "UNSET": None, "GIVEN": "1"}


# --- item 7: nothing selected -------------------------------------------------------------

def test_no_active_service_is_an_error_naming_the_profiles(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "services:\n  a: {image: x, profiles: [dev]}\n  b: {image: x, profiles: [test, dev]}\n")
    options = InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path))
    with pytest.raises(UserError) as err:
        convert_inputs(options, environ={})
    message = str(err.value)
    assert "no service selected" in message and "profiles: dev, test" in message
    assert "--profile dev" in message
    assert err.value.exit_code == 2
    # config still shows the (empty) project, as Docker Compose's config does
    assert load_inputs(options, environ={}).project.services == ()


def test_a_project_without_services_is_an_error(tmp_path):
    (tmp_path / "compose.yaml").write_text("services: {}\n")
    with pytest.raises(UserError, match="defines no services"):
        convert_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path)),
                       environ={})


# --- item 8: findings for what was silent -------------------------------------------------

def findings_of(tmp_path, text):
    (tmp_path / "compose.yaml").write_text(text)
    result = convert_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),),
                                         cwd=str(tmp_path)), environ={"AWS_REGION": "eu-west-1"})
    return [(f.location.line, ".".join(map(str, f.location.key_path)), f.severity, f.message)
            for f in result.findings]


def test_json_file_driver_without_options_says_where_logs_go(tmp_path):
    got = findings_of(tmp_path, "services:\n  a:\n    image: x\n    logging:\n      driver: json-file\n")
    assert any(key == "services.a.logging.driver" and line == 5 and sev == "info"
               and "/ecs/" in msg for line, key, sev, msg in got), got


def test_scale_says_it_became_the_desired_count(tmp_path):
    got = findings_of(tmp_path, "services:\n  a:\n    image: x\n    scale: 1\n")
    assert any(key == "services.a.scale" and line == 4 and "desired count" in msg
               for line, key, sev, msg in got), got


# --- issue 10 item 2: start-order edges ECS keeps only approximately -----------------------

def test_waiting_for_health_of_a_service_without_healthcheck_says_deploy_waits_for_running(tmp_path):
    got = findings_of(tmp_path, "services:\n  db:\n    image: postgres\n  app:\n    image: x\n"
                                "    depends_on: {db: {condition: service_healthy}}\n")
    assert any(key == "services.app.depends_on.db" and sev == "lossy" and "only wait until it runs" in msg
               for line, key, sev, msg in got), got


def test_restart_true_between_tasks_is_said_not_kept(tmp_path):
    got = findings_of(tmp_path, "services:\n  db:\n    image: postgres\n    healthcheck: {test: [CMD, x]}\n"
                                "  app:\n    image: x\n"
                                "    depends_on: {db: {condition: service_healthy, restart: true}}\n")
    assert any(key == "services.app.depends_on.db.restart" and "restart: true is not kept" in msg
               for line, key, sev, msg in got), got
    assert not any("only wait until it runs" in msg for *_, msg in got)


def test_links_add_no_restart_finding(tmp_path):
    # the loader's implicit edge (restart: true, as Docker Compose) is not something the user wrote
    got = findings_of(tmp_path, "services:\n  db:\n    image: postgres\n  app:\n    image: x\n    links: [db]\n")
    assert not any("restart: true is not kept" in msg for *_, msg in got)
