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
