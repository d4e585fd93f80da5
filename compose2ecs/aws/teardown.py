"""The deletion steps of `down`, one function per resource type, in the order they run.

Each step takes the :class:`~compose2ecs.aws.down.Remover` (clients, progress, sleep, retry)
and the inventory. Steps tolerate "already gone" so an interrupted `down` can be re-run.
"""
from __future__ import annotations

GONE = ("ServiceNotFoundException", "NamespaceNotFound", "InvalidGroup.NotFound", "NoSuchEntity",
        "ResourceNotFoundException", "FileSystemNotFound", "ClusterNotFoundException")


def _quiet(remover, kind: str, name: str, fn, codes: tuple = ()) -> None:
    from ..errors import AwsError

    try:
        remover.retry(kind, name, fn, codes)
    except AwsError as error:
        if error.code not in GONE:
            raise


def stack(remover, inv) -> None:
    if not inv.stack:
        return
    cfn = remover.clients.cloudformation
    remover.progress.event("stack", inv.stack, "deleting")
    _quiet(remover, "stack", inv.stack, lambda: cfn.delete_stack(StackName=inv.stack))
    # recorded at once: a Ctrl-C while CloudFormation works still reports the deletion as started
    remover.done.append(("stack", inv.stack, "deletion started"))
    finished = False
    for _ in range(remover.attempts * 6):
        try:
            status = cfn.describe_stacks(StackName=inv.stack)["Stacks"][0]["StackStatus"]
        except Exception:  # ValidationError: the stack no longer exists
            finished = True
            break
        if status == "DELETE_COMPLETE":
            finished = True
            break
        if status == "DELETE_FAILED":
            from ..errors import AwsError

            raise AwsError(f"stack {inv.stack}", "deleting the stack failed",
                           f"see `aws cloudformation describe-stack-events --stack-name {inv.stack}`",
                           code="DELETE_FAILED")
        remover.sleep(remover.retry_seconds)
    remover.done.pop()
    if not finished:
        remover.done.append(("stack", inv.stack, "deletion still in progress"))
        remover.progress.event("stack", inv.stack, "waiting", "deletion still in progress")
        return
    remover.deleted("stack", inv.stack)
    for rtype, name in inv.stack_resources:
        remover.done.append((rtype, name, "deleted with the stack"))


def services(remover, inv) -> None:
    ecs = remover.clients.ecs
    for name in inv.services:
        remover.progress.event("service", name, "deleting", "scaling to 0")
        _quiet(remover, "service", name,
               lambda n=name: ecs.update_service(cluster=inv.cluster, service=n, desiredCount=0))
        _quiet(remover, "service", name, lambda n=name: ecs.delete_service(cluster=inv.cluster, service=n, force=True))
        remover.deleted("service", name)  # recorded at once: a Ctrl-C while draining still reports it
    draining = _drain(remover, inv)
    for index, (kind, name, _detail) in enumerate(remover.done):
        if kind == "service" and name in draining:
            remover.done[index] = (kind, name, "deleted, still draining")
            remover.progress.event(kind, name, "waiting", "still draining")


def _drain(remover, inv) -> set:
    """Wait until the deleted services are INACTIVE (their tasks stopped); the names still
    draining when the attempts run out."""
    if not inv.services:
        return set()
    ecs = remover.clients.ecs
    draining = set(inv.services)
    for attempt in range(remover.attempts):
        found = []
        for start in range(0, len(inv.services), 10):
            found += ecs.describe_services(cluster=inv.cluster, services=inv.services[start:start + 10])["services"]
        draining = {s["serviceName"] for s in found if s.get("status") not in ("INACTIVE", None)}
        if not draining:
            return draining
        if attempt < remover.attempts - 1:
            remover.sleep(remover.retry_seconds)
    return draining


def task_definitions(remover, inv) -> None:
    ecs = remover.clients.ecs
    for arn in inv.task_definitions:
        name = arn.rsplit("/", 1)[-1]
        _quiet(remover, "task-definition", name, lambda a=arn: ecs.deregister_task_definition(taskDefinition=a))
        remover.deleted("task-definition", name, "deregistered")


def namespaces(remover, inv) -> None:
    sd = remover.clients.servicediscovery
    for ns_id, name in inv.namespaces:
        remover.progress.event("namespace", name, "deleting")
        # ECS removes its Cloud Map services asynchronously; until then the namespace is in use.
        _quiet(remover, "namespace", name, lambda i=ns_id: sd.delete_namespace(Id=i), ("ResourceInUse",))
        remover.deleted("namespace", name)


def security_groups(remover, inv) -> None:
    ec2 = remover.clients.ec2
    ids = [gid for gid, _ in inv.security_groups + inv.volume_groups]  # NFS groups name service groups
    if not ids:
        return
    # Groups reference each other (db allows api); revoke those rules first or none can go.
    groups = ec2.describe_security_groups(GroupIds=ids)["SecurityGroups"]
    for group in groups:
        refs = [p for p in group.get("IpPermissions", []) if p.get("UserIdGroupPairs")]
        if refs:
            _quiet(remover, "security-group", group["GroupName"],
                   lambda g=group["GroupId"], r=refs: ec2.revoke_security_group_ingress(GroupId=g, IpPermissions=r))
    for gid, name in inv.security_groups:
        remover.progress.event("security-group", name, "deleting")
        _quiet(remover, "security-group", name, lambda g=gid: ec2.delete_security_group(GroupId=g),
               ("DependencyViolation",))
        remover.deleted("security-group", name)


def roles(remover, inv) -> None:
    iam = remover.clients.iam
    for name in inv.roles:
        remover.progress.event("role", name, "deleting")
        for policy in iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=name, PolicyArn=policy["PolicyArn"])
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]:
            iam.delete_role_policy(RoleName=name, PolicyName=policy)
        _quiet(remover, "role", name, lambda n=name: iam.delete_role(RoleName=n))
        remover.deleted("role", name)


def cluster(remover, inv) -> None:
    if not (inv.cluster and inv.cluster_created):
        return
    ecs = remover.clients.ecs
    remover.progress.event("cluster", inv.cluster, "deleting")
    _quiet(remover, "cluster", inv.cluster, lambda: ecs.delete_cluster(cluster=inv.cluster),
           ("ClusterContainsServicesException", "ClusterContainsTasksException", "UpdateInProgressException"))
    remover.deleted("cluster", inv.cluster)


def log_groups(remover, inv) -> None:
    logs = remover.clients.logs
    for name in inv.log_groups:
        _quiet(remover, "log-group", name, lambda n=name: logs.delete_log_group(logGroupName=n))
        remover.deleted("log-group", name)


def file_systems(remover, inv) -> None:
    efs = remover.clients.efs
    for fs in inv.file_systems:
        remover.progress.event("efs", fs, "deleting")
        for target in efs.describe_mount_targets(FileSystemId=fs)["MountTargets"]:
            efs.delete_mount_target(MountTargetId=target["MountTargetId"])
        for point in efs.describe_access_points(FileSystemId=fs).get("AccessPoints", []):
            efs.delete_access_point(AccessPointId=point["AccessPointId"])
        _quiet(remover, "efs", fs, lambda f=fs: efs.delete_file_system(FileSystemId=f), ("FileSystemInUse",))
        remover.deleted("efs", fs)


def volume_groups(remover, inv) -> None:
    """The EFS volumes' NFS groups, once their mount targets are gone (--volumes)."""
    if inv.volume_groups_kept:
        return
    ec2 = remover.clients.ec2
    for gid, name in inv.volume_groups:
        remover.progress.event("security-group", name, "deleting")
        _quiet(remover, "security-group", name, lambda g=gid: ec2.delete_security_group(GroupId=g),
               ("DependencyViolation",))
        remover.deleted("security-group", name)


def repositories(remover, inv) -> None:
    ecr = remover.clients.ecr
    for name in inv.repositories:
        _quiet(remover, "ecr-repository", name, lambda n=name: ecr.delete_repository(repositoryName=n, force=True))
        remover.deleted("ecr-repository", name)


def secrets(remover, inv) -> None:
    sm = remover.clients.secretsmanager
    for arn in inv.secrets:
        # the usual 7-30 day recovery window: a secret deleted by mistake can still be restored
        _quiet(remover, "secret", arn, lambda a=arn: sm.delete_secret(SecretId=a))
        remover.deleted("secret", arn, "scheduled for deletion (restorable for 30 days)")


def parameters(remover, inv) -> None:
    ssm = remover.clients.ssm
    for name in inv.parameters:
        _quiet(remover, "ssm-parameter", name, lambda n=name: ssm.delete_parameter(Name=n))
        remover.deleted("ssm-parameter", name)


STEPS = (stack, services, task_definitions, namespaces, security_groups, roles, cluster, log_groups,
         file_systems, volume_groups, repositories, secrets, parameters)
