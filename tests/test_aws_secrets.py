"""deploy stores secret and config values from the local project (issue 16), against moto.

Asserts the calls that were sent (CallRecorder) and scans every output for the value."""
from __future__ import annotations

import io
import json
import textwrap

import pytest

from compose2ecs.aws.deploy import DeployOptions, deploy, render_result
from compose2ecs.aws.plan import make_plan, plan_data, render_plan
from compose2ecs.aws.progress import PlainProgress
from compose2ecs.aws.secrets import HASH_TAG
from compose2ecs.aws.session import CallRecorder
from compose2ecs.ecs import files
from compose2ecs.ecs.lower import LowerOptions, lower
from compose2ecs.errors import UserError
from compose2ecs.pipeline import InputOptions, load_inputs
from tests.aws_fixtures import FakeClock, aws_env, make_clients, moto, moto_server  # noqa: F401

VALUE = "pg-CANARY-9f3b $(id) 'q' \"d\""
COMPOSE = """
name: shop
services:
  db:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db-password
    secrets: [db-password]
    configs: [{source: initdb, target: /docker-entrypoint-initdb.d/init.sql}]
  api:
    image: api:1
    secrets: [token]
secrets:
  db-password:
    file: ./db-password.txt
  token:
    environment: API_TOKEN
configs:
  initdb:
    content: "create table t (id int);"
"""
TOKEN = "tok-CANARY-77"


def project_of(folder, value=VALUE):
    (folder / "compose.yaml").write_text(textwrap.dedent(COMPOSE))
    (folder / "db-password.txt").write_text(value)
    loaded = load_inputs(InputOptions(files=(str(folder / "compose.yaml"),), cwd=str(folder)), {})
    return lower(loaded.project, LowerOptions(region="us-east-1"), {})


@pytest.fixture
def world(moto, monkeypatch):
    monkeypatch.setenv("API_TOKEN", TOKEN)
    recorder = CallRecorder()
    clients = make_clients(recorder)
    registered = []
    clients.hooks.append(lambda client: client.meta.events.register(
        "provide-client-params.ecs.RegisterTaskDefinition", lambda params, **_: registered.append(dict(params))))
    return recorder, clients, FakeClock(), registered


def run(project, clients, clock, **options):
    stream = io.StringIO()
    result = deploy(project, clients, DeployOptions(**options), PlainProgress(stream, clock), clock.sleep, clock)
    outputs = [stream.getvalue(), render_result(result), json.dumps(result.data()), render_plan(result.plan),
               json.dumps(plan_data(result.plan)), repr(result.plan.actions)]
    return result, outputs


def assert_no_value(outputs):
    for text in outputs:
        assert "CANARY" not in text


def test_first_deploy_stores_the_values_and_the_task_reads_the_real_arn(world, tmp_path):
    recorder, clients, clock, registered = world
    result, outputs = run(project_of(tmp_path), clients, clock)
    assert_no_value(outputs)
    sm = clients.secretsmanager
    got = sm.get_secret_value(SecretId="compose2ecs/shop/db-password")
    assert got["SecretString"] == VALUE
    assert sm.get_secret_value(SecretId="compose2ecs/shop/token")["SecretString"] == TOKEN
    tags = {t["Key"]: t["Value"] for t in sm.describe_secret(SecretId=got["ARN"])["Tags"]}
    assert tags["compose2ecs:project"] == "shop"
    # a salted, slow fingerprint: not the bare SHA-256 of the value, which a tag reader could
    # test guesses against at billions a second
    import hashlib

    assert tags[HASH_TAG].startswith("pbkdf2-sha256:200000:") and len(tags[HASH_TAG]) == 21 + 64
    assert hashlib.sha256(VALUE.encode()).hexdigest() not in tags[HASH_TAG]
    from compose2ecs.aws.secrets import digest

    assert digest(VALUE, "compose2ecs/shop/db-password") == tags[HASH_TAG]
    assert digest(VALUE, "compose2ecs/other/db-password") != tags[HASH_TAG], "salted by the store name"
    param = clients.ssm.get_parameter(Name="/compose2ecs/shop/configs/initdb")["Parameter"]
    assert param["Value"] == "create table t (id int);"
    db = {c["name"]: c for c in next(b for b in registered if b["family"] == "shop-db")["containerDefinitions"]}
    init = db[files.INIT_NAME]
    assert {s["valueFrom"] for s in init["secrets"]} == {got["ARN"], "/compose2ecs/shop/configs/initdb"}
    assert db["db"]["dependsOn"] == [{"containerName": files.INIT_NAME, "condition": "SUCCESS"}]
    assert {m["containerPath"] for m in db["db"]["mountPoints"]} == {"/run/secrets", "/docker-entrypoint-initdb.d"}
    policy = clients.iam.get_role_policy(RoleName="shop-ecs-execution", PolicyName="read-secrets")["PolicyDocument"]
    text = json.dumps(policy)
    assert got["ARN"] in text and "??????" not in text  # the real ARN, not the plan's pattern
    ops = recorder.names()
    assert ops.index("secretsmanager:CreateSecret") < ops.index("ecs:RegisterTaskDefinition")
    assert "REPLACE-ME" not in json.dumps(registered)


def test_unchanged_values_make_no_mutating_call(world, tmp_path):
    recorder, clients, clock, _ = world
    run(project_of(tmp_path), clients, clock)
    recorder.calls.clear()
    result, outputs = run(project_of(tmp_path), clients, clock)
    assert recorder.mutating() == []
    assert not result.plan.changes()
    assert ("secretsmanager", "GetSecretValue") not in recorder.calls  # compared by the hash tag only
    assert_no_value(outputs)


def test_changed_value_is_put_once_and_its_readers_restart(world, tmp_path):
    recorder, clients, clock, _ = world
    run(project_of(tmp_path), clients, clock)
    recorder.calls.clear()
    sent = []
    clients.ecs.meta.events.register("provide-client-params.ecs.UpdateService", lambda params, **_: sent.append(params))
    result, outputs = run(project_of(tmp_path, "new-CANARY-pw"), clients, clock)
    assert recorder.mutating() == [("secretsmanager", "PutSecretValue"), ("secretsmanager", "TagResource"),
                                   ("ecs", "UpdateService")]
    assert [(s["service"], s.get("forceNewDeployment")) for s in sent] == [("db", True)]
    assert clients.secretsmanager.get_secret_value(SecretId="compose2ecs/shop/db-password")["SecretString"] \
        == "new-CANARY-pw"
    assert "restart: reads changed db-password" in render_plan(result.plan)
    assert_no_value(outputs)


def test_plan_names_the_secrets_it_will_create_never_their_values(world, tmp_path):
    recorder, clients, clock, _ = world
    plan = make_plan(project_of(tmp_path), clients)
    text = render_plan(plan)
    assert "+ create    secret          compose2ecs/shop/db-password  (Secrets Manager, secret db-password " \
           "from db-password.txt)" in text
    assert "compose2ecs/shop/token  (Secrets Manager, secret token from $API_TOKEN)" in text
    assert "/compose2ecs/shop/configs/initdb  (SSM parameter, config initdb from inline content)" in text
    assert recorder.mutating() == []
    assert_no_value([text, json.dumps(plan_data(plan))])


def test_external_secret_is_never_written(world, tmp_path):
    recorder, clients, clock, _ = world
    arn = clients.secretsmanager.create_secret(Name="prod/db", SecretString="x")["ARN"]
    (tmp_path / "compose.yaml").write_text(f"name: ext\nx-ecs:\n  secrets:\n    db: {arn}\nservices:\n"
                                           "  app:\n    image: app:1\n    secrets: [db, other]\n"
                                           "secrets:\n  db: {external: true}\n  other: {external: true, name: /p/o}\n")
    loaded = load_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path)), {})
    recorder.calls.clear()
    run(lower(loaded.project, LowerOptions(region="us-east-1"), {}), clients, clock)
    assert not [op for op in recorder.mutating() if op[0] in ("secretsmanager", "ssm")]


def test_missing_file_or_variable_is_a_located_user_error_before_any_change(world, tmp_path, monkeypatch):
    recorder, clients, clock, _ = world
    project = project_of(tmp_path)
    monkeypatch.delenv("API_TOKEN")
    with pytest.raises(UserError) as err:
        run(project, clients, clock)
    assert "secrets.token" in str(err.value) and "API_TOKEN" in str(err.value)
    assert recorder.mutating() == []


def test_cloudformation_path_stores_first_and_the_template_refers_to_the_real_secret(world, tmp_path):
    from compose2ecs.aws.secrets import stack_values
    from compose2ecs.aws.stack import templates_for

    recorder, clients, clock, _ = world
    progress = PlainProgress(io.StringIO(), clock)
    ecs, restart = stack_values(project_of(tmp_path), clients, progress, dry_run=False)
    arn = clients.secretsmanager.describe_secret(SecretId="compose2ecs/shop/db-password")["ARN"]
    root, nested = templates_for(ecs)
    text = json.dumps([root, nested])
    assert arn in text and "GenerateSecretString" not in text and "REPLACE-ME" not in text
    assert restart == []
    recorder.calls.clear()
    again, restart = stack_values(project_of(tmp_path), clients, progress, dry_run=False)
    assert recorder.mutating() == [] and restart == []
    _, restart = stack_values(project_of(tmp_path, "changed-CANARY"), clients, progress, dry_run=False)
    assert restart == ["db"]
    assert_no_value([text])


def test_cloudformation_deploy_end_to_end_leaks_no_value(world, tmp_path, monkeypatch):
    """The deploy command's wiring (moto's CloudFormation cannot run the template: the stack
    call is captured): values stored, the template sent names the real secret, no value anywhere."""
    from compose2ecs.aws import commands, stack
    from compose2ecs.aws.progress import PlainProgress as Plain

    recorder, clients, clock, _ = world
    sent = []
    monkeypatch.setattr(stack.StackDeployer, "deploy", lambda self, project, body, *a: sent.append(body)
                        or stack.StackResult("shop", True))
    out = io.StringIO()
    commands._deploy_stack(project_of(tmp_path), clients, Plain(out, clock), False, False, None, 60,
                           clock.sleep, clock)
    got = clients.secretsmanager.get_secret_value(SecretId="compose2ecs/shop/db-password")
    assert got["SecretString"] == VALUE and got["ARN"] in sent[0]
    assert_no_value([out.getvalue(), sent[0]])
    sent.clear()
    clients.ecs.create_cluster(clusterName="shop")  # what the (captured) stack would have created
    arn = clients.ecs.register_task_definition(family="shop-db", containerDefinitions=[
        {"name": "db", "image": "postgres:16", "memory": 512}])["taskDefinition"]["taskDefinitionArn"]
    clients.ecs.create_service(cluster="shop", serviceName="db", taskDefinition=arn, desiredCount=1)
    recorder.calls.clear()
    commands._deploy_stack(project_of(tmp_path, "other-CANARY"), clients, Plain(out, clock), False, False, None, 60,
                           clock.sleep, clock)
    assert recorder.mutating() == [("secretsmanager", "PutSecretValue"), ("secretsmanager", "TagResource"),
                                   ("ecs", "UpdateService")]  # the db service restarts: its value changed
    assert_no_value([out.getvalue(), sent[0]])


def test_postgres_deploys_through_the_cli_without_a_flag_and_no_value_in_any_output(moto_server, tmp_path):
    """Issue 16's done-when, as a user runs it: `deploy` (api) on a moto server, then `plan`,
    both in text and --output json; the value is stored and appears in no stdout/stderr."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    (tmp_path / "compose.yaml").write_text(textwrap.dedent(COMPOSE))
    (tmp_path / "db-password.txt").write_text(VALUE)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent), CI="true", API_TOKEN=TOKEN)

    def cli(*args):
        command = [sys.executable, "-m", "compose2ecs.cli", *args, "--endpoint-url", moto_server, "--region",
                   "us-east-1"]
        return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)

    runs = [cli("deploy"), cli("plan"), cli("deploy", "--output", "json"), cli("plan", "--output", "json")]
    assert runs[0].returncode == 0, runs[0].stderr
    assert "secret compose2ecs/shop/db-password" in runs[0].stderr or "compose2ecs/shop/db-password" in runs[0].stdout
    assert "No changes" in runs[1].stdout, runs[1].stdout
    for run_ in runs:
        assert "Traceback" not in run_.stderr
        assert_no_value([run_.stdout, run_.stderr])
    import boto3

    sm = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=moto_server)
    assert sm.get_secret_value(SecretId="compose2ecs/shop/db-password")["SecretString"] == VALUE


def test_binary_file_is_stored_base64_which_the_init_container_decodes(tmp_path):
    import base64

    from compose2ecs.aws.secrets import value_of

    raw = b"\x00\xffkey\n"
    (tmp_path / "compose.yaml").write_text("name: bin\nservices:\n  app:\n    image: a:1\n    secrets: [k]\n"
                                           "secrets:\n  k: {file: ./k.bin}\n")
    (tmp_path / "k.bin").write_bytes(raw)
    loaded = load_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path)), {})
    spec = lower(loaded.project, LowerOptions(region="us-east-1"), {}).secrets[0]
    assert spec.encoding == "base64" and base64.b64decode(value_of(spec)) == raw


def test_an_aws_error_that_echoes_the_value_is_scrubbed():
    from botocore.exceptions import ClientError

    from compose2ecs.aws.secrets import _scrubbed
    from compose2ecs.errors import AwsError

    with pytest.raises(AwsError) as err:
        with _scrubbed("hunter2-CANARY", "secret x"):
            raise ClientError({"Error": {"Code": "ValidationException", "Message": "bad value hunter2-CANARY"}},
                              "PutSecretValue")
    assert "CANARY" not in str(err.value) and "<value>" in str(err.value)
