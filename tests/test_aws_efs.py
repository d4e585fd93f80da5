"""Named volumes on the api path (issue 11 item 2): deploy creates the EFS file system, its
NFS security group, mount targets and access point, puts their ids in the task definition,
changes nothing on a redeploy, and `down` keeps it all unless --volumes (item 3). Against moto.
"""
from __future__ import annotations

import io

import pytest

from compose2ecs.aws.commands import run_down
from compose2ecs.aws.deploy import DeployOptions, deploy
from compose2ecs.aws.efs import NFS_PORT, TAG_VOLUME
from compose2ecs.aws.plan import make_plan
from compose2ecs.aws.progress import PlainProgress
from compose2ecs.aws.session import CallRecorder
from compose2ecs.pipeline import InputOptions, convert_inputs
from tests.aws_fixtures import FakeClock, aws_env, make_clients, moto, moto_server, renderer  # noqa: F401

COMPOSE = """
name: notes
services:
  db:
    image: postgres:16
    volumes: [dbdata:/var/lib/postgresql/data]
  web:
    image: example/app:1
    ports: ["8000:8000"]
    depends_on: [db]
volumes:
  dbdata:
    driver_opts: {uid: "999"}
"""


def lowered(tmp_path, text=COMPOSE):
    (tmp_path / "compose.yaml").write_text(text)
    return convert_inputs(InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path)),
                          environ={"AWS_REGION": "us-east-1"}).ecs


@pytest.fixture
def world(moto):
    recorder = CallRecorder()
    return recorder, make_clients(recorder)


def run(project, clients, **options):
    clock, out = FakeClock(), io.StringIO()
    result = deploy(project, clients, DeployOptions(**options), PlainProgress(out, clock), clock.sleep,
                    clock, renderer())
    return result, out.getvalue()


def our_file_systems(clients):
    systems = clients.efs.describe_file_systems()["FileSystems"]
    return [f for f in systems if {"Key": "compose2ecs:project", "Value": "notes"} in f.get("Tags", [])]


def test_deploy_creates_encrypted_efs_reachable_only_from_the_mounting_service(tmp_path, world):
    recorder, clients = world
    project = lowered(tmp_path)
    run(project, clients)
    [system] = our_file_systems(clients)
    fs_id = system["FileSystemId"]
    assert system["Encrypted"] is True
    assert {"Key": TAG_VOLUME, "Value": "dbdata"} in system["Tags"]
    subnets = clients.ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    targets = clients.efs.describe_mount_targets(FileSystemId=fs_id)["MountTargets"]
    assert sorted(t["SubnetId"] for t in targets) == sorted(s["SubnetId"] for s in subnets)  # one per zone
    groups = {g["GroupName"]: g for g in clients.ec2.describe_security_groups()["SecurityGroups"]}
    nfs, db = groups["notes-efs-dbdata"], groups["notes-db"]
    groups_of_target = clients.efs.describe_mount_target_security_groups(
        MountTargetId=targets[0]["MountTargetId"])["SecurityGroups"]
    assert groups_of_target == [nfs["GroupId"]]
    assert [(p["FromPort"], p["ToPort"], [q["GroupId"] for q in p["UserIdGroupPairs"]], p.get("IpRanges"))
            for p in nfs["IpPermissions"]] == [(NFS_PORT, NFS_PORT, [db["GroupId"]], [])]  # not web, not the world
    [point] = clients.efs.describe_access_points(FileSystemId=fs_id)["AccessPoints"]
    assert point["PosixUser"]["Uid"] == 999 and point["RootDirectory"]["Path"] == "/dbdata"
    volume = clients.ecs.describe_task_definition(taskDefinition="notes-db")["taskDefinition"]["volumes"][0]
    config = volume["efsVolumeConfiguration"]
    assert (config["fileSystemId"], config["transitEncryption"]) == (fs_id, "ENABLED")
    assert config["authorizationConfig"]["accessPointId"] == point["AccessPointId"]
    names = recorder.names()  # the file system exists before the task definition naming it
    assert names.index("efs:CreateFileSystem") < names.index("ecs:RegisterTaskDefinition")


def test_redeploy_makes_no_mutating_call(tmp_path, world):
    recorder, clients = world
    project = lowered(tmp_path)
    run(project, clients)
    recorder.calls.clear()
    result, _text = run(project, clients)
    assert recorder.mutating() == []
    assert [a.kind for a in result.plan.actions if a.resource == "efs"] == ["no change"]
    assert len(our_file_systems(clients)) == 1


def test_a_half_made_volume_is_completed_not_made_twice(tmp_path, world):
    recorder, clients = world
    project = lowered(tmp_path)
    run(project, clients)
    [system] = our_file_systems(clients)
    fs_id = system["FileSystemId"]
    [point] = clients.efs.describe_access_points(FileSystemId=fs_id)["AccessPoints"]
    clients.efs.delete_access_point(AccessPointId=point["AccessPointId"])  # as if the last run stopped there
    plan = make_plan(project, clients, renderer())
    assert plan.action("efs", "dbdata").kind == "update"
    assert "access point /dbdata" in plan.action("efs", "dbdata").reason
    recorder.calls.clear()
    run(project, clients)
    assert ("efs", "CreateFileSystem") not in recorder.mutating()
    assert ("efs", "CreateAccessPoint") in recorder.mutating()
    [new_point] = clients.efs.describe_access_points(FileSystemId=fs_id)["AccessPoints"]
    volume = clients.ecs.describe_task_definition(taskDefinition="notes-db")["taskDefinition"]["volumes"][0]
    assert volume["efsVolumeConfiguration"]["authorizationConfig"]["accessPointId"] == new_point["AccessPointId"]


def test_dry_run_creates_no_file_system(tmp_path, world):
    recorder, clients = world
    result, _text = run(lowered(tmp_path), clients, dry_run=True)
    assert result.plan.action("efs", "dbdata").kind == "create"
    assert recorder.mutating() == []


def test_a_given_file_system_id_creates_nothing(tmp_path, world):
    recorder, clients = world
    text = COMPOSE + "x-ecs:\n  volumes:\n    dbdata: fs-12345678\n"
    run(lowered(tmp_path, text), clients)
    assert ("efs", "CreateFileSystem") not in recorder.calls
    volume = clients.ecs.describe_task_definition(taskDefinition="notes-db")["taskDefinition"]["volumes"][0]
    assert volume["efsVolumeConfiguration"]["fileSystemId"] == "fs-12345678"


def down(clients, volumes: bool):
    clock = FakeClock()
    return run_down("notes", clients, PlainProgress(io.StringIO(), clock), None, False, volumes,
                    lambda _text: True, clock.sleep)


def test_down_keeps_the_file_system_and_its_nfs_group(tmp_path, world):
    _recorder, clients = world
    run(lowered(tmp_path), clients)
    inventory = down(clients, volumes=False)
    assert len(our_file_systems(clients)) == 1
    names = {g["GroupName"] for g in clients.ec2.describe_security_groups()["SecurityGroups"]}
    assert "notes-efs-dbdata" in names and "notes-db" not in names
    assert any("notes-efs-dbdata" in line for line in inventory.kept_lines())
    # the kept group no longer names the deleted service group; a new deploy re-adds the rule
    [nfs] = [g for g in clients.ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"] == "notes-efs-dbdata"]
    assert nfs["IpPermissions"] == []
    result, _ = run(lowered(tmp_path), clients)
    assert result.plan.action("efs", "dbdata").kind == "update"
    assert len(our_file_systems(clients)) == 1  # the same data again


def test_down_volumes_removes_file_system_mount_targets_access_points_and_group(tmp_path, world):
    recorder, clients = world
    run(lowered(tmp_path), clients)
    [system] = our_file_systems(clients)
    recorder.calls.clear()
    down(clients, volumes=True)
    assert our_file_systems(clients) == []
    assert ("efs", "DeleteMountTarget") in recorder.calls and ("efs", "DeleteAccessPoint") in recorder.calls
    names = {g["GroupName"] for g in clients.ec2.describe_security_groups()["SecurityGroups"]}
    assert "notes-efs-dbdata" not in names
    calls = recorder.names()
    assert calls.index("efs:DeleteFileSystem") < max(i for i, c in enumerate(calls) if c == "ec2:DeleteSecurityGroup")


def test_preflight_checks_the_access_point_request_before_anything_is_created(tmp_path, world):
    from dataclasses import replace

    from compose2ecs.aws.preflight import requests

    recorder, clients = world
    project = lowered(tmp_path)
    plan = make_plan(project, clients, renderer())
    [(resource, _client, operation, params)] = [r for r in requests(plan) if r[2] == "CreateAccessPoint"]
    assert params["PosixUser"] == {"Uid": 999, "Gid": 999} and params["RootDirectory"]["Path"] == "/dbdata"
    bad = replace(project, efs_volumes=tuple(replace(v, uid="999") for v in project.efs_volumes))  # not an int
    with pytest.raises(Exception) as caught:
        make_plan(bad, clients, renderer())
    assert "ParamValidation" in repr(caught.value) or "CreateAccessPoint" in str(caught.value)
    assert recorder.mutating() == []


def test_the_cli_path_deploy_y_with_no_flag_redeploy_down_keeps_then_removes(tmp_path, moto_server):
    """Issue 11 "done when", as a user types it, against a moto server: `deploy -y` alone
    deploys a database with a named volume; `plan` then sees no change; `down -y` keeps the
    file system, `down -y --volumes` removes it."""
    import boto3

    from tests.test_aws_cli import cli

    (tmp_path / "compose.yaml").write_text(COMPOSE)
    first = cli(moto_server, tmp_path, "deploy", "-y")
    assert first.returncode == 0, first.stderr
    assert "efs dbdata: created" in first.stderr
    efs = boto3.client("efs", endpoint_url=moto_server, region_name="us-east-1")

    def ours():
        return [f for f in efs.describe_file_systems()["FileSystems"]
                if {"Key": "compose2ecs:project", "Value": "notes"} in f.get("Tags", [])]

    assert len(ours()) == 1
    again = cli(moto_server, tmp_path, "plan", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout + again.stderr
    kept = cli(moto_server, tmp_path, "down", "-y")
    assert kept.returncode == 0, kept.stderr
    assert "EFS file system" in kept.stdout + kept.stderr and len(ours()) == 1
    removed = cli(moto_server, tmp_path, "down", "-y", "--volumes")
    assert removed.returncode == 0, removed.stderr
    assert ours() == []


def test_deploy_waits_until_the_mount_targets_are_available(tmp_path, world):
    """A task started while its mount target is still `creating` cannot mount the volume."""
    recorder, clients = world
    answers = iter(["creating", "creating"])

    def creating(http_response=None, parsed=None, model=None, **_kwargs):
        state = next(answers, None)
        if state and parsed.get("MountTargets"):
            for target in parsed["MountTargets"]:
                target["LifeCycleState"] = state

    clients.efs.meta.events.register("after-call.efs.DescribeMountTargets", creating)
    _result, text = run(lowered(tmp_path), clients)
    assert "efs dbdata: waiting" in text
    names = recorder.names()
    last_describe = max(i for i, c in enumerate(names) if c == "efs:DescribeMountTargets")
    assert last_describe < names.index("ecs:CreateService")
