"""Read-only roots that still write (issue 10 item 6): with ``read_only: true`` the paths Compose
made writable (tmpfs, anonymous volumes, writable bind mounts) become ECS task storage, so the
container can start; a finding says what changes."""
from __future__ import annotations

from tests.test_lower_defects import convert, messages

DB = """
    name: p
    services:
      db:
        image: postgres:16
        read_only: {read_only}
        tmpfs: [/run/postgresql]
        volumes:
          - /var/lib/postgresql/data
          - ./initdb:/docker-entrypoint-initdb.d:ro
          - ./logs:/var/log/postgresql
          - {{type: tmpfs, target: /scratch, tmpfs: {{size: 1048576}}}}
"""


def _mounts(td) -> dict:
    (container,) = td["containerDefinitions"]
    volumes = {v["name"]: v for v in td.get("volumes", [])}
    return {m["containerPath"]: (m["readOnly"], volumes[m["sourceVolume"]])
            for m in container.get("mountPoints", [])}


def test_every_writable_path_of_a_read_only_root_is_a_writable_task_volume(tmp_path):
    ecs, tds = convert(tmp_path, DB.format(read_only="true"))
    td = tds["p-db"]
    assert td["containerDefinitions"][0]["readonlyRootFilesystem"] is True
    mounts = _mounts(td)
    assert sorted(mounts) == ["/run/postgresql", "/scratch", "/var/lib/postgresql/data",
                              "/var/log/postgresql"]
    for read_only, volume in mounts.values():
        assert read_only is False and volume["host"] == {}  # ephemeral storage, no host path
    # the read-only bind is still dropped: nothing is written there
    assert "/docker-entrypoint-initdb.d" not in mounts and messages(ecs, "./initdb") == [] and \
        len(messages(ecs, "bind mount of host path")) == 1
    lossy = sorted((f.location.line, f.location.key_path) for f in ecs.findings if f.severity == "lossy")
    assert lossy == [(7, ("services", "db", "tmpfs", 0)), (11, ("services", "db", "volumes", 2)),
                     (12, ("services", "db", "volumes", 3))]
    assert not messages(ecs, "not supported on Fargate")


def test_a_writable_root_keeps_todays_mapping(tmp_path):
    ecs, tds = convert(tmp_path, DB.format(read_only="false"))
    assert sorted(_mounts(tds["p-db"])) == ["/var/lib/postgresql/data"]
    assert len(messages(ecs, "not supported on Fargate")) == 2  # tmpfs key and tmpfs mount
    assert len(messages(ecs, "bind mount of host path")) == 2


def test_ec2_keeps_tmpfs_in_memory_and_maps_only_the_bind(tmp_path):
    ecs, tds = convert(tmp_path, DB.format(read_only="true"), launch_type="EC2")
    td = tds["p-db"]
    tmpfs = td["containerDefinitions"][0]["linuxParameters"]["tmpfs"]
    assert sorted(t["containerPath"] for t in tmpfs) == ["/run/postgresql", "/scratch"]
    assert sorted(_mounts(td)) == ["/var/lib/postgresql/data", "/var/log/postgresql"]


def test_the_docker_socket_is_never_mapped(tmp_path):
    ecs, tds = convert(tmp_path, """
        name: p
        services:
          agent:
            image: portainer/agent
            read_only: true
            volumes: [/var/run/docker.sock:/var/run/docker.sock]
    """)
    assert _mounts(tds["p-agent"]) == {} and messages(ecs, "Docker socket")
