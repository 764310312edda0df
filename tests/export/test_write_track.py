"""write_track: deterministic output, atomic replacement, no debris on failure."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import soundfile as sf
from signals import SR

from mbcl_audio.audio import BLOCK_SAMPLES, ArraySource
from mbcl_audio.export import read_tags, write_track
from mbcl_audio.plan.model import Chapter


class FailingSource(ArraySource):
    """Raises on the read that starts at or after ``fail_at`` (samples)."""

    def __init__(self, samples, sample_rate, fail_at):
        super().__init__(samples, sample_rate)
        self.fail_at = fail_at
        self.reads = 0

    def read(self, start, stop):
        self.reads += 1
        if start >= self.fail_at:
            raise RuntimeError("render failed midway")
        return super().read(start, stop)


def test_writes_tagged_track_and_creates_dirs(tmp_path, source, tags, chapters, signal):
    dest = tmp_path / "set" / "nl" / "01 Mildheid.mp3"
    out = write_track(source, dest, tags, chapters)
    assert out == dest and dest.is_file()
    assert sf.info(dest).frames == signal.shape[0]
    assert read_tags(dest)["track"] == "1/27"
    assert len(read_tags(dest)["chapters"]) == 4
    assert sorted(p.name for p in dest.parent.iterdir()) == ["01 Mildheid.mp3"]


def test_same_inputs_give_identical_bytes(tmp_path, source, tags, chapters):
    a = write_track(source, tmp_path / "a" / "t.mp3", tags, chapters)
    b = write_track(source, tmp_path / "b" / "t.mp3", tags, list(reversed(chapters)))
    c = write_track(source, tmp_path / "a" / "t.mp3", tags, chapters)  # overwrite in place
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    assert digest(a) == digest(b) == digest(c)


def test_failing_encode_leaves_nothing(tmp_path, signal, tags, chapters):
    src = FailingSource(signal, SR, fail_at=441_000)
    with pytest.raises(RuntimeError, match="midway"):
        write_track(src, tmp_path / "out" / "t.mp3", tags, chapters)
    assert src.reads == 441_000 // BLOCK_SAMPLES + 1  # it really failed mid-stream, after writing audio
    assert list((tmp_path / "out").iterdir()) == []


def test_failing_encode_keeps_existing_file(tmp_path, source, signal, tags, chapters):
    dest = tmp_path / "t.mp3"
    write_track(source, dest, tags, chapters)
    before = dest.read_bytes()
    with pytest.raises(RuntimeError):
        write_track(FailingSource(signal, SR, fail_at=441_000), dest, tags, chapters)
    assert dest.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.mp3"]


def test_failing_tag_write_leaves_nothing(tmp_path, source, tags, monkeypatch):
    import mbcl_audio.export as export

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(export, "write_tags", boom)
    with pytest.raises(OSError, match="disk full"):
        write_track(source, tmp_path / "t.mp3", tags, [])
    assert list(tmp_path.iterdir()) == []


def test_bad_arguments_fail_before_encoding(tmp_path, tags):
    src = FailingSource(np.zeros((SR, 2)), SR, fail_at=0)  # any read would raise RuntimeError
    with pytest.raises(ValueError, match="after the track's end"):
        write_track(src, tmp_path / "t.mp3", tags, [Chapter("te lang", 0, SR + 1)])
    with pytest.raises(ValueError, match="bitrate"):
        write_track(src, tmp_path / "t.mp3", tags, [], bitrate_kbps=100)
    assert src.reads == 0
    assert list(tmp_path.iterdir()) == []
