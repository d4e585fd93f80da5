"""Named volumes → EFS: an encrypted file system kept on stack deletion, mount targets in the
stack's subnets, an access point whose ``CreationInfo`` lets non-root images write, and NFS
(TCP 2049) allowed only from the services that mount the volume.

Subnets are a ``List`` parameter whose length CloudFormation cannot count, so mount targets
are made for the first ``SubnetCount`` entries (1–6, each subnet in its own AZ): mount target
1 always, the others under ``HasSubnetN`` conditions.
"""
from __future__ import annotations

from .context import Builder, getatt, pascal, ref
from .parameters import MAX_SUBNETS, add_subnet_count
from .network import rule

NFS_PORT = 2049


def created_volumes(b: Builder) -> list:
    """EFS volumes the stack creates (no file system id given)."""
    return [v for v in b.ecs.efs_volumes if not v.file_system_id]


def add_efs(b: Builder) -> None:
    """File system, security group, mount targets and access point per created volume."""
    volumes = created_volumes(b)
    if not volumes:
        return
    add_subnet_count(b)
    for volume in volumes:
        _add_volume(b, volume)


def _add_volume(b: Builder, volume) -> None:
    base = "Volume" + pascal(volume.key)
    about = {"volume": volume.key}
    fs = b.resource(b.pid(("efs", volume.key), base + "FileSystem"), "AWS::EFS::FileSystem", {
        "Encrypted": True, "PerformanceMode": "generalPurpose", "ThroughputMode": "elastic",
        "FileSystemTags": b.tags(extra={"Name": f"{b.ecs.name}-{volume.key}"})},
        description=f"compose volume {volume.key} (kept when the stack is deleted)", about=about,
        DeletionPolicy="Retain", UpdateReplacePolicy="Retain")
    sg_props = {"GroupDescription": f"EFS volume {volume.key}: NFS only from the services that mount it"[:255],
                "VpcId": ref("VpcId"), "Tags": b.tags(extra={"compose2ecs:volume": volume.key})}
    sg = b.resource(b.pid(("efs-sg", volume.key), base + "SecurityGroup"), "AWS::EC2::SecurityGroup", sg_props,
                    description=f"NFS access to compose volume {volume.key}", about=about)
    # One ingress resource per mounting service (owned by that service), so the shared EFS
    # group never references a service's group (no cycles, and nested stacks stay one-way).
    for svc in sorted(set(volume.services)):
        if ("service-sg", svc) not in b.refs:
            continue
        b.resource(b.sid(svc, f"{base}NfsIngress"), "AWS::EC2::SecurityGroupIngress",
                   rule(NFS_PORT, "tcp", f"NFS from {svc}", GroupId=getatt(sg, "GroupId"),
                        SourceSecurityGroupId=getatt(b.refs[("service-sg", svc)], "GroupId")),
                   owner=svc, description=f"{svc} may mount compose volume {volume.key}", about=about)
    targets = []
    for n in range(1, MAX_SUBNETS + 1):
        targets.append(b.resource(
            b.pid(("efs-mt", volume.key, n), f"{base}MountTarget{n}"), "AWS::EFS::MountTarget",
            {"FileSystemId": ref(fs), "SecurityGroups": [getatt(sg, "GroupId")],
             "SubnetId": {"Fn::Select": [n - 1, ref("Subnets")]}},
            description=f"compose volume {volume.key} in subnet {n}", about=about,
            Condition=None if n == 1 else f"HasSubnet{n}"))
    uid, gid = volume.uid, volume.gid if volume.gid is not None else volume.uid
    root = {"Path": f"/{volume.key}", "CreationInfo": {
        "OwnerUid": str(uid if uid is not None else 0), "OwnerGid": str(gid if gid is not None else 0),
        # Without a known uid the directory is world-writable so non-root images can write.
        "Permissions": "0755" if uid is not None else "0777"}}
    ap_props: dict = {"FileSystemId": ref(fs), "RootDirectory": root,
                      "AccessPointTags": b.tags(extra={"Name": f"{b.ecs.name}-{volume.key}"})}
    if uid is not None:
        ap_props["PosixUser"] = {"Uid": str(uid), "Gid": str(gid)}
    ap = b.resource(b.pid(("efs-ap", volume.key), base + "AccessPoint"), "AWS::EFS::AccessPoint", ap_props,
                    description=f"Entry point of compose volume {volume.key}", about=about)
    b.refs[("efs", volume.key)] = (fs, ap, targets[0])
    b.output(b.pid(("output-efs", volume.key), base + "FileSystemId"), ref(fs),
             f"EFS file system of compose volume {volume.key}")

