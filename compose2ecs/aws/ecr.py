"""The project's ECR repositories: created when missing (idempotent), looked up, logged in to.

A repository the project creates is named ``<project>/<service>``, scans on push, keeps the
last :data:`KEEP_IMAGES` images (lifecycle policy) and carries the ``compose2ecs:project`` tag,
so ``down --images`` finds it and nothing else. A re-run makes no mutating call when the
repository is already as wanted. A repository of that name without the project's tag belongs
to someone else: it is refused, never adopted.
"""
from __future__ import annotations

import base64
import json
import re
from typing import Optional

from ..records import record
from .errors import aws_errors, error_code
from .network import TAG_PROJECT
from ..errors import Location, UserError, diagnostic

KEEP_IMAGES = 10
ECR_URI = re.compile(r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
                     r"(?P<repo>[a-z0-9][a-z0-9._/-]*?)(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$")


def lifecycle_policy(keep: int = KEEP_IMAGES) -> str:
    """Expire all but the ``keep`` newest images (the deployed one is among them)."""
    return json.dumps({"rules": [{
        "rulePriority": 1, "description": f"compose2ecs: keep the last {keep} images",
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep},
        "action": {"type": "expire"}}]}, sort_keys=True)


@record(slots=False)
class Repository:
    name: str
    uri: str  # <account>.dkr.ecr.<region>.amazonaws.com/<name>
    registry_id: str
    created: bool = False

    @property
    def registry(self) -> str:
        return self.uri.split("/", 1)[0]


def describe(ecr, name: str, registry_id: Optional[str] = None) -> Optional[dict]:
    """The repository ``name`` (DescribeRepositories), or None when it does not exist."""
    from botocore.exceptions import ClientError

    query = {"repositoryNames": [name], **({"registryId": registry_id} if registry_id else {})}
    with aws_errors(f"ECR repository {name}"):
        try:
            return ecr.describe_repositories(**query)["repositories"][0]
        except ClientError as error:
            if error_code(error) == "RepositoryNotFoundException":
                return None
            raise


def ensure(ecr, name: str, project: str, progress, keep: int = KEEP_IMAGES) -> Repository:
    """The project's repository ``name``, created or brought in line (tags, scan, lifecycle)."""
    found = describe(ecr, name)
    if found is None:
        progress.event("ecr-repository", name, "creating")
        with aws_errors(f"ECR repository {name}"):
            found = ecr.create_repository(
                repositoryName=name, imageTagMutability="MUTABLE",
                imageScanningConfiguration={"scanOnPush": True},
                tags=[{"Key": TAG_PROJECT, "Value": project}])["repository"]
            ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=lifecycle_policy(keep))
        progress.event("ecr-repository", name, "created")
        return Repository(name, found["repositoryUri"], found["registryId"], created=True)
    _check_owner(ecr, found, project)
    _align(ecr, found, keep, progress)
    return Repository(name, found["repositoryUri"], found["registryId"])


def _check_owner(ecr, found: dict, project: str) -> None:
    with aws_errors(f"ECR repository {found['repositoryName']}"):
        tags = {t["Key"]: t["Value"] for t in ecr.list_tags_for_resource(resourceArn=found["repositoryArn"])["tags"]}
    if tags.get(TAG_PROJECT) != project:
        owner = tags.get(TAG_PROJECT)
        whose = f"project {owner}'s" if owner else "not tagged as this project's"
        raise UserError([diagnostic(Location(key_path=("ecr-repository", found["repositoryName"])),
                                    f"the ECR repository exists and is {whose} ({TAG_PROJECT}); "
                                    "compose2ecs does not push into it",
                                    f"set `image: {found['repositoryUri']}` on the service to push there on "
                                    "purpose, or -p OTHER to give this project another name")])


def _align(ecr, found: dict, keep: int, progress) -> None:
    """Scan on push and the lifecycle policy, changed only when they differ (no-op re-runs)."""
    from botocore.exceptions import ClientError

    name = found["repositoryName"]
    with aws_errors(f"ECR repository {name}"):
        if not found.get("imageScanningConfiguration", {}).get("scanOnPush"):
            ecr.put_image_scanning_configuration(repositoryName=name, imageScanningConfiguration={"scanOnPush": True})
            progress.event("ecr-repository", name, "updated", "scan on push")
        try:
            current = json.loads(ecr.get_lifecycle_policy(repositoryName=name)["lifecyclePolicyText"])
        except ClientError as error:
            if error_code(error) != "LifecyclePolicyNotFoundException":
                raise
            current = None
        if current != json.loads(lifecycle_policy(keep)):
            ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=lifecycle_policy(keep))
            progress.event("ecr-repository", name, "updated", "lifecycle policy")


def image_digest(ecr, repository: str, tag: str, registry_id: Optional[str] = None) -> Optional[str]:
    """The digest of ``repository:tag`` in ECR (DescribeImages), or None when there is none."""
    from botocore.exceptions import ClientError

    query = {"repositoryName": repository, "imageIds": [{"imageTag": tag}],
             **({"registryId": registry_id} if registry_id else {})}
    with aws_errors(f"ECR image {repository}:{tag}"):
        try:
            details = ecr.describe_images(**query)["imageDetails"]
        except ClientError as error:
            if error_code(error) in ("ImageNotFoundException", "RepositoryNotFoundException"):
                return None
            raise
    return details[0]["imageDigest"] if details else None


def login_password(ecr, registry_id: Optional[str] = None) -> str:
    """The registry password from GetAuthorizationToken (``AWS:<password>``, base64). Never print it."""
    query = {"registryIds": [registry_id]} if registry_id else {}
    with aws_errors("ECR authorization token"):
        token = ecr.get_authorization_token(**query)["authorizationData"][0]["authorizationToken"]
    return base64.b64decode(token).decode("utf-8").partition(":")[2]


def account_registry(clients) -> str:
    """``<account>.dkr.ecr.<region>.amazonaws.com`` of the caller (STS GetCallerIdentity)."""
    with aws_errors("STS caller identity"):
        account = clients.sts.get_caller_identity()["Account"]
    suffix = ".amazonaws.com.cn" if clients.region.startswith("cn-") else ".amazonaws.com"
    return f"{account}.dkr.ecr.{clients.region}{suffix}"
