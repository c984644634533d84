"""Atomic writes and the never-overwrite-silently rule."""

from __future__ import annotations

import os
from datetime import datetime

import pytest

from ygs.errors import YgsError
from ygs.store import append_line, atomic_write, read_text, write_new


def test_atomic_write_replaces_whole_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "a" / "b.md"
    atomic_write(path, "one\n")
    atomic_write(path, "two\n")
    assert path.read_text() == "two\n"
    assert [p.name for p in path.parent.iterdir()] == ["b.md"]


def test_atomic_write_keeps_mode_and_can_set_it(tmp_path):
    path = tmp_path / "secret.yaml"
    atomic_write(path, "k: v\n", mode=0o600)
    assert path.stat().st_mode & 0o777 == 0o600
    atomic_write(path, "k: w\n")
    assert path.stat().st_mode & 0o777 == 0o600


def test_write_new_refuses_to_overwrite(tmp_path):
    path = tmp_path / "x.md"
    path.write_text("mine\n")
    with pytest.raises(YgsError) as err:
        write_new(path, "theirs\n")
    assert "--force" in err.value.remedy
    assert path.read_text() == "mine\n"


def test_write_new_with_force_keeps_a_timestamped_backup(tmp_path):
    path = tmp_path / "x.md"
    path.write_text("mine\n")
    backup = write_new(
        path,
        "theirs\n",
        force=True,
        backup_dir=tmp_path / "bak",
        now=lambda: datetime(2026, 1, 2, 3, 4, 5),
    )
    assert backup == tmp_path / "bak" / "x.md.20260102T030405.000000.bak"
    assert backup.read_text() == "mine\n" and path.read_text() == "theirs\n"


def test_read_text_names_the_line_of_a_bad_byte(tmp_path):
    path = tmp_path / "x.md"
    path.write_bytes(b"ok\nok\nbad \xff\n")
    with pytest.raises(YgsError) as err:
        read_text(path)
    assert err.value.line == 3 and "not UTF-8" in err.value.message


def test_append_line_is_durable_per_line(tmp_path):
    path = tmp_path / "j.jsonl"
    append_line(path, '{"a": 1}')
    append_line(path, '{"b": 2}\n')
    assert path.read_text() == '{"a": 1}\n{"b": 2}\n'
    assert os.stat(path).st_size == 18


@pytest.mark.parametrize("stated", [0, 3, 10, 100])
def test_a_read_takes_the_whole_file_whatever_its_stat_said(tmp_path, stated):
    from ygs.store import Unreadable, _read_capped, read_bytes, read_walked

    path = tmp_path / "a.md"
    path.write_bytes(b"0123456789")
    fd = os.open(path, os.O_RDONLY)
    try:  # a file that grew (or shrank) since its stat is read to its end
        assert _read_capped(fd, stated, limit=64) == b"0123456789"
    finally:
        os.close(fd)
    fd = os.open(path, os.O_RDONLY)
    try:  # and refused once it holds more than the limit, even if the stat said less
        with pytest.raises(Unreadable, match="more than 9 bytes"):
            _read_capped(fd, min(stated, 9), limit=9)
    finally:
        os.close(fd)
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    assert read_walked(str(path), within=tmp_path) == read_bytes(path) == b"0123456789"
    assert read_walked(str(empty), within=tmp_path) == b""
    with pytest.raises(Unreadable, match="limit is 9"):
        read_walked(str(path), within=tmp_path, limit=9)


def test_a_walked_read_gives_the_stat_of_the_file_it_read(tmp_path):
    """A cold check stats each file as it reads it: on the open file, or by path when the
    file is read by `read_bytes` instead (it became a link since the walk)."""
    from ygs.store import Unreadable, read_walked_stat

    path = tmp_path / "a.md"
    path.write_bytes(b"0123456789")
    st, data = read_walked_stat(str(path), within=tmp_path)
    assert data == b"0123456789"
    assert (st.st_ino, st.st_size, st.st_mtime_ns) == (
        os.stat(path).st_ino,
        10,
        os.stat(path).st_mtime_ns,
    )
    link = tmp_path / "b.md"
    link.symlink_to(path)
    st, data = read_walked_stat(str(link), within=tmp_path)
    assert (st.st_ino, data) == (os.stat(path).st_ino, b"0123456789")
    with pytest.raises(Unreadable, match="limit is 9"):
        read_walked_stat(str(path), within=tmp_path, limit=9)
    with pytest.raises(OSError):
        read_walked_stat(str(tmp_path / "gone.md"), within=tmp_path)
