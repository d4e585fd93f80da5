"""botocore failures → one clear :class:`~compose2ecs.errors.AwsError` line (exit code 4).

Each message names the resource, the AWS error code and what to do. The table below maps
error codes to a plain explanation and a hint; access-denied messages are mined for the
missing permission (``ecs:CreateCluster``) because that is what the user must ask for.
"""
from __future__ import annotations

import contextlib
import os
import re

from ..errors import AwsError

# code → (what happened, how to fix it)
CODES = {
    "AccessDenied": ("access denied", "grant the missing permission to your AWS identity"),
    "AccessDeniedException": ("access denied", "grant the missing permission to your AWS identity"),
    "UnauthorizedOperation": ("access denied", "grant the missing permission to your AWS identity"),
    "UnrecognizedClientException": ("the AWS credentials are not valid",
                                    "check AWS_ACCESS_KEY_ID/--aws-profile"),
    "InvalidClientTokenId": ("the AWS credentials are not valid", "check AWS_ACCESS_KEY_ID/--aws-profile"),
    "ExpiredToken": ("the AWS session has expired", "log in again (aws sso login) and retry"),
    "ExpiredTokenException": ("the AWS session has expired", "log in again (aws sso login) and retry"),
    "ThrottlingException": ("AWS kept throttling the requests after retries",
                            "wait a minute and run the command again; it continues where it stopped"),
    "Throttling": ("AWS kept throttling the requests after retries",
                   "wait a minute and run the command again; it continues where it stopped"),
    "TooManyRequestsException": ("AWS kept throttling the requests after retries",
                                 "wait a minute and run the command again; it continues where it stopped"),
    "RequestLimitExceeded": ("AWS kept throttling the requests after retries",
                             "wait a minute and run the command again; it continues where it stopped"),
    "EntityAlreadyExists": ("the name is already in use outside this project",
                            "choose another project name (-p) or remove the other resource"),
    "InvalidGroup.Duplicate": ("the name is already in use outside this project",
                               "choose another project name (-p) or remove the other resource"),
    "NamespaceAlreadyExists": ("the namespace name is already in use",
                               "choose another project name (-p)"),
    "ResourceAlreadyExistsException": ("the name is already in use outside this project",
                                       "choose another project name (-p) or remove the other resource"),
    "ResourceInUse": ("the resource is still in use", "wait a minute and run the command again"),
    "ResourceInUseException": ("the resource is still in use", "wait a minute and run the command again"),
    "DependencyViolation": ("another resource still depends on it",
                            "wait for tasks to stop (their network interfaces hold it) and run again"),
    "InvalidParameterException": ("AWS rejected a parameter", "fix the value named in the message"),
    "InvalidParameterValue": ("AWS rejected a parameter", "fix the value named in the message"),
    "ValidationError": ("AWS rejected the input", "fix the value named in the message"),
    "ClientException": ("ECS rejected the request", "fix the value named in the message"),
    "ServiceNotActiveException": ("the service is not active", "run deploy again to recreate it"),
    "InvalidSubnetID.NotFound": ("the subnet does not exist", "check --subnet and --region"),
    "InvalidVpcID.NotFound": ("the VPC does not exist", "check --vpc and --region"),
    "ClusterNotFoundException": ("the cluster does not exist", "check --cluster and the region"),
}

_ACTION = re.compile(r"perform:?\s+([a-z0-9-]+:[A-Za-z0-9*]+)")


def missing_permission(message: str) -> str:
    """The IAM action named in an access-denied message, or ''."""
    found = _ACTION.search(message or "")
    return found.group(1) if found else ""


def translate(error: Exception, resource: str) -> AwsError:
    """Turn a botocore/boto3 exception into an AwsError about ``resource``."""
    import botocore.exceptions as bexc

    if isinstance(error, (bexc.NoCredentialsError, bexc.PartialCredentialsError)):
        return AwsError(resource, "no AWS credentials found",
                        "set AWS_PROFILE or --aws-profile, or run `aws configure` / `aws sso login`",
                        code="NoCredentials")
    if isinstance(error, bexc.NoRegionError):
        return AwsError(resource, "no AWS region configured", "pass --region or set AWS_REGION",
                        code="NoRegion")
    if isinstance(error, bexc.ProfileNotFound):
        return AwsError(resource, str(error), "check --aws-profile / AWS_PROFILE", code="ProfileNotFound")
    if isinstance(error, bexc.EndpointConnectionError):
        return AwsError(resource, f"cannot reach {error.kwargs.get('endpoint_url', 'the AWS endpoint')}",
                        "check the network, --region and --endpoint-url", code="EndpointConnectionError")
    if isinstance(error, bexc.ClientError):
        return _client_error(error, resource)
    if isinstance(error, bexc.BotoCoreError):
        return AwsError(resource, str(error), code=type(error).__name__)
    raise error


def _client_error(error, resource: str) -> AwsError:
    info = error.response.get("Error", {})
    code = info.get("Code", "Unknown")
    message = info.get("Message", "") or str(error)
    what, hint = CODES.get(code, ("", ""))
    if what == "access denied":
        action = missing_permission(message)
        if action:
            return AwsError(resource, f"access denied: missing permission {action}",
                            f"allow {action} for your AWS identity", code=code)
    text = f"{what}: {message}" if what else message
    return AwsError(resource, text, hint, code=code)


@contextlib.contextmanager
def aws_errors(resource: str):
    """Re-raise botocore failures inside the block as AwsError naming ``resource``."""
    import botocore.exceptions as bexc

    try:
        yield
    except (bexc.BotoCoreError, bexc.ClientError) as error:
        raise translate(error, resource) from None


def error_code(error: Exception) -> str:
    """The AWS error code of a ClientError (or '')."""
    response = getattr(error, "response", None) or {}
    return response.get("Error", {}).get("Code", "")


MALFORMED_HINT = ("check that --endpoint-url / AWS_ENDPOINT_URL points at AWS or a working emulator, "
                  "then run the command again")


def unreadable_response(error: BaseException, resource: str):
    """AwsError for a response nobody could read (empty or garbage body, a missing field), else None.

    botocore raises ResponseParserError for bodies that are not XML/JSON, UnicodeDecodeError for
    bytes that are not UTF-8, and returns ``{}`` for an empty JSON body, so reading a required
    field raises KeyError. Only KeyErrors raised in botocore or in the AWS layer count: one from
    the lowering is a bug and stays an internal error.
    """
    if type(error).__name__ == "ResponseParserError":
        first = str(error).splitlines()[0] if str(error) else ""
        detail = re.sub(r"\s*Further retries may succeed:?$", "", first)
        return AwsError(resource, f"AWS returned a response that could not be parsed ({detail})",
                        MALFORMED_HINT, code="MalformedResponse")
    if isinstance(error, UnicodeDecodeError):
        return AwsError(resource, "AWS returned a response that is not UTF-8 text", MALFORMED_HINT,
                        code="MalformedResponse")
    if isinstance(error, KeyError) and _raised_in_aws_layer(error):
        key = error.args[0] if error.args else "?"
        return AwsError(resource, f"the AWS response has no {key!r} field (empty or incomplete response)",
                        MALFORMED_HINT, code="MalformedResponse")
    return None


def _raised_in_aws_layer(error: BaseException) -> bool:
    tb = error.__traceback__
    last = None
    while tb is not None:
        last = tb.tb_frame.f_code.co_filename
        tb = tb.tb_next
    here = os.path.dirname(os.path.abspath(__file__))
    return bool(last) and (os.path.abspath(last).startswith(here + os.sep)
                           or f"{os.sep}botocore{os.sep}" in last)
