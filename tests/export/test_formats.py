"""Opus and M4A beside the MP3: exact lengths, level kept, tags and chapters in each format's own
way, the same bytes for the same audio, and a clear error when ffmpeg is missing for m4a."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
import soundfile as sf
from signals import SR

from mbcl_audio.errors import MbclError
from mbcl_audio.export import formats
from mbcl_audio.export.formats import check_formats, decoded_length, read_format_tags, write_format
from mbcl_audio.measure import array_loudness

needs_ffmpeg = pytest.mark.skipif(formats.ffmpeg_program() is None, reason="ffmpeg is not installed (m4a needs it)")


def _dominant_hz(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1 / rate)[np.argmax(spectrum)])


def _decode_m4a(path) -> np.ndarray:
    raw = subprocess.run([formats.ffmpeg_program(), "-v", "error", "-i", str(path), "-f", "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype=np.float32).reshape(-1, 2)


def test_opus_decodes_to_the_exact_length_at_48_khz_with_level_and_pitch_kept(source, signal, tags, chapters, tmp_path):
    path = write_format(source, tmp_path / "t.opus", "opus", tags, chapters)
    decoded, rate = sf.read(str(path), dtype="float32", always_2d=True)
    assert rate == 48_000 and len(decoded) == decoded_length(len(signal), SR, "opus") == 960_000
    assert array_loudness(decoded, rate) == pytest.approx(array_loudness(signal, SR), abs=0.2)
    # The right channel's 330 Hz sine, after the 44.1 -> 48 kHz resampling, within one FFT bin.
    assert _dominant_hz(decoded[:, 1], rate) == pytest.approx(330.0, abs=0.1)


def test_opus_tags_chapters_cover_and_r128_gain_round_trip(source, tags, chapters, tmp_path):
    from dataclasses import replace

    tags = replace(tags, cover_png=b"\x89PNG fake", replaygain_gain_db=-1.5)
    back = read_format_tags(write_format(source, tmp_path / "t.opus", "opus", tags, chapters))
    assert back["title"] == tags.title and back["album"] == tags.album and back["track"] == "1/27"
    assert back["language"] == "dut" and back["cover"] == b"\x89PNG fake"
    # R128_TRACK_GAIN is Q7.8 dB against -23 LUFS: ReplayGain's -1.5 dB at -18 LUFS is -6.5 dB there.
    assert back["replaygain_track_gain"] == pytest.approx(-1.5, abs=1 / 256)
    expected = sorted((c.title, round(c.start_sample / SR, 3)) for c in chapters)
    assert [(t, round(s, 3)) for t, s in back["chapters"]] == [(t, s) for t, s in sorted(expected, key=lambda c: c[1])]


def test_the_same_audio_gives_the_same_opus_bytes(source, tags, chapters, tmp_path):
    # libsndfile draws a random Ogg serial number; the writer fixes it.
    a = write_format(source, tmp_path / "a.opus", "opus", tags, chapters).read_bytes()
    b = write_format(source, tmp_path / "b.opus", "opus", tags, chapters).read_bytes()
    assert a == b and a[14:18] == formats.OGG_SERIAL.to_bytes(4, "little")


@needs_ffmpeg
def test_m4a_decodes_within_one_aac_frame_with_level_chapters_and_tags(source, signal, tags, chapters, tmp_path):
    path = write_format(source, tmp_path / "t.m4a", "m4a", tags, chapters)
    decoded = _decode_m4a(path)
    assert len(signal) <= len(decoded) <= len(signal) + formats.AAC_FRAME_SAMPLES
    assert array_loudness(decoded[: len(signal)], SR) == pytest.approx(array_loudness(signal, SR), abs=0.2)
    back = read_format_tags(path)
    assert back["title"] == tags.title and back["track"] == "1/27" and back["language"] == "dut"
    starts = sorted(c.start_sample / SR for c in chapters)
    assert [t for t, _ in back["chapters"]] == [c.title for c in sorted(chapters, key=lambda c: c.start_sample)]
    assert [s for _, s in back["chapters"]] == pytest.approx(starts, abs=0.001)
    assert write_format(source, tmp_path / "again.m4a", "m4a", tags, chapters).read_bytes() == path.read_bytes()


def test_formats_are_checked_and_mp3_always_comes_first(monkeypatch):
    assert check_formats(["opus", "MP3", "opus"]) == ("mp3", "opus")
    # One order whatever the order given: the same formats are the same build (input hash).
    assert check_formats(["m4a", "Opus"], programs=False) == check_formats(["opus", "m4a"], programs=False) == ("mp3", "opus", "m4a")
    with pytest.raises(MbclError, match="unknown format 'flac'"):
        check_formats(["flac"])
    monkeypatch.setattr(formats, "ffmpeg_program", lambda: None)
    with pytest.raises(MbclError, match="m4a needs the program ffmpeg, which is not installed"):
        check_formats(["mp3", "m4a"])
    assert check_formats(["opus"]) == ("mp3", "opus")
    assert check_formats(["m4a"], programs=False) == ("mp3", "m4a")  # a project file's names, checked before ffmpeg is


def test_a_failed_encode_leaves_no_file(source, tags, chapters, tmp_path, monkeypatch):
    def broken(*args):
        raise MbclError("encoder broke")

    monkeypatch.setattr(formats, "_encode_opus", broken)
    with pytest.raises(MbclError, match=r"t\.opus: could not write opus: encoder broke"):
        write_format(source, tmp_path / "t.opus", "opus", tags, chapters)
    assert list(tmp_path.iterdir()) == []


@needs_ffmpeg
def test_m4a_is_written_into_a_folder_whose_name_has_a_colon(source, tags, chapters, tmp_path):
    # ffmpeg reads "set:2026/..." as a protocol unless it is told it is a file.
    path = write_format(source, tmp_path / "set:2026" / "t.m4a", "m4a", tags, chapters)
    assert len(_decode_m4a(path)) >= source.n_samples and read_format_tags(path)["title"] == tags.title


def test_an_encoder_error_names_the_file_asked_for(source, tags, chapters, tmp_path, monkeypatch):
    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(formats, "_encode_opus", full_disk)
    with pytest.raises(MbclError, match=r"t\.opus: could not write opus: .*No space left on device"):
        write_format(source, tmp_path / "t.opus", "opus", tags, chapters)
