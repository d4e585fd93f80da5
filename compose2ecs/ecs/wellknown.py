"""Default ports of well-known images.

Compose apps often reach a database as ``db:5432`` without the ``db`` service declaring a
port: on one Docker network every port is open. On ECS a port must be named in the task
definition for Service Connect and security groups, so for these images we assume the port
the image's documentation gives (and say so with an info finding).
"""
from __future__ import annotations

from typing import Optional

# Repository name (last path component, no tag) → (port, protocol). Official image docs.
DEFAULT_PORTS = {
    "postgres": (5432, "tcp"), "postgresql": (5432, "tcp"), "postgis": (5432, "tcp"), "timescaledb": (5432, "tcp"),
    "mysql": (3306, "tcp"), "mariadb": (3306, "tcp"), "percona": (3306, "tcp"),
    "redis": (6379, "tcp"), "valkey": (6379, "tcp"), "keydb": (6379, "tcp"),
    "mongo": (27017, "tcp"), "mongodb": (27017, "tcp"),
    "memcached": (11211, "tcp"),
    "rabbitmq": (5672, "tcp"),
    "elasticsearch": (9200, "tcp"), "opensearch": (9200, "tcp"),
    "nginx": (80, "tcp"), "httpd": (80, "tcp"), "caddy": (80, "tcp"),
    "cassandra": (9042, "tcp"), "couchdb": (5984, "tcp"), "influxdb": (8086, "tcp"),
    "zookeeper": (2181, "tcp"), "kafka": (9092, "tcp"), "nats": (4222, "tcp"),
    "minio": (9000, "tcp"), "consul": (8500, "tcp"), "vault": (8200, "tcp"),
    "clickhouse-server": (8123, "tcp"), "neo4j": (7687, "tcp"), "etcd": (2379, "tcp"),
}


def repository(image: str) -> str:
    """``docker.io/library/postgres:16@sha256:…`` → ``postgres``."""
    name = image.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[0].lower()


def default_port(image: Optional[str]) -> Optional[tuple]:
    """(port, protocol) the image listens on by default, or None when unknown."""
    if not image:
        return None
    return DEFAULT_PORTS.get(repository(image))
