"""Where a service answers: each running task's public IP (task ENI → EC2 network interface),
or the DNS name of the load balancer in front of it.

Fargate tasks in awsvpc mode carry an ``ElasticNetworkInterface`` attachment whose details
name the ``networkInterfaceId``; the public IP is on that interface's ``Association``, which
DescribeTasks does not return. Two calls, batched for all tasks of a service.
"""
from __future__ import annotations


from ..records import record
from .errors import aws_errors


@record(slots=False)
class TaskAddress:
    task_id: str
    last_status: str
    health: str
    private_ip: str = ""
    public_ip: str = ""


def eni_id(task: dict) -> str:
    """The network interface id of an awsvpc task ('' while it is still provisioning)."""
    for attachment in task.get("attachments", []):
        if attachment.get("type") != "ElasticNetworkInterface":
            continue
        for detail in attachment.get("details", []):
            if detail.get("name") == "networkInterfaceId":
                return detail.get("value", "")
    return ""


def _private_ip(task: dict) -> str:
    for attachment in task.get("attachments", []):
        for detail in attachment.get("details", []):
            if detail.get("name") == "privateIPv4Address":
                return detail.get("value", "")
    return ""


def running_tasks(ecs, cluster: str, service: str) -> list:
    """The described RUNNING/PENDING tasks of a service, sorted by task id."""
    with aws_errors(f"service {service}"):
        arns = ecs.list_tasks(cluster=cluster, serviceName=service, desiredStatus="RUNNING")["taskArns"]
        tasks = []
        for start in range(0, len(arns), 100):
            tasks += ecs.describe_tasks(cluster=cluster, tasks=arns[start:start + 100])["tasks"]
    return sorted(tasks, key=lambda t: t["taskArn"])


def task_addresses(ec2, tasks: list) -> list:
    """TaskAddress per task, with public IPs looked up in one DescribeNetworkInterfaces call."""
    enis = {eni_id(t) for t in tasks} - {""}
    public = {}
    if enis:
        with aws_errors("network interfaces"):
            found = ec2.describe_network_interfaces(NetworkInterfaceIds=sorted(enis))["NetworkInterfaces"]
        public = {n["NetworkInterfaceId"]: (n.get("Association") or {}).get("PublicIp", "") for n in found}
    return [TaskAddress(t["taskArn"].rsplit("/", 1)[-1], t.get("lastStatus", ""),
                        t.get("healthStatus", "UNKNOWN"), _private_ip(t), public.get(eni_id(t), ""))
            for t in tasks]


def load_balancer_urls(elbv2, service: dict) -> list:
    """``http://dns[:port]`` for each load balancer whose target group the service uses."""
    groups = [lb["targetGroupArn"] for lb in service.get("loadBalancers", []) if lb.get("targetGroupArn")]
    if not groups:
        return []
    urls = []
    with aws_errors(f"service {service.get('serviceName', '')} load balancer"):
        for group in elbv2.describe_target_groups(TargetGroupArns=groups)["TargetGroups"]:
            for lb_arn in group.get("LoadBalancerArns", []):
                lb = elbv2.describe_load_balancers(LoadBalancerArns=[lb_arn])["LoadBalancers"][0]
                for listener in elbv2.describe_listeners(LoadBalancerArn=lb_arn)["Listeners"]:
                    urls.append(_url(lb["DNSName"], listener["Port"], listener.get("Protocol", "HTTP")))
    return sorted(set(urls))


def _url(host: str, port: int, protocol: str) -> str:
    scheme = "https" if protocol in ("HTTPS", "TLS") else "http"
    default = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" + ("" if port == default else f":{port}")


def public_endpoints(addresses: list, public_ports: tuple) -> list:
    """``ip:port`` for every task with a public IP and every published port."""
    out = []
    for address in addresses:
        if address.public_ip:
            out += [f"{address.public_ip}:{port}" + ("" if proto == "tcp" else f"/{proto}")
                    for port, proto in sorted(public_ports)]
    return out


def service_endpoints(clients, cluster: str, service_model, live_service: dict) -> list:
    """Everything a user can open for one service: LB URLs, else task IP:port pairs."""
    urls = load_balancer_urls(clients.elbv2, live_service) if live_service.get("loadBalancers") else []
    if urls or not service_model.public_ports:
        return urls
    tasks = running_tasks(clients.ecs, cluster, service_model.name)
    return public_endpoints(task_addresses(clients.ec2, tasks), service_model.public_ports)
