"""docs/docker-run.md's flag table is generated from the flag table, and the table covers the
complete `docker run --help` of Docker 27/28."""
from __future__ import annotations

from pathlib import Path

from compose2ecs.dockerrun import flag_table_markdown
from compose2ecs.dockerrun.flags import ALL_FLAGS, FLAGS

DOC = Path(__file__).resolve().parent.parent / "docs" / "docker-run.md"

# `docker run --help` of Docker 28 (cli/command/container/opts.go, run.go, create.go),
# hidden aliases included.
DOCKER_28 = """
add-host annotation attach/a blkio-weight blkio-weight-device cap-add cap-drop cgroup-parent
cgroupns cidfile cpu-count cpu-percent cpu-period cpu-quota cpu-rt-period cpu-rt-runtime
cpu-shares/c cpus cpuset-cpus cpuset-mems detach/d detach-keys device device-cgroup-rule
device-read-bps device-read-iops device-write-bps device-write-iops disable-content-trust dns
dns-opt dns-option dns-search domainname entrypoint env/e env-file expose gpus group-add
health-cmd health-interval health-retries health-start-interval health-start-period
health-timeout help hostname/h init interactive/i io-maxbandwidth io-maxiops ip ip6 ipc
isolation kernel-memory label/l label-file link link-local-ip log-driver log-opt mac-address
memory/m memory-reservation memory-swap memory-swappiness mount name net net-alias network
network-alias no-healthcheck oom-kill-disable oom-score-adj pid pids-limit platform
privileged publish/p publish-all/P pull quiet/q read-only restart rm runtime security-opt
shm-size sig-proxy stop-signal stop-timeout storage-opt sysctl tmpfs tty/t ulimit user/u
userns use-api-socket uts volume/v volume-driver volumes-from workdir/w
""".split()


def test_every_docker_28_flag_and_shorthand_is_in_the_table():
    for entry in DOCKER_28:
        long, _, short = entry.partition("/")
        assert "--" + long in FLAGS, long
        if short:
            assert FLAGS["-" + short] is FLAGS["--" + long], short
    assert len({n for f in ALL_FLAGS for n in f.names if n.startswith("--")}) == len(DOCKER_28)


def test_every_flag_maps_to_a_compose_key_or_says_why_not():
    for flag in ALL_FLAGS:
        assert flag.target or flag.note, flag.long


def test_the_doc_table_is_current():
    text = DOC.read_text(encoding="utf-8")
    start = text.index("<!-- flag-table:start -->\n") + len("<!-- flag-table:start -->\n")
    end = text.index("<!-- flag-table:end -->")
    assert text[start:end] == flag_table_markdown(), \
        "docs/docker-run.md is stale: paste flag_table_markdown() between the markers"
