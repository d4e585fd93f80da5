"""Compose secrets and configs become files at their target through one init container (issue 16)."""
from __future__ import annotations

import json
import textwrap

import pytest

from compose2ecs.ecs import files
from compose2ecs.ecs.lower import LowerOptions, lower
from compose2ecs.emit.taskdef import render_task_definitions, task_definition_dict
from compose2ecs.errors import UserError
from compose2ecs.pipeline import InputOptions, load_inputs

PASSWORD = "s3cr3t $(rm -rf /) `id` \"' \\n ; & |"


def convert(tmp_path, compose: str, extra: dict = None, env: dict = None):
    (tmp_path / "compose.yaml").write_text(textwrap.dedent(compose))
    for name, data in (extra or {}).items():
        (tmp_path / name).write_bytes(data if isinstance(data, bytes) else data.encode())
    loaded = load_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path)), env or {})
    ecs = lower(loaded.project, LowerOptions(region="eu-west-1"), env or {})
    return ecs, {td.family: task_definition_dict(td) for td in ecs.task_definitions}


POSTGRES = """
name: shop
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db-password
    secrets: [db-password]
secrets:
  db-password:
    file: ./db-password.txt
"""


def containers(td: dict) -> dict:
    return {c["name"]: c for c in td["containerDefinitions"]}


def test_postgres_reads_its_password_file_at_the_path_it_names(tmp_path):
    ecs, tds = convert(tmp_path, POSTGRES, {"db-password.txt": PASSWORD})
    td = tds["shop-db"]
    db, init = containers(td)["db"], containers(td)[files.INIT_NAME]
    assert "secrets" not in db  # a file, not an environment variable
    mount = db["mountPoints"][0]
    assert mount["containerPath"] == "/run/secrets" and mount["readOnly"] is True
    assert db["dependsOn"] == [{"containerName": files.INIT_NAME, "condition": "SUCCESS"}]
    assert init["essential"] is False and init["image"] == files.INIT_IMAGE
    assert [m["sourceVolume"] for m in init["mountPoints"]] == [mount["sourceVolume"]]
    assert init["mountPoints"][0]["readOnly"] is False
    env = {e["name"]: e["value"] for e in init["environment"]}
    assert env["C2E_FILE_0"] == init["mountPoints"][0]["containerPath"] + "/db-password"
    assert env["C2E_MODE_0"] == "0444"
    spec = {s.key: s for s in ecs.secrets}["db-password"]
    assert init["secrets"] == [{"name": "C2E_VALUE_0", "valueFrom": spec.value_from}]
    assert {"name": mount["sourceVolume"], "host": {}} in td["volumes"]
    assert not [f for f in ecs.findings if f.severity == "lossy" and "secret" in f.message]
    assert spec.store_name == "shop/db-password".join(("compose2ecs/", "")) and spec.encoding == "text"


def test_the_script_names_variables_only_never_a_value_or_a_path(tmp_path):
    _, tds = convert(tmp_path, POSTGRES.replace("[db-password]", "[{source: db-password, target: \"/run/s p$(x)/a b\"}]"),
                     {"db-password.txt": PASSWORD})
    init = containers(tds["shop-db"])[files.INIT_NAME]
    script = init["command"][0]
    assert init["entryPoint"] == ["sh", "-c"]
    assert "printf '%s' \"$C2E_VALUE_0\" > \"$C2E_FILE_0\"" in script
    assert "$(x)" not in script and "a b" not in script and PASSWORD not in json.dumps(tds)


def test_long_syntax_target_uid_gid_mode(tmp_path):
    compose = POSTGRES.replace("[db-password]", """
      - source: db-password
        target: /etc/pg/pass
        uid: "999"
        gid: "998"
        mode: 0400
      - source: db-password
        target: other""")
    ecs, tds = convert(tmp_path, compose, {"db-password.txt": PASSWORD})
    c = containers(tds["shop-db"])
    env = {e["name"]: e["value"] for e in c[files.INIT_NAME]["environment"]}
    assert env["C2E_OWNER_0"] == "999:998" and env["C2E_MODE_0"] == "0400"
    assert "C2E_OWNER_1" not in env and env["C2E_MODE_1"] == "0444"
    script = c[files.INIT_NAME]["command"][0]
    assert 'chown "$C2E_OWNER_0" "$C2E_FILE_0"; chmod "$C2E_MODE_0" "$C2E_FILE_0"' in script
    assert sorted(m["containerPath"] for m in c["db"]["mountPoints"]) == ["/etc/pg", "/run/secrets"]
    assert all(m["readOnly"] for m in c["db"]["mountPoints"])
    lossy = [f.message for f in ecs.findings if f.severity == "lossy"]
    assert any("hides the files the image has in /etc/pg" in m for m in lossy)


def test_binary_file_is_stored_base64_and_decoded(tmp_path):
    ecs, tds = convert(tmp_path, POSTGRES, {"db-password.txt": b"\x00\xff\xfebinary"})
    assert {s.key: s for s in ecs.secrets}["db-password"].encoding == "base64"
    script = containers(tds["shop-db"])[files.INIT_NAME]["command"][0]
    assert "printf '%s' \"$C2E_VALUE_0\" | base64 -d > \"$C2E_FILE_0\"" in script


def test_configs_content_and_file_become_files_from_ssm(tmp_path):
    compose = """
    name: web
    services:
      nginx:
        image: nginx:1
        configs:
          - source: site
            target: /etc/nginx/conf.d/site.conf
          - {source: big, target: /run/configs/big.conf}
          - big
    configs:
      site:
        content: |
          server { listen 80; }
      big:
        file: ./big.conf
    """
    ecs, tds = convert(tmp_path, compose, {"big.conf": "x" * 5000})
    specs = {s.key: s for s in ecs.secrets}
    assert specs["config:site"].store == "ssm" and specs["config:site"].value_from == "/compose2ecs/web/configs/site"
    assert specs["config:big"].store == "secretsmanager"  # over SSM's 4 KiB
    init = containers(tds["web-nginx"])[files.INIT_NAME]
    assert {s["valueFrom"] for s in init["secrets"]} == {specs["config:site"].value_from, specs["config:big"].value_from}
    text = json.dumps(tds)
    assert "listen 80" not in text  # never inline in a task definition
    paths = {m["containerPath"] for m in containers(tds["web-nginx"])["nginx"]["mountPoints"]}
    assert paths == {"/etc/nginx/conf.d", "/run/configs"}  # the plain `big` would be /big, at the root: dropped
    assert any("cannot be written to /big" in f.message for f in ecs.findings)


def test_external_secret_is_read_by_name_and_x_ecs_reference_with_json_key(tmp_path):
    compose = """
    name: ext
    x-ecs:
      secrets:
        api: {arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-AbCdEf", json_key: token, version_stage: AWSCURRENT}
    services:
      app:
        image: app:1
        secrets: [api, tok]
    secrets:
      api: {external: true}
      tok: {external: true, name: /prod/tok}
    """
    ecs, tds = convert(tmp_path, compose)
    init = containers(tds["ext-app"])[files.INIT_NAME]
    assert [s["valueFrom"] for s in init["secrets"]] == [
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-AbCdEf:token:AWSCURRENT:", "/prod/tok"]
    assert not any(s.create for s in ecs.secrets)


def test_x_ecs_keeps_the_environment_variable_mapping(tmp_path):
    compose = POSTGRES.replace("    secrets: [db-password]", "    secrets: [db-password]\n    x-ecs: {secrets: {db-password: PGPASS}}")
    ecs, tds = convert(tmp_path, compose, {"db-password.txt": PASSWORD})
    c = containers(tds["shop-db"])
    assert files.INIT_NAME not in c and [s["name"] for s in c["db"]["secrets"]] == ["PGPASS"]


def test_no_room_for_the_init_container_is_a_located_error(tmp_path):
    services = "".join(f"  s{i}:\n    image: app:1\n    x-ecs: {{task: big}}\n" for i in range(10))
    compose = f"name: full\nservices:\n{services}  s0:\n    image: app:1\n    x-ecs: {{task: big}}\n    secrets: [k]\n" \
              "secrets:\n  k: {external: true}\n"
    compose = compose.replace("  s0:\n    image: app:1\n    x-ecs: {task: big}\n", "", 1)
    with pytest.raises(UserError) as err:
        convert(tmp_path, compose)
    assert "would be the 11th" in str(err.value) and "compose.yaml:" in str(err.value)


def test_containers_of_one_task_do_not_see_each_others_files(tmp_path):
    compose = """
    name: pair
    services:
      a: {image: a:1, secrets: [one], x-ecs: {task: t}}
      b: {image: b:1, secrets: [two], x-ecs: {task: t}}
    secrets:
      one: {external: true}
      two: {external: true}
    """
    _, tds = convert(tmp_path, compose)
    c = containers(tds["pair-t"])
    assert c["a"]["mountPoints"][0]["sourceVolume"] != c["b"]["mountPoints"][0]["sourceVolume"]
    assert len(c[files.INIT_NAME]["mountPoints"]) == 2


def test_conversion_is_deterministic(tmp_path):
    first, _ = convert(tmp_path, POSTGRES, {"db-password.txt": PASSWORD})
    second, _ = convert(tmp_path, POSTGRES, {"db-password.txt": PASSWORD})
    assert render_task_definitions(first) == render_task_definitions(second)


@pytest.mark.parametrize("launch", ["FARGATE", "EC2"])
def test_the_same_files_on_fargate_and_ec2_in_the_json_and_the_template(tmp_path, launch):
    """All three back-ends use one dict: the CloudFormation task definition re-cases it."""
    from compose2ecs.emit.cloudformation import build_templates

    compose = POSTGRES.replace("    secrets: [db-password]", f"    secrets: [db-password]\n    x-ecs: {{launch_type: {launch}}}")
    ecs, tds = convert(tmp_path, compose, {"db-password.txt": PASSWORD})
    td = tds["shop-db"]
    assert td["requiresCompatibilities"] == [launch]
    template = json.dumps(build_templates(ecs, fmt="json"))
    init = containers(td)[files.INIT_NAME]
    assert json.dumps(init["command"][0])[1:-1] in template
    assert '"SourceVolume": "files-db-0"' in template and '"Host": {}' in template
    assert PASSWORD not in template


@pytest.mark.parametrize("bad", ['{arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:a-AbCdEf", ssm: /x}',
                                 '{arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:a:b"}',
                                 '{json_key: k}'])
def test_a_malformed_x_ecs_secret_reference_is_a_located_error(tmp_path, bad):
    compose = f"name: bad\nx-ecs:\n  secrets:\n    api: {bad}\nservices:\n  app:\n    image: a:1\n" \
              "    secrets: [api]\nsecrets:\n  api: {external: true}\n"
    with pytest.raises(UserError) as err:
        convert(tmp_path, compose)
    assert "compose.yaml:4:" in str(err.value) and "x-ecs.secrets.api" in str(err.value)


def test_report_and_bundle_readme_name_configs_as_configs(tmp_path):
    from compose2ecs.emit.bundle import render_readme
    from compose2ecs.emit.cloudformation import build_templates, dump_template
    from compose2ecs.report import render_report

    compose = POSTGRES + "configs:\n  site: {content: hello}\n"
    compose = compose.replace("    secrets: [db-password]", "    secrets: [db-password]\n"
                              "    configs: [{source: site, target: /run/configs/site}]")
    ecs, _ = convert(tmp_path, compose, {"db-password.txt": PASSWORD})
    loaded = load_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path)), {})
    report = render_report(loaded.project, ecs, "next")
    assert "Config `site` → `/compose2ecs/shop/configs/site`" in report
    templates = {name: dump_template(t) for name, t in build_templates(ecs, fmt="yaml").items()}
    readme = render_readme(str(tmp_path), ecs, ecs.findings, templates, [])
    assert "config:site" not in readme and "SecretConfig" not in readme


def test_store_names_are_valid_for_their_store():
    from compose2ecs.ecs.secrets import store_name

    assert store_name("my+proj", "config", "a@b/c") == "/compose2ecs/my-proj/configs/a-b-c"
    assert store_name("shop", "secret", "db.pw") == "compose2ecs/shop/db.pw"
