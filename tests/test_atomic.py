"""write_atomic: all of the new content or none of it."""

import pytest

from mbcl_audio.atomic import write_atomic


def test_writes_text_and_bytes_exactly_and_creates_the_folder(tmp_path):
    path = write_atomic(tmp_path / "a" / "b.csv", "x;y\r\nä\n", encoding="utf-8-sig")
    assert path.read_bytes() == "x;y\r\nä\n".encode("utf-8-sig")
    write_atomic(path, b"\x89PNG")
    assert path.read_bytes() == b"\x89PNG"
    assert [p.name for p in path.parent.iterdir()] == ["b.csv"]  # no temporary file left


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "report.md"
    path.write_text("old")

    def refuse(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("mbcl_audio.atomic.os.replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(path, "new")
    assert path.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["report.md"]


def dead_pid() -> int:
    """The id of a process that has finished (and been reaped)."""
    import subprocess
    import sys

    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temporary_names_are_per_process_and_a_dead_process_s_are_removed(tmp_path):
    import os

    from mbcl_audio.atomic import process_alive, process_temp_path, remove_stale_temp_files

    mine = process_temp_path(tmp_path / "01 Title.mp3", "staging")
    assert mine.name == f".01 Title.staging-{os.getpid()}.mp3"
    assert process_alive(os.getpid()) and not process_alive(dead_pid())
    dead = dead_pid()
    left = [
        tmp_path / f".01 Title.staging-{dead}.mp3",  # a killed build's staging file
        tmp_path / f"..01 Title.staging-{dead}.tmp-{dead}.mp3",  # ... and its encoder's temporary
        tmp_path / f"..01 Title.staging.mp3.tmp-{dead}",  # the form older versions wrote
    ]
    kept = [mine, tmp_path / "01 Title.mp3", tmp_path / ".hidden-notes.txt", tmp_path / f".x.staging-{dead}.d"]
    for p in left + kept[:3]:
        p.write_bytes(b"x")
    kept[3].mkdir()
    assert remove_stale_temp_files(tmp_path) == sorted(left)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in kept)
    assert remove_stale_temp_files(tmp_path / "missing") == []
