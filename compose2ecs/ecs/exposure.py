"""Who may reach a published port on ECS, and which tasks get a public IP.

Compose publishes a port on addresses of the Docker host; an ECS task has no host, only its own
network interface. The rule: **a port is open to the internet on ECS only when it was open to the
internet under Compose.**

============================  ===========================  ==========================================
``host_ip`` of the entry       reachable under Compose from  on ECS
============================  ===========================  ==========================================
unset, ``0.0.0.0``, ``::``     everywhere                    internet (0.0.0.0/0 ingress, public IP)
loopback (127.0.0.0/8, ::1)    the Docker host only          the project's services sharing a compose
                                                             network with it; no internet ingress
another non-public address     that private network only     same as loopback
(10/8, 192.168/16, fe80::/10)
a public address               the internet                  internet (the address itself is not kept)
============================  ===========================  ==========================================

Such a port stays in the task definition (the container still listens) and in the service's
``ingress_ports`` (its peers may reach it); it is simply not *published* (``PortMapping.published``
is None), so neither the CloudFormation emitter nor the deployer opens it to the internet, and no
load-balancer listener is made for it.

Public IPs follow the same rule: only a service with at least one internet-published port gets one,
unless the user asks (x-ecs ``assign_public_ip``, per service or at the top level).
"""
from __future__ import annotations

import ipaddress
from typing import Optional

WILDCARDS = ("", "0.0.0.0", "::")
LOOPBACK_NAMES = ("localhost",)

INTERNET, LOOPBACK, PRIVATE, PUBLIC_ADDRESS = "internet", "loopback", "private", "public-address"

# kind → (published to the internet?, message, hint); {ip} {port} {ports} {service} are filled in.
KINDS = {
    INTERNET: (True, "", ""),
    LOOPBACK: (False, "{ports} published on the loopback address {ip}, which only the Docker host "
                      "reaches: on ECS it gets no internet ingress and no load-balancer listener; only "
                      "services sharing a compose network with {service} reach it",
               "publish it without an address ({port}:{port}) to open it to the internet"),
    PRIVATE: (False, "{ports} published on the non-public address {ip}, which only that network "
                     "reaches: on ECS it gets no internet ingress and no load-balancer listener; only "
                     "services sharing a compose network with {service} reach it",
              "publish it without an address ({port}:{port}) to open it to the internet"),
    PUBLIC_ADDRESS: (True, "host address {ip} is not kept (a task has its own network interface): {ports} "
                           "open to the internet, as it was on the Docker host",
                     "restrict the source in the security group (x-ecs cloudformation overlay) if needed"),
}


def host_ip_kind(host_ip: Optional[str]) -> str:
    """Classify a ``ports`` entry's ``host_ip`` (see the module table)."""
    text = (host_ip or "").strip().strip("[]").lower()
    if text in WILDCARDS:
        return INTERNET
    if text in LOOPBACK_NAMES:
        return LOOPBACK
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # fe80::1%eth0: drop the zone
    except ValueError:
        return PRIVATE  # not an address Docker could bind publicly: keep it inside (least privilege)
    if address.is_unspecified:
        return INTERNET
    if address.is_loopback:
        return LOOPBACK
    return PUBLIC_ADDRESS if address.is_global else PRIVATE


def internet_published(host_ip: Optional[str]) -> bool:
    """True when a port published on ``host_ip`` may be opened to the internet."""
    return KINDS[host_ip_kind(host_ip)][0]


def host_ip_note(host_ip: Optional[str], port: str, service: str) -> Optional[tuple]:
    """``(message, hint)`` of the finding about ``host_ip``, or None when there is nothing to say."""
    kind = host_ip_kind(host_ip)
    _, message, hint = KINDS[kind]
    if not message:
        return None
    words = f"ports {port} are" if "-" in port else f"port {port} is"
    values = {"ip": (host_ip or "").strip(), "port": port, "ports": words, "service": service}
    return message.format(**values), hint.format(**values)


def port_span(port) -> tuple:
    """``80`` → (80, 80); ``"8000-8010"`` → (8000, 8010): a port or a containerPortRange as ints."""
    if isinstance(port, str) and "-" in port:
        low, high = port.split("-", 1)
        return int(low), int(high)
    return int(port), int(port)


def public_ip(service_setting: Optional[bool], top_setting: Optional[bool], internet_ports: bool) -> Optional[bool]:
    """The service's ``assign_public_ip``: True/False when decided, None to follow the project
    default (CloudFormation's ``AssignPublicIp`` parameter; the deployer's ENABLED).

    The user's x-ecs setting wins (service, then top level); otherwise a service with no
    internet-published port gets no public IP."""
    if service_setting is not None:
        return bool(service_setting)
    if top_setting is not None or internet_ports:
        return None
    return False


def public_ip_by_default(service_setting: Optional[bool], top_setting: Optional[bool],
                         internet_ports: bool) -> bool:
    """True when the service has no internet port and nobody chose: it gets a public IP only
    for egress where the subnets have no NAT gateway (the default VPC), to pull its images."""
    return service_setting is None and top_setting is None and not internet_ports


NO_PUBLIC_IP = ("no port is published to the internet: its security group admits nothing from the internet, "
                "and its tasks get a public IP only where the subnets have no NAT gateway (the default VPC, "
                "to pull images; CloudFormation parameter PublicIpForPulls), never for ingress")
NO_PUBLIC_IP_HINT = ("set x-ecs assign_public_ip: false to never give it a public IP (private subnets with a "
                     "NAT gateway or VPC endpoints), true to always give one")
