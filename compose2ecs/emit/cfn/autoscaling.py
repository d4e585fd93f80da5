"""x-ecs autoscaling → a scalable target and target-tracking policies per service."""
from __future__ import annotations

from .context import Builder, getatt

# model field → (policy ID suffix, predefined metric)
METRICS = (
    ("cpu_target", "CpuScaling", "ECSServiceAverageCPUUtilization"),
    ("memory_target", "MemoryScaling", "ECSServiceAverageMemoryUtilization"),
    ("requests_per_target", "RequestScaling", "ALBRequestCountPerTarget"),
)
COOLDOWN = 60


def add_autoscaling(b: Builder, service, service_id: str) -> None:
    """ScalableTarget (service/<cluster>/<service>) and one policy per configured target."""
    scaling = service.autoscaling
    if scaling is None:
        return
    target = b.resource(b.sid(service.name, "ScalableTarget"), "AWS::ApplicationAutoScaling::ScalableTarget", {
        "MinCapacity": scaling.min_capacity, "MaxCapacity": scaling.max_capacity,
        "ResourceId": {"Fn::Join": ["/", ["service", b.cluster_ref(), getatt(service_id, "Name")]]},
        "ScalableDimension": "ecs:service:DesiredCount", "ServiceNamespace": "ecs"},
        owner=service.name, description=f"Scales {service.name} between {scaling.min_capacity} and "
                                         f"{scaling.max_capacity} tasks")
    for field, suffix, metric in METRICS:
        value = getattr(scaling, field)
        if value is None:
            continue
        spec: dict = {"PredefinedMetricType": metric}
        if metric == "ALBRequestCountPerTarget":
            label = _request_label(b, service)
            if label is None:
                continue  # request counts need an ALB target group
            spec["ResourceLabel"] = label
        b.resource(b.sid(service.name, suffix), "AWS::ApplicationAutoScaling::ScalingPolicy", {
            "PolicyName": f"{service.name}-{suffix.lower()}"[:256], "PolicyType": "TargetTrackingScaling",
            "ScalingTargetId": {"Ref": target},
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": float(value), "PredefinedMetricSpecification": spec,
                "ScaleInCooldown": COOLDOWN, "ScaleOutCooldown": COOLDOWN}},
            owner=service.name, description=f"Keep {metric} of {service.name} near {value}")


def _request_label(b: Builder, service):
    if b.ecs.load_balancer != "alb" or not service.load_balancer or "lb-full-name" not in b.refs:
        return None
    t = service.load_balancer[0]
    tg = b.refs.get(("tg", service.name, t.container_port, t.listener_port))
    if tg is None:
        return None
    return {"Fn::Join": ["/", [b.refs["lb-full-name"], getatt(tg, "TargetGroupFullName")]]}
