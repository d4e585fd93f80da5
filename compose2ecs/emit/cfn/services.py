"""Cluster, log groups, the Service Connect namespace, ECS services and their outputs."""
from __future__ import annotations

from ..casing import to_cloudformation
from ..service import World, network_configuration, sent, service_body, service_connect_config
from .context import Builder, getatt, pascal, ref, sub


def add_cluster(b: Builder) -> None:
    """The cluster (only under CreateCluster) and the ClusterName output."""
    cluster = b.ecs.cluster
    props: dict = {"ClusterName": ref("NewClusterName"), "Tags": b.tags()}
    if cluster.capacity_providers:
        props["CapacityProviders"] = list(cluster.capacity_providers)
    if cluster.container_insights is not None:
        props["ClusterSettings"] = [{"Name": "containerInsights",
                                     "Value": "enabled" if cluster.container_insights else "disabled"}]
    b.ids.reserve("Cluster")
    b.resource("Cluster", "AWS::ECS::Cluster", props, Condition="CreateCluster",
               description="ECS cluster (created only when ExistingClusterName is empty)")
    b.output("ClusterName", b.cluster_ref(), "ECS cluster the services run in")


STACK_LOG_GROUP = "/ecs/${AWS::StackName}"


def add_log_groups(b: Builder) -> None:
    """One AWS::Logs::LogGroup per log group the task definitions write to.

    The project's default group (``/ecs/<project>``) is named after the stack instead, so
    the template deploys twice in one Region (staging and prod stacks); it equals
    ``/ecs/<project>`` for a stack named after the project. A group the user named keeps
    its name (and is then shared by every stack of the template)."""
    for group in sorted(b.ecs.log_groups, key=lambda g: g.name):
        users = [s.name for s in b.ecs.services if _writes_to(b, s, group.name)]
        owner = users[0] if len(users) == 1 else ""
        name = sub(STACK_LOG_GROUP) if group.default_name else group.name
        rid = b.pid(("log-group", group.name), "LogGroup" + pascal(group.name))
        b.resource(rid, "AWS::Logs::LogGroup", {"LogGroupName": name, "RetentionInDays": group.retention_days,
                                                 "Tags": b.tags(owner)},
                   owner=owner, description=f"Container logs ({group.retention_days} days)")
        b.refs[("log-group", group.name)] = rid
        oid = b.pid(("output-log", group.name), rid + "Name")
        b.output(oid, ref(rid), "Default log group (/ecs/<stack name>)" if group.default_name else f"Log group {group.name}",
                 owner=owner)
        if group.default_name:
            # AWS::StackName must be the root stack's: keep the group (and output) out of nested stacks.
            b.owners[rid] = b.owners[("output", oid)] = ""


def _writes_to(b: Builder, service, group_name: str) -> bool:
    try:
        td = b.task_definition(service.task_definition)
    except KeyError:
        return False
    for c in td.containers:
        options = dict(c.log_configuration.options) if c.log_configuration else {}
        if options.get("awslogs-group") == group_name:
            return True
    return False


def uses_service_connect(b: Builder) -> bool:
    return any(s.service_connect for s in b.ecs.services)


def add_namespace(b: Builder) -> None:
    """The project's Cloud Map HTTP namespace for Service Connect (no Route 53 zone needed)."""
    if not uses_service_connect(b):
        return
    existing = dict(b.ecs.extensions).get("service_connect_namespace")
    if existing:  # x-ecs service_connect.namespace: join a namespace that already exists
        b.refs["namespace"] = None
        b.refs["namespace-value"] = existing
        return
    b.parameter(b.pid("param:NamespaceName", "NamespaceName"), {
        "Type": "String", "Default": b.ecs.name, "AllowedPattern": "^[A-Za-z0-9][A-Za-z0-9._-]{0,1023}$",
        "Description": "Cloud Map namespace for Service Connect (unique per account and Region; "
                       "change it to deploy the project twice)"})
    rid = b.pid("res:Namespace", "ServiceConnectNamespace")
    b.resource(rid, "AWS::ServiceDiscovery::HttpNamespace",
               {"Name": ref("NamespaceName"), "Description": f"Service Connect names of compose project {b.ecs.name}",
                "Tags": b.tags()},
               description="Service-to-service names: each compose service is reachable under its compose name")
    b.refs["namespace"] = rid
    b.refs["namespace-value"] = getatt(rid, "Arn")


def service_connect(b: Builder, service) -> dict:
    return to_cloudformation(service_connect_config(service, b.refs["namespace-value"]))


def world(b: Builder, service, td_id: str, groups: list) -> World:
    """What the template knows of ``service``'s surroundings: references (emit/service.py builds the body)."""
    targets = {(t.container_port, t.listener_port): ref(b.refs[key])
               for t in service.load_balancer
               if (key := ("tg", service.name, t.container_port, t.listener_port)) in b.refs}
    return World(cluster=b.cluster_ref(), task_definition=ref(td_id), subnets=ref("Subnets"),
                 security_groups=groups, public_ip_for_pulls=ref("PublicIpForPulls"),
                 public_ip_default=ref("AssignPublicIp"),
                 namespace=b.refs["namespace-value"] if "namespace" in b.refs else None,
                 target_groups=targets)


def _network(b: Builder, service, groups: list) -> dict:
    return to_cloudformation(network_configuration(service, world(b, service, "", groups)))


def service_properties(b: Builder, service, td_id: str, groups: list) -> dict:
    """The AWS::ECS::Service properties: the deployer's CreateService body, re-cased."""
    return to_cloudformation(sent(service_body(b.ecs, service, world(b, service, td_id, groups)), "cloudformation"))


def add_service(b: Builder, service, td_id: str, groups: list, depends_on: list) -> str:
    """One AWS::ECS::Service plus its name/ARN outputs."""
    rid = b.sid(service.name, "Service")
    names = ", ".join(b.compose_services(service.name))
    b.resource(rid, "AWS::ECS::Service", service_properties(b, service, td_id, groups), owner=service.name,
               description=f"ECS service running compose service(s) {names}",
               DependsOn=sorted(set(depends_on)) or None)
    b.output(rid + "Name", getatt(rid, "Name"), f"ECS service name of {service.name}", owner=service.name)
    b.output(rid + "Arn", ref(rid), f"ECS service ARN of {service.name}", owner=service.name)
    return rid


def add_job_outputs(b: Builder, service, td_id: str, groups: list) -> None:
    """A one-shot job has no AWS::ECS::Service: its outputs are what `aws ecs run-task` needs."""
    b.output(b.sid(service.name, "JobTaskDefinition"), ref(td_id),
             f"Task definition of the one-shot job {service.name} (run it with aws ecs run-task)",
             owner=service.name)
    public = _network(b, service, groups)["AwsvpcConfiguration"]["AssignPublicIp"]
    b.output(b.sid(service.name, "JobNetwork"),
             {"Fn::Join": [" ", ["subnets:", {"Fn::Join": [",", ref("Subnets")]},
                                 "security groups:", {"Fn::Join": [",", groups]},
                                 "assign public IP:", public]]},
             f"Where the one-shot job {service.name} runs (aws ecs run-task --network-configuration)",
             owner=service.name)
