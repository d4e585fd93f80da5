"""Artefact writing: atomic for files, in place for devices, all-or-nothing for several."""
from __future__ import annotations

import os
import stat

import pytest

from compose2ecs.errors import UserError
from compose2ecs.output import check_writable, write_all, write_text


def test_a_file_is_replaced_atomically_and_no_temporary_is_left(tmp_path):
    target = tmp_path / "out.json"
    target.write_text("old")
    write_text(str(target), "new")
    assert target.read_text() == "new"
    assert os.listdir(tmp_path) == ["out.json"]


def test_a_fifo_is_written_in_place_not_replaced(tmp_path):
    # stands for /dev/null or /dev/stdout: renaming over it would replace the device itself
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_text(str(fifo), "hello")
        assert os.read(reader, 100) == b"hello"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_dev_null_stays_a_device():
    write_text("/dev/null", "discarded")
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_write_all_writes_nothing_when_one_path_fails(tmp_path):
    good = tmp_path / "a.json"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(UserError) as info:
        write_all([(str(good), "a"), (str(blocker / "b.md"), "b")])
    assert "nothing was written" in str(info.value)
    assert not good.exists()
    assert sorted(os.listdir(tmp_path)) == ["file"]


def test_check_writable_refuses_a_directory_for_a_file_output(tmp_path):
    with pytest.raises(UserError, match="is a directory"):
        check_writable(str(tmp_path))
    check_writable(str(tmp_path), directory=True)
    check_writable(str(tmp_path / "new" / "deeper.json"))


def test_unwritable_report_leaves_no_task_definitions_behind(tmp_path):
    from compose2ecs import convert
    from compose2ecs.pipeline import InputOptions

    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: nginx\n")
    (tmp_path / "blocker").write_text("")
    out = tmp_path / "tds"
    options = InputOptions(files=(str(tmp_path / "compose.yaml"),), cwd=str(tmp_path), region="us-east-1")
    with pytest.raises(UserError):
        convert.run(options, fmt="taskdef", output=str(out), report=str(tmp_path / "blocker" / "r.md"),
                    environ={})
    assert not out.exists() or not os.listdir(out)
