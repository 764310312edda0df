"""Encoding ahead: a pass encoded on a thread is the file mastering keeps, or is given up cleanly."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import soundfile as sf
from audio_checks import requires_ffmpeg
from signals import SR

from mbcl_audio.audio import ArraySource
from mbcl_audio.export import write_track
from mbcl_audio.export.ahead import EncodeAhead, EncodeGivenUp


class Gated(ArraySource):
    """Reads its first block at once, then waits until the test says ``go``."""

    def __init__(self, samples, sample_rate):
        super().__init__(samples, sample_rate)
        self.first_read, self.go = threading.Event(), threading.Event()

    def read(self, start, stop):
        if start > 0:
            assert self.go.wait(10), "the test never let the read go on"
        block = super().read(start, stop)
        self.first_read.set()
        return block


def start_next_while_stalled(ahead, stalled, next_source):
    """Start ``next_source`` while the encoder is stalled inside a read of ``stalled``; return once
    the stalled encoding has been told to stop and has ended."""
    assert stalled.first_read.wait(10)
    told = ahead._stop
    starter = threading.Thread(target=ahead.start, args=(next_source,))
    starter.start()
    assert told.wait(10)  # the pass is given up while its encoder is still mid-read ...
    stalled.go.set()  # ... which then returns, and the next read raises EncodeGivenUp
    starter.join(10)
    assert not starter.is_alive()


@requires_ffmpeg
def test_the_pass_kept_is_encoded_to_the_same_bytes_as_encoding_after_mastering(tmp_path, source, tags, chapters, monkeypatch):
    monkeypatch.setenv("MBCL_AUDIO_MP3_ENCODER", "ffmpeg")
    after = write_track(source, tmp_path / "after.mp3", tags, chapters)
    ahead = EncodeAhead(lambda audio: write_track(audio, tmp_path / "ahead.mp3", tags, chapters))
    ahead.start(source)
    assert ahead.finish(source)
    assert (tmp_path / "ahead.mp3").read_bytes() == after.read_bytes()


@requires_ffmpeg
def test_a_pass_given_up_stops_its_encoder_and_leaves_no_file(tmp_path, signal, tags, chapters, monkeypatch):
    monkeypatch.setenv("MBCL_AUDIO_MP3_ENCODER", "ffmpeg")
    target = tmp_path / "track.mp3"
    missed, kept = Gated(signal, SR), ArraySource(signal * np.float32(0.5), SR)
    ahead = EncodeAhead(lambda audio: write_track(audio, target, tags, chapters))
    ahead.start(missed)
    start_next_while_stalled(ahead, missed, kept)
    assert ahead.finish(kept)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["track.mp3"]  # no temporary file of the first
    decoded, _ = sf.read(target, dtype="float32", always_2d=True)
    assert len(decoded) == len(signal)
    assert np.sqrt(np.mean(decoded**2)) == pytest.approx(0.5 * np.sqrt(np.mean(signal**2)), rel=0.02)


def test_finishing_another_pass_gives_up_the_encoding_and_says_so(signal):
    reads = []

    def encode(audio):
        for start in range(0, audio.n_samples, 100):
            reads.append(start)
            audio.read(start, start + 100)

    first = Gated(signal, SR)
    ahead = EncodeAhead(encode)
    ahead.start(first)
    assert first.first_read.wait(10)
    finished, told = [], ahead._stop
    finisher = threading.Thread(target=lambda: finished.append(ahead.finish(ArraySource(signal, SR))))
    finisher.start()
    assert told.wait(10)
    first.go.set()
    finisher.join(10)
    assert finished == [False]  # not the pass being encoded: it is given up ...
    assert len(reads) < len(signal) // 100  # ... before the encoder got to the end
    assert ahead._thread is None


def test_the_encoders_error_reaches_the_build():
    def broken(audio):
        raise RuntimeError("the encoder failed")

    ahead = EncodeAhead(broken)
    source = ArraySource(np.zeros((10, 2), np.float32), SR)
    ahead.start(source)
    with pytest.raises(RuntimeError, match="the encoder failed"):
        ahead.finish(source)


def test_reads_of_a_pass_given_up_raise():
    reads = []
    gate = threading.Event()

    def encode(audio):
        reads.append(audio.read(0, 5))
        gate.wait()
        audio.read(5, 10)  # after cancel: given up

    ahead = EncodeAhead(encode)
    ahead.start(ArraySource(np.ones((10, 2), np.float32), SR))
    while not reads:
        threading.Event().wait(0.01)
    stopper = threading.Thread(target=ahead.cancel)
    stopper.start()
    gate.set()
    stopper.join(5)
    assert not stopper.is_alive()
    assert isinstance(ahead._error, EncodeGivenUp)
