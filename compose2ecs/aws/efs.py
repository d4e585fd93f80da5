"""Named volumes → EFS on the api path: the resources the CloudFormation path creates
(emit/cfn/efs.py), made with boto3 and found again by their tags.

Per compose volume without a given file system id: an encrypted file system (creation token
``<project>-<volume>``, so a retried create cannot make a second one), a security group that
admits NFS (TCP 2049) only from the security groups of the services that mount the volume,
a mount target in one subnet of each Availability Zone of the deploy's subnets, and an access
point rooted at ``/<volume>`` (owner uid/gid from ``driver_opts``, world-writable without one,
as in CloudFormation). The plan fills the task definitions' EFS volumes with the live ids
(:func:`fill`) before comparing them, so a redeploy changes nothing; for a volume still to be
created the placeholder id stays until apply has created it (:func:`apply_efs` fills again).
"""
from __future__ import annotations

from dataclasses import field

from ..errors import AwsError
from ..records import record
from . import network
from .errors import aws_errors
from .ownership import Clash, is_ours, owner

TAG_VOLUME = "compose2ecs:volume"
NFS_PORT = 2049
POLL_SECONDS = 2.0
POLL_ATTEMPTS = 60
CREATE, UPDATE, NO_CHANGE = "create", "update", "no change"


@record(frozen=False, slots=False)
class VolumeState:
    """What exists of one volume's resources; apply fills in what it creates."""

    key: str
    token: str  # CreationToken of the file system
    group_name: str
    file_system_id: str = ""
    access_point_id: str = ""
    group_id: str = ""
    rules: tuple = (frozenset(), frozenset())  # (want, have) symbolic NFS rules
    missing_subnets: list = field(default_factory=list)  # one per AZ without a mount target


def created_volumes(project) -> list:
    """The EFS volumes deploy creates: those given no file system id (as CloudFormation does)."""
    return [v for v in project.efs_volumes if not v.file_system_id]


def creation_token(project_name: str, key: str) -> str:
    from ..ecs.names import shorten

    return shorten(f"{project_name}-{key}", 64)


def group_name(project_name: str, key: str) -> str:
    return network.group_name(project_name, f"efs-{key}")


def nfs_rules(volume) -> frozenset:
    """NFS from each service that mounts the volume (symbolic, as network.py keeps them)."""
    return frozenset(("tcp", NFS_PORT, NFS_PORT, f"sg:{s}") for s in sorted(set(volume.services)))


# -- plan ----------------------------------------------------------------------------------
def plan_efs(project, clients, live, action_type) -> list:
    """One ``efs`` action per created volume (describe calls only); fills ``live.efs``."""
    volumes = created_volumes(project)
    if not volumes:
        return []
    zones = _zones(clients.ec2, live.subnets)
    by_id = {gid: svc for svc, gid in live.group_ids.items()}
    actions = []
    for volume in volumes:
        state = VolumeState(volume.key, creation_token(project.name, volume.key), group_name(project.name, volume.key))
        live.efs[volume.key] = state
        todo = _find(clients, project, volume, state, live, zones, by_id)
        kind = CREATE if not state.file_system_id else (UPDATE if todo else NO_CHANGE)
        reason = ("encrypted file system, NFS security group, mount targets in "
                  f"{len(zones)} zone(s), access point /{volume.key}") if kind == CREATE else "; ".join(todo)
        actions.append(action_type("efs", volume.key, kind, reason or f"exists ({state.file_system_id})"))
    return actions


def _zones(ec2, subnets: list) -> dict:
    """Availability Zone → the first of the deploy's subnets in it (EFS: one mount target per zone)."""
    if not subnets:
        return {}
    with aws_errors("network"):
        found = ec2.describe_subnets(SubnetIds=list(subnets))["Subnets"]
    zones: dict = {}
    for subnet in sorted(found, key=lambda s: s["SubnetId"]):
        zones.setdefault(subnet["AvailabilityZone"], subnet["SubnetId"])
    return zones


def _find(clients, project, volume, state, live, zones: dict, by_id: dict) -> list:
    """Fill ``state`` from what is live; returns what is missing (words for the plan)."""
    efs, todo = clients.efs, []
    with aws_errors(f"EFS volume {volume.key}"):
        found = efs.describe_file_systems(CreationToken=state.token)["FileSystems"]
    group = _live_group(clients.ec2, state.group_name, live.vpc_id)
    if group is not None:
        state.group_id = group["GroupId"]
        if not is_ours(_tags(group.get("Tags")), project.name):
            live.clashes.append(Clash("security-group", state.group_name, owner(_tags(group.get("Tags")))))
    have = network.live_rules(group, by_id) if group else frozenset()
    state.rules = (nfs_rules(volume), have)
    if not found:
        state.missing_subnets = sorted(zones.values())
        return todo
    system = found[0]
    state.file_system_id = system["FileSystemId"]
    if not is_ours(_tags(system.get("Tags")), project.name):
        live.clashes.append(Clash("efs", state.file_system_id, owner(_tags(system.get("Tags"))),
                                  f"(creation token {state.token})"))
    with aws_errors(f"EFS volume {volume.key}"):
        targets = efs.describe_mount_targets(FileSystemId=state.file_system_id)["MountTargets"]
        points = efs.describe_access_points(FileSystemId=state.file_system_id).get("AccessPoints", [])
    covered = {t.get("AvailabilityZoneName") for t in targets} | {t.get("SubnetId") for t in targets}
    state.missing_subnets = sorted(s for zone, s in zones.items() if zone not in covered and s not in covered)
    ours = [p for p in points if _tags(p.get("Tags")).get(TAG_VOLUME) == volume.key]
    state.access_point_id = ours[0]["AccessPointId"] if ours else ""
    if group is None:
        todo.append("NFS security group")
    elif state.rules[0] != have:
        todo.append("NFS rules " + ", ".join(network.describe_rule(r) for r in sorted(state.rules[0])))
    if state.missing_subnets:
        todo.append(f"mount targets in {', '.join(state.missing_subnets)}")
    if not state.access_point_id:
        todo.append(f"access point /{volume.key}")
    return todo


def _live_group(ec2, name: str, vpc_id: str):
    filters = [{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "group-name", "Values": [name]}]
    with aws_errors(f"security group {name}"):
        groups = ec2.describe_security_groups(Filters=filters)["SecurityGroups"]
    return groups[0] if groups else None


def _tags(tags) -> dict:
    return {t["Key"]: t["Value"] for t in tags or []}


# -- task definitions ------------------------------------------------------------------------
def fill(desired: dict, td, states: dict) -> dict:
    """``desired`` (a RegisterTaskDefinition input) with the created volumes' ids: the file
    system and access point, transit encryption on, no root directory (the access point fixes
    it) — the same rewrite as emit/cfn/taskdefs.py ``_volume``. Unknown ids stay as they are."""
    keys = {v.name: v.compose_volume for v in td.volumes}
    out = []
    for volume in desired.get("volumes") or []:
        config = volume.get("efsVolumeConfiguration")
        state = states.get(keys.get(volume.get("name")))
        if not isinstance(config, dict) or state is None or not state.file_system_id:
            out.append(volume)
            continue
        auth = dict(config.get("authorizationConfig") or {})
        auth.pop("accessPointId", None)
        if state.access_point_id:
            auth["accessPointId"] = state.access_point_id
        new = {k: v for k, v in config.items() if k not in ("rootDirectory", "authorizationConfig")}
        new.update(fileSystemId=state.file_system_id, transitEncryption="ENABLED")
        if auth:
            new["authorizationConfig"] = auth
        out.append(dict(volume, efsVolumeConfiguration=new))
    return dict(desired, volumes=out) if "volumes" in desired else desired


def pending_ids(project, states: dict) -> set:
    """Placeholder file system ids apply will replace (volumes not created yet)."""
    out = set()
    for td in project.task_definitions:
        for volume in td.volumes:
            state = states.get(volume.compose_volume)
            if volume.efs is not None and state is not None and not state.file_system_id:
                out.add(volume.efs.file_system_id)
    return out


def requests(plan) -> list:
    """For aws/preflight.py: the EFS calls whose input comes from the compose file (the access
    point's owner), with a stand-in id where apply would use the file system it creates."""
    out = []
    for volume in created_volumes(plan.project):
        state = plan.live.efs.get(volume.key)
        if state is not None and not state.access_point_id:
            out.append((f"EFS volume {volume.key}", "efs", "CreateAccessPoint",
                        {"FileSystemId": state.file_system_id or "fs-00000000", "ClientToken": "preflight",
                         **access_point_settings(volume)}))  # botocore fills ClientToken in when sent
    return out


# -- apply -----------------------------------------------------------------------------------
def apply_efs(deployer, plan, actions) -> None:
    """Create what the ``efs`` actions found missing, then put the ids in the task definitions."""
    live, project = plan.live, plan.project
    volumes = {v.key: v for v in created_volumes(project)}
    from .actions import project_tags

    tags = project_tags(project)
    for action in (a for a in actions if a.kind in (CREATE, UPDATE)):
        state, volume = live.efs[action.name], volumes[action.name]
        deployer.progress.event("efs", action.name, "creating" if action.kind == CREATE else "updating")
        _ensure(deployer, project, volume, state, live, tags)
        deployer.progress.event("efs", action.name, "created" if action.kind == CREATE else "updated",
                                state.file_system_id)
    for td in project.task_definitions:
        if td.family in live.desired:
            live.desired[td.family] = fill(live.desired[td.family], td, live.efs)


def _ensure(deployer, project, volume, state, live, tags: list) -> None:
    clients, key = deployer.clients, volume.key
    name_tag = [{"Key": "Name", "Value": f"{project.name}-{key}"}, {"Key": TAG_VOLUME, "Value": key}]
    with aws_errors(f"EFS volume {key}"):
        if not state.file_system_id:
            state.file_system_id = clients.efs.create_file_system(
                CreationToken=state.token, Encrypted=True, PerformanceMode="generalPurpose",
                ThroughputMode="elastic", Tags=tags + name_tag)["FileSystemId"]
        _wait_available(deployer, key, state.file_system_id)
    if not state.group_id:
        with aws_errors(f"security group {state.group_name}"):
            state.group_id = clients.ec2.create_security_group(
                GroupName=state.group_name, VpcId=live.vpc_id,
                Description=f"compose2ecs {project.name}: NFS to EFS volume {key} from its services"[:255],
                TagSpecifications=[{"ResourceType": "security-group",
                                    "Tags": tags + [{"Key": TAG_VOLUME, "Value": key},
                                                    {"Key": "Name", "Value": state.group_name}]}])["GroupId"]
    want, have = state.rules
    network.sync_rules(clients.ec2, state.group_id, state.group_name, want, have, live.group_ids)
    with aws_errors(f"EFS volume {key}"):
        for subnet in state.missing_subnets:
            clients.efs.create_mount_target(FileSystemId=state.file_system_id, SubnetId=subnet,
                                            SecurityGroups=[state.group_id])
        if not state.access_point_id:
            state.access_point_id = clients.efs.create_access_point(
                FileSystemId=state.file_system_id, Tags=tags + name_tag,
                **access_point_settings(volume))["AccessPointId"]
        _wait_mountable(deployer, key, state)


def _wait_mountable(deployer, key: str, state) -> None:
    """Tasks started before the mount targets and access point are ``available`` fail to mount
    the volume (and the circuit breaker rolls the service back): wait for them."""
    efs = deployer.clients.efs
    for _ in range(POLL_ATTEMPTS):
        targets = efs.describe_mount_targets(FileSystemId=state.file_system_id)["MountTargets"]
        points = efs.describe_access_points(AccessPointId=state.access_point_id)["AccessPoints"]
        waiting = [t["MountTargetId"] for t in targets if t.get("LifeCycleState", "available") != "available"]
        waiting += [p["AccessPointId"] for p in points if p.get("LifeCycleState", "available") != "available"]
        if not waiting:
            return
        deployer.progress.event("efs", key, "waiting", f"for {', '.join(waiting)}")
        deployer.sleep(POLL_SECONDS)
    raise AwsError(f"EFS volume {key}", f"the mount targets of {state.file_system_id} are still not available",
                   "run deploy again in a minute; it continues where it stopped", code="Timeout")


def access_point_settings(volume) -> dict:
    """RootDirectory (and PosixUser with a uid) of a volume's access point, as CloudFormation's."""
    uid = volume.uid
    gid = volume.gid if volume.gid is not None else uid
    root = {"Path": f"/{volume.key}", "CreationInfo": {
        "OwnerUid": uid if uid is not None else 0, "OwnerGid": gid if gid is not None else 0,
        # Without a known uid the directory is world-writable so non-root images can write.
        "Permissions": "0755" if uid is not None else "0777"}}
    out: dict = {"RootDirectory": root}
    if uid is not None:
        out["PosixUser"] = {"Uid": uid, "Gid": gid}
    return out


def _wait_available(deployer, key: str, fs_id: str) -> None:
    """Mount targets can be created only once the file system is ``available``."""
    for _ in range(POLL_ATTEMPTS):
        found = deployer.clients.efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"]
        state = found[0].get("LifeCycleState") if found else "missing"
        if state == "available":
            return
        deployer.progress.event("efs", key, "waiting", state)
        deployer.sleep(POLL_SECONDS)
    raise AwsError(f"EFS volume {key}", f"file system {fs_id} is still not available",
                   "run deploy again in a minute; it continues with the mount targets", code="Timeout")
