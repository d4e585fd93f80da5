"""The `docker run` front-end: tokenizer positions, flag syntax, mapping, errors, output."""
from __future__ import annotations

import pytest
import yaml

from compose2ecs.compose.source import LDict, plain
from compose2ecs.dockerrun import parse_commands, render_compose, to_compose
from compose2ecs.dockerrun.text import split_commands
from compose2ecs.errors import Location, UserError


def service(text: str, **kw) -> dict:
    doc, _ = to_compose([(text, "<t>")], cwd="/work", **kw)
    services = plain(doc)["services"]
    assert len(services) == 1, services
    return next(iter(services.values()))


def error(text: str, **kw) -> list:
    with pytest.raises(UserError) as info:
        to_compose([(text, "<t>")], cwd="/work", **kw)
    return [(str(d.location), d.message, d.hint) for d in info.value.diagnostics]


# ---- tokenizer ------------------------------------------------------------------------------

def test_words_know_their_line_and_column_across_continuations_and_tabs():
    text = "docker run \\\n\t-p 80:80 \\\n  --name 'web app' nginx"
    (seg,), pos = split_commands(text)
    where = {w.text: pos.line_col(w.start) for w in seg.words}
    assert where == {"docker": (1, 1), "run": (1, 8), "-p": (2, 2), "80:80": (2, 5),
                     "--name": (3, 3), "web app": (3, 10), "nginx": (3, 20)}


def test_separators_split_commands_and_redirections_are_not_words():
    segs, _ = split_commands("docker rm -f x > /dev/null 2>&1\ndocker run a; docker run b && "
                             "docker run c")
    assert [[w.text for w in s.words] for s in segs] == [
        ["docker", "rm", "-f", "x"], ["docker", "run", "a"], ["docker", "run", "b"],
        ["docker", "run", "c"]]
    assert [r.text for r in segs[0].redirects] == ["> /dev/null", "2>&1"]


def test_quoting_rules_follow_the_shell():
    (seg,), _ = split_commands(r"""a 'x y' "a\"b\$c\q" e\ f "" '$HOME' "$HOME" # comment""")
    assert [w.text for w in seg.words] == ["a", "x y", 'a"b$c\\q', "e f", "", "$HOME", "$HOME"]
    # the shell would not expand these dollars, so compose must not either
    assert [w.escaped() for w in seg.words][2:7] == ['a"b$$c\\q', "e f", "", "$$HOME", "$HOME"]


def test_pwd_substitution_becomes_compose_interpolation():
    assert service("docker run -e DIR=$(pwd)/x img")["environment"] == {"DIR": "${PWD}/x"}


def test_pwd_at_the_start_of_a_bind_source_is_the_current_directory():
    # (relative, as Compose reads it from the directory of the file; not this machine's path)
    assert service("docker run -v $(pwd)/data:/data -v `pwd`:/src -v $PWD/a:/a -v ${PWD}:/b "
                   "-v $PWDX:/c img")["volumes"] == [
        "./data:/data", ".:/src", "./a:/a", ".:/b", "$PWDX:/c"]


# ---- flag syntax ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "docker run -p 8080:80 img", "docker run -p8080:80 img", "docker run --publish=8080:80 img",
    "docker run --publish 8080:80 img", "docker run -itp 8080:80 img",
    "docker run -dp8080:80 img", "docker container run -p 8080:80 img",
    "docker create -p 8080:80 img", "podman run -p 8080:80 img",
    "sudo docker run -p 8080:80 img", "$ docker run -p 8080:80 img",
])
def test_every_spelling_of_a_value_flag(text):
    assert service(text)["ports"] == ["8080:80"]


def test_short_flag_value_may_be_glued_or_follow_an_equals_sign():
    env = service("docker run -eA=1 -e=B=2 -e C=3 --env=D=4 --env E img")["environment"]
    assert env == {"A": "1", "B": "2", "C": "3", "D": "4", "E": None}


def test_combined_booleans_and_explicit_boolean_values():
    svc = service("docker run -itd --privileged=false --init=true --read-only img")
    assert (svc["stdin_open"], svc["tty"], svc["privileged"], svc["init"], svc["read_only"]) \
        == (True, True, False, True, True)


def test_double_dash_ends_options_and_words_after_the_image_are_the_command():
    svc = service("docker run -d -- img -p 80 --rm 'a b'")
    assert svc["image"] == "img" and svc["command"] == ["-p", "80", "--rm", "a b"]


def test_single_letter_volume_names_are_not_drive_letters():
    doc, _ = to_compose([("docker run -v a:/data -v C:\\\\src:/src img", "t")], cwd="/")
    assert plain(doc)["services"]["img"]["volumes"] == ["a:/data", "C:\\src:/src"]
    assert plain(doc)["volumes"] == {"a": {}}


def test_repeats_append_lists_and_the_last_scalar_wins():
    svc = service("docker run -p 1:1 -p 2:2 -p 1:1 -u a -u b --dns 1.1.1.1 --dns 8.8.8.8 img")
    assert svc["ports"] == ["1:1", "2:2"] and svc["user"] == "b"
    assert svc["dns"] == ["1.1.1.1", "8.8.8.8"]


def test_several_commands_give_several_services_and_other_commands_are_info():
    text = "docker network create n\ndocker run --name db postgres\ndocker stop x && " \
           "docker run --name web --link db:database --volumes-from db:ro --network n nginx"
    doc, findings = to_compose([(text, "<t>")], cwd="/")
    services = plain(doc)["services"]
    assert list(services) == ["db", "web"]
    assert services["web"]["links"] == ["db:database"] and services["web"]["volumes_from"] \
        == ["db:ro"]
    ignored = [f for f in findings if "ignored" in f.message]
    assert [(str(f.location), f.message) for f in ignored] == [
        ("<t>:1:1", "ignored `docker network create n`: not a docker run command"),
        ("<t>:3:1", "ignored `docker stop x`: not a docker run command")]


def test_flag_lines_without_backslash_continue_the_run_above():
    svc = service("docker run -d\n  -p 80:80\n  -e A=1 nginx")
    assert svc["ports"] == ["80:80"] and svc["image"] == "nginx"


def test_links_to_containers_outside_the_text_are_external_links():
    svc = service("docker run --link mysql:db --link cache nginx")
    assert svc["external_links"] == ["mysql:db", "cache:cache"]


# ---- names ----------------------------------------------------------------------------------

@pytest.mark.parametrize("image,name", [
    ("ghcr.io/org/my-app:1.2", "my-app"), ("localhost:5000/img", "img"),
    ("nginx@sha256:" + "a" * 64, "nginx"), ("quay.io/keycloak/keycloak:18.0.2", "keycloak"),
    ("registry.example.com:443/team/api:latest@sha256:" + "b" * 64, "api"),
    ("${REGISTRY}/app:${TAG}", "app"), ("$IMAGE", "image"),
])
def test_service_name_from_the_image_repository(image, name):
    (command,) = parse_commands(f'docker run "{image}"')
    assert command.name == name


def test_service_name_from_name_flag_is_sanitised_and_collisions_get_a_suffix():
    doc, _ = to_compose([("docker run --name My.App nginx\ndocker run nginx", "a"),
                         ("docker run nginx", "b")], cwd="/")
    assert list(doc["services"]) == ["my.app", "nginx", "nginx-2"]


# ---- mapping --------------------------------------------------------------------------------

def test_mount_csv_maps_every_field():
    svc = service('docker run --mount type=bind,src=./logs,dst=/logs,readonly,'
                  'bind-propagation=rshared,consistency=cached '
                  '--mount "type=volume,source=v,target=/v,volume-nocopy,volume-subpath=sub,'
                  'volume-driver=local,volume-opt=type=nfs,\\"volume-opt=o=addr=1.2.3.4,rw\\""'
                  ' --mount type=tmpfs,destination=/t,tmpfs-size=64m,tmpfs-mode=1770 '
                  '--mount type=bind,source=/a,target=/b,ro=false img')
    assert svc["volumes"] == [
        {"type": "bind", "source": "./logs", "target": "/logs", "read_only": True,
         "bind": {"propagation": "rshared"}, "consistency": "cached"},
        {"type": "volume", "source": "v", "target": "/v",
         "volume": {"nocopy": True, "subpath": "sub"}},
        {"type": "tmpfs", "target": "/t", "tmpfs": {"size": "64m", "mode": "1770"}},
        {"type": "bind", "source": "/a", "target": "/b", "read_only": False}]
    doc, _ = to_compose([("docker run --mount type=volume,source=v,target=/v,volume-driver=local,"
                          "volume-opt=type=nfs img", "t")], cwd="/")
    assert plain(doc)["volumes"] == {"v": {"driver": "local", "driver_opts": {"type": "nfs"}}}


@pytest.mark.parametrize("value,device", [
    ("all", {"driver": "nvidia", "count": "all", "capabilities": ["gpu"]}),
    ("2", {"driver": "nvidia", "count": 2, "capabilities": ["gpu"]}),
    ('\'"device=0,1"\'', {"driver": "nvidia", "device_ids": ["0", "1"], "capabilities": ["gpu"]}),
    ("count=1,capabilities=compute,driver=amd",
     {"driver": "amd", "count": 1, "capabilities": ["compute", "gpu"]}),
])
def test_gpus(value, device):
    svc = service(f"docker run --gpus {value} img")
    assert svc["deploy"]["resources"]["reservations"]["devices"] == [device]


def test_resources_health_restart_and_timeouts():
    svc = service("docker run -m 512m --memory-reservation 256m --cpus 1.5 -c 512 "
                  "--pids-limit 100 --ulimit nofile=1024:2048 --ulimit nproc=3 "
                  "--health-cmd 'curl -f http://localhost/ || exit 1' --health-interval 30 "
                  "--health-timeout 5s --health-start-period 1m --health-start-interval 2s "
                  "--health-retries 3 --restart on-failure:5 --stop-timeout 20 "
                  "--shm-size 1g img")
    assert (svc["mem_limit"], svc["mem_reservation"], svc["cpus"], svc["cpu_shares"],
            svc["pids_limit"], svc["shm_size"]) == ("512m", "256m", "1.5", 512, 100, "1g")
    assert svc["ulimits"] == {"nofile": {"soft": 1024, "hard": 2048}, "nproc": 3}
    assert svc["healthcheck"] == {"test": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"],
                                  "interval": "30s", "timeout": "5s", "start_period": "1m",
                                  "start_interval": "2s", "retries": 3}
    assert svc["restart"] == "on-failure:5" and svc["stop_grace_period"] == "20s"
    assert service("docker run --no-healthcheck img")["healthcheck"] == {"disable": True}


def test_network_modes_and_user_networks():
    assert service("docker run --net=host img")["network_mode"] == "host"
    assert service("docker run --network container:other img")["network_mode"] \
        == "container:other"
    svc = service("docker run --ip 10.0.0.9 --network-alias a --network n --network m img")
    assert svc["networks"] == {"n": {"ipv4_address": "10.0.0.9", "aliases": ["a"]}, "m": {}}
    svc = service("docker run --network name=n,alias=x,ip6=2001:db8::1 img")
    assert svc["networks"] == {"n": {"aliases": ["x"], "ipv6_address": "2001:db8::1"}}


def test_ports_are_dropped_with_host_networking_and_publish_all_uses_expose():
    doc, findings = to_compose([("docker run --network host -p 80:80 img", "t")], cwd="/")
    assert "ports" not in doc["services"]["img"]
    assert any("ports dropped" in f.message for f in findings)
    assert service("docker run -P --expose 80 --expose 53/udp img")["ports"] == ["80", "53/udp"]


def test_env_and_label_files_are_read_relative_to_cwd_in_docker_format():
    files = {"/work/app.env": "# c\nA=1\nB=\"quoted\" \nC=$HOME\nPATH\n",
             "/work/l.txt": "team=x\nflag\n"}
    seen = []

    def reader(path):
        seen.append(path)
        return files[path]
    svc = service("docker run --env-file app.env -e A=2 --label-file l.txt img", read_file=reader)
    assert svc["environment"] == {"A": "2", "B": '"quoted" ', "C": "$$HOME", "PATH": None}
    assert svc["labels"] == {"team": "x", "flag": ""} and seen == ["/work/app.env", "/work/l.txt"]


def test_entrypoint_is_one_word_and_terminal_flags_are_info():
    doc, findings = to_compose([("docker run --rm -d --entrypoint '/bin/sh -c' img", "t")],
                               cwd="/")
    assert doc["services"]["img"]["entrypoint"] == ["/bin/sh -c"]
    assert {f.message.split(" ")[0] for f in findings} == {"--rm", "only"}


def test_values_keep_their_flag_location():
    doc, _ = to_compose([("docker run \\\n  -p 80:80 \\\n  -e A=1 nginx", "cmd.sh")], cwd="/")
    svc = doc["services"]["nginx"]
    assert isinstance(svc, LDict)
    assert svc.at == Location("cmd.sh", 1, 1, ("docker run[0]",))
    assert svc["ports"].loc(0) == Location("cmd.sh", 2, 6, ("docker run[0]", "-p"))
    assert svc["environment"].loc("A") == Location("cmd.sh", 3, 6, ("docker run[0]", "-e"))
    assert svc.loc("image") == Location("cmd.sh", 3, 10, ("docker run[0]", "IMAGE"))


# ---- errors: exact message and location ------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("docker run --nmae x img", ("<t>:1:12: docker run[0].--nmae", "unknown flag --nmae",
                                 "did you mean --name?")),
    ("docker run -name x img", ("<t>:1:13: docker run[0].-n",
                                "unknown shorthand flag 'n' in -name", "did you mean --name?")),
    ("docker run img\ndocker run -p", ("<t>:2:12: docker run[1].-p", "-p needs a value",
                                       "give it as -p VALUE or -p=VALUE (port (repeatable))")),
    ("docker run -d -p 80:80", ("<t>:1:23: docker run[0]",
                                "no image: the command ends before the image name",
                                "put the image after the options, e.g. docker run -d nginx:1.27 "
                                "(if the line continues below, end it with \\)")),
    ("docker run -p abc img", ("<t>:1:15: docker run[0].-p", "invalid value for -p: container "
                               "port 'abc' is not a port number or range (1-65535)",
                               "expected port (repeatable)")),
    ("docker run -p8080:0 img", ("<t>:1:14: docker run[0].-p", "invalid value for -p: container "
                                 "port '0' is not a port number or range (1-65535)",
                                 "expected port (repeatable)")),
    ("docker run --memory lots img", ("<t>:1:21: docker run[0].--memory", "invalid value for "
                                      "--memory: 'lots' is not a byte size (use a number with b, "
                                      "k, m or g, e.g. 512m)", "expected byte size")),
    ("docker run --mount type=bind,target=/x,colour=red img",
     ("<t>:1:20: docker run[0].--mount", "invalid value for --mount: unknown --mount field "
      "'colour'", "expected mount csv (repeatable)")),
    ("docker run --mount type=bind,sorce=/a,target=/x img",
     ("<t>:1:20: docker run[0].--mount", "invalid value for --mount: unknown --mount field "
      "'sorce' (did you mean source?)", "expected mount csv (repeatable)")),
    ("docker run --name 'x\nimg", ("<t>:1:19", "unbalanced single quote: no closing ' before "
                                   "the end of the text", "close the quote, or escape it as \\'")),
    ('docker run -e "A=1 img', ("<t>:1:15", 'unbalanced double quote: no closing " before the '
                                "end of the text", 'close the quote, or escape it as \\"')),
    ("docker run <image> --help", ("<t>:1:12: docker run[0]", "<image> is a placeholder (to a "
                                   "shell, unquoted < and > are redirections)",
                                   "replace it with a real value")),
    ("docker run --restart sometimes img", ("<t>:1:22: docker run[0].--restart", "invalid value "
                                            "for --restart: 'sometimes' is not a restart policy "
                                            "(use no, always, unless-stopped, on-failure or "
                                            "on-failure:N)", "expected string")),
    ("docker run --rm=maybe img", ("<t>:1:17: docker run[0].--rm",
                                   "--rm takes true or false, not 'maybe'",
                                   "write --rm alone, or --rm=false")),
    ("docker run -v data:/x:rx img", ("<t>:1:15: docker run[0].-v", "invalid value for -v: "
                                      "unknown volume option rx (use ro, rw, z, Z, nocopy, or a "
                                      "propagation mode)", "expected volume (repeatable)")),
    ("docker run Nginx", ("<t>:1:12: docker run[0].IMAGE", "'Nginx' is not an image reference",
                          "image names are lowercase, e.g. nginx, ghcr.io/org/app:1.2 (is an "
                          "option missing its leading dashes?)")),
    ("docker service create -p 80:80 img", ("<t>:1:1", "no docker run command found",
                                            "give a line such as: docker run -p 8080:80 nginx "
                                            "(docker/podman run or create; swarm's docker "
                                            "service create is not supported)")),
    ("docker run --env-file missing.env img", ("<t>:1:23: docker run[0].--env-file",
                                               "invalid value for --env-file: cannot read env "
                                               "file 'missing.env': No such file or directory",
                                               "expected file (repeatable)")),
])
def test_error_message_and_location(text, expected):
    def reader(path):
        raise FileNotFoundError(2, "No such file or directory")
    assert error(text, read_file=reader)[0] == expected


def test_all_errors_of_a_text_are_reported_together():
    problems = error("docker run -p abc --memory lots --cpus x img\ndocker run -u")
    assert [p[0] for p in problems] == ["<t>:1:15: docker run[0].-p",
                                        "<t>:1:28: docker run[0].--memory",
                                        "<t>:1:40: docker run[0].--cpus",
                                        "<t>:2:12: docker run[1].-u"]


def test_command_substitution_other_than_pwd_is_a_placeholder_where_it_is_used():
    assert service("docker run -u $(id -u) img")["user"] == "$$(id -u)"  # compose: literal $
    # ...and an error only where the image must be real
    assert error("docker run $(echo img)")[0][:2] == (
        "<t>:1:12: docker run[0]", "command substitution $(echo img) cannot be evaluated here")
    # an ignored command may use one
    assert service("docker rm -f $(docker ps -aq); docker run img")["image"] == "img"


# ---- output ---------------------------------------------------------------------------------

def test_render_compose_is_deterministic_and_reads_back_to_the_same_document():
    text = "docker run --name web -p 8080:80 -v data:/data -e B=2 -e A=1 --network n nginx:1"
    doc, _ = to_compose([(text, "t")], cwd="/")
    out = render_compose(doc)
    assert out == render_compose(to_compose([(text, "t")], cwd="/")[0])
    assert yaml.safe_load(out) == plain(doc)
    assert out.startswith("services:\n  web:\n    image: nginx:1\n")
    assert "version" not in out and "name: <" not in out


def test_a_renamed_duplicate_service_is_reported():
    from compose2ecs.dockerrun import to_compose

    doc, findings = to_compose([("docker run --name web nginx", "a"), ("docker run --name web httpd", "b")],
                               cwd="/tmp")
    assert sorted(doc["services"]) == ["web", "web-2"]
    assert any("this one is named 'web-2'" in f.message and f.location.file == "b" for f in findings)
