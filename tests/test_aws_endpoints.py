"""Where the app answers: task ENI → public IP, from recorded real-shape responses (moto
assigns no public IPs and starts no tasks)."""
from __future__ import annotations

import boto3
from botocore.stub import Stubber

from compose2ecs.aws import endpoints
from compose2ecs.aws.status import render_json, render_text, service_status
from tests.aws_fixtures import recorded

CLUSTER = "shop"
ENI = "eni-0f1e2d3c4b5a69788"


def _client(name):
    return boto3.client(name, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


class _Clients:
    def __init__(self):
        self.ecs, self.ec2, self.elbv2 = _client("ecs"), _client("ec2"), _client("elbv2")


def _stub_tasks(ecs_stub, ec2_stub):
    ecs_stub.add_response("list_tasks", recorded("list_tasks"),
                          {"cluster": CLUSTER, "serviceName": "web", "desiredStatus": "RUNNING"})
    ecs_stub.add_response("describe_tasks", recorded("describe_tasks"),
                          {"cluster": CLUSTER, "tasks": recorded("list_tasks")["taskArns"]})
    ec2_stub.add_response("describe_network_interfaces", recorded("describe_network_interfaces"),
                          {"NetworkInterfaceIds": [ENI]})


def test_eni_of_a_running_task_and_none_while_provisioning():
    running, provisioning = recorded("describe_tasks")["tasks"]
    assert endpoints.eni_id(running) == ENI
    assert endpoints.eni_id(provisioning) == ""


def test_public_ip_comes_from_the_network_interface_association():
    clients = _Clients()
    with Stubber(clients.ecs) as ecs_stub, Stubber(clients.ec2) as ec2_stub:
        _stub_tasks(ecs_stub, ec2_stub)
        tasks = endpoints.running_tasks(clients.ecs, CLUSTER, "web")
        addresses = endpoints.task_addresses(clients.ec2, tasks)
    first, second = addresses
    assert (first.task_id, first.public_ip, first.private_ip, first.health) == \
        ("5f8e9a7b6c5d4e3f2a1b0c9d8e7f6a5b", "54.210.33.17", "172.31.20.15", "HEALTHY")
    assert (second.last_status, second.public_ip) == ("PROVISIONING", "")
    assert endpoints.public_endpoints(addresses, ((80, "tcp"), (53, "udp"))) == ["54.210.33.17:53/udp", "54.210.33.17:80"]


def test_no_public_ip_no_endpoint():
    address = endpoints.TaskAddress("t", "RUNNING", "HEALTHY", "10.0.0.5", "")
    assert endpoints.public_endpoints([address], ((80, "tcp"),)) == []


def test_load_balancer_url_wins_over_task_ips():
    clients = _Clients()
    tg = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop-web/0123456789abcdef"
    lb = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/shop/0123456789abcdef"
    service = {"serviceName": "web", "loadBalancers": [{"targetGroupArn": tg, "containerName": "web", "containerPort": 80}]}
    with Stubber(clients.elbv2) as stub:
        stub.add_response("describe_target_groups", {"TargetGroups": [{"TargetGroupArn": tg, "LoadBalancerArns": [lb]}]},
                          {"TargetGroupArns": [tg]})
        stub.add_response("describe_load_balancers", {"LoadBalancers": [{"LoadBalancerArn": lb, "DNSName": "shop-1.us-east-1.elb.amazonaws.com"}]})
        stub.add_response("describe_listeners", {"Listeners": [{"Port": 80, "Protocol": "HTTP"}, {"Port": 8443, "Protocol": "HTTPS"}]})
        urls = endpoints.load_balancer_urls(clients.elbv2, service)
    assert urls == ["http://shop-1.us-east-1.elb.amazonaws.com", "https://shop-1.us-east-1.elb.amazonaws.com:8443"]


def test_status_renders_tasks_addresses_and_events():
    clients = _Clients()
    live = {"serviceName": "web", "desiredCount": 2, "runningCount": 1, "pendingCount": 1,
            "taskDefinition": "arn:aws:ecs:us-east-1:123456789012:task-definition/shop-web:3",
            "deployments": [{"id": "ecs-svc/1", "status": "PRIMARY", "rolloutState": "IN_PROGRESS"}],
            "events": [{"message": "(service web) has started 1 tasks."}]}
    with Stubber(clients.ecs) as ecs_stub, Stubber(clients.ec2) as ec2_stub:
        _stub_tasks(ecs_stub, ec2_stub)
        row = service_status(clients, CLUSTER, live, ((80, "tcp"),))
    text = render_text("shop", CLUSTER, [row])
    assert "web                        2       1       1  IN_PROGRESS  shop-web:3" in text
    assert "task 5f8e9a7b6c5d4e3f2a1b0c9d8e7f6a5b  RUNNING    health HEALTHY   54.210.33.17" in text
    assert "answers at 54.210.33.17:80" in text
    assert "event: (service web) has started 1 tasks." in text
    assert '"public_ip": "54.210.33.17"' in render_json("shop", CLUSTER, [row])


def test_status_of_a_project_that_is_not_deployed():
    assert "nothing deployed" in render_text("ghost", None, [])
