"""QA analysis and checks on decoded test files: each profile limit caught by the check that names it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from qa_files import SR, acx_track, at_lufs, speech_like, write_mp3, write_wav

from mbcl_audio.master.profiles import get_profile
from mbcl_audio.qa import analyze_file
from mbcl_audio.qa.scan import ChunkStats

MEDITATION = get_profile("meditation")
ACX = get_profile("acx")


def names(report) -> set[str]:
    return {c.name for c in report.failures}


def test_good_file_passes_meditation(tmp_path, good_speech):
    report = analyze_file(write_wav(tmp_path / "good.wav", good_speech), MEDITATION)
    assert report.passed, report.summary_line()
    assert report.failures == []
    assert [c.name for c in report.checks] == ["voice-loudness", "true-peak", "clipping", "full-scale"]
    assert report.measurement.integrated_lufs == pytest.approx(-18.0, abs=0.1)
    assert report.summary_line().startswith("PASS")


def test_good_mp3_passes_meditation(tmp_path, good_speech):
    report = analyze_file(write_mp3(tmp_path / "good.mp3", good_speech), MEDITATION)
    assert report.passed, report.summary_line()
    assert report.facts.container == "MP3"
    assert (report.facts.bitrate_kbps, report.facts.bitrate_mode) == (192, "CBR")


def test_hot_file_fails_integrated_loudness(tmp_path, good_speech):
    hot = good_speech * 10 ** (6 / 20)  # -12 LUFS
    report = analyze_file(write_wav(tmp_path / "hot.wav", hot), MEDITATION)
    assert "voice-loudness" in names(report)
    check = next(c for c in report.checks if c.name == "voice-loudness")
    assert check.measured == pytest.approx(-12.0, abs=0.1)
    assert (check.low, check.high) == (-18.5, -17.5)
    assert "integrated loudness -12.0 LUFS is above" in check.message
    assert "voice-loudness -12.0 LUFS (limit -18.5..-17.5 LUFS)" in report.summary_line()


def test_quiet_file_fails(tmp_path, good_speech):
    quiet = good_speech * 10 ** (-12 / 20)  # -30 LUFS
    report = analyze_file(write_wav(tmp_path / "quiet.wav", quiet), MEDITATION)
    assert names(report) == {"voice-loudness"}
    assert "below" in report.failures[0].message


def test_clipped_file_fails_clipping_and_true_peak(tmp_path, good_speech):
    clipped = np.clip(good_speech * 10 ** (20 / 20), -1.0, 1.0)  # +20 dB into a hard clip at full scale
    report = analyze_file(write_wav(tmp_path / "clipped.wav", clipped, subtype="FLOAT"), MEDITATION)
    assert {"clipping", "true-peak"} <= names(report)
    clip = next(c for c in report.checks if c.name == "clipping")
    assert clip.measured > 10
    assert "clipped runs of 3+ samples" in clip.message
    assert report.facts.first_clip_s == pytest.approx(0.5, abs=0.1)  # the first burst


def test_single_full_scale_samples_are_not_clipping(tmp_path):
    x = np.zeros(SR * 2)
    x[[1000, 5000, 5001, 30_000]] = 1.0  # one and two samples in a row: legal
    x[40_000:40_003] = -1.0  # three in a row: one clipped run
    report = analyze_file(write_wav(tmp_path / "peaks.wav", x, subtype="FLOAT"), MEDITATION)
    clip = next(c for c in report.checks if c.name == "clipping")
    assert clip.measured == 1


def test_clip_runs_across_chunk_borders():
    hop = 4410
    stats = ChunkStats(SR, 4 * hop, hop)
    x = np.zeros((4 * hop, 1))
    x[hop - 2 : hop + 2] = 1.0  # a run of 4 split 2 + 2 over two chunks
    x[3 * hop - 1] = 1.0  # a run of 1 at a border
    x[3 * hop] = 1.0  # ... continued by 1: 2 in all, not a clip
    for start in range(0, 4 * hop, hop):
        stats(start, x[start : start + hop])
    result = stats.result()
    assert result.clip_runs == 1
    assert result.first_clip_sample == hop - 2


def test_acx_file_passes_acx(tmp_path):
    report = analyze_file(write_mp3(tmp_path / "acx.mp3", acx_track()), ACX)
    assert report.passed, report.summary_line()
    assert [c.name for c in report.checks] == [
        "rms-target", "rms-range", "true-peak", "sample-peak", "noise-floor",
        "sample-rate", "bitrate", "head-room-tone", "tail-room-tone", "clipping", "full-scale",
    ]
    facts = report.facts
    assert facts.head_s == pytest.approx(0.75, abs=0.05)
    assert facts.tail_s == pytest.approx(2.0, abs=0.05)
    assert facts.noise_floor_from == "head and tail room tone"
    assert facts.noise_floor_db == pytest.approx(-68.0, abs=1.5)


def test_loud_noise_bed_fails_noise_floor(tmp_path):
    report = analyze_file(write_mp3(tmp_path / "noisy.mp3", acx_track(noise_db=-45.0)), ACX)
    assert "noise-floor" in names(report)
    check = next(c for c in report.checks if c.name == "noise-floor")
    assert check.measured == pytest.approx(-45.0, abs=1.5)
    assert "head-room-tone" not in names(report)  # the bed is there, but the speech still starts at 0.75 s


def test_missing_head_room_tone_fails(tmp_path):
    x = acx_track()
    x = x[int(0.75 * SR) - 100 :]  # speech starts almost at once
    report = analyze_file(write_mp3(tmp_path / "nohead.mp3", x), ACX)
    assert "head-room-tone" in names(report)
    assert report.facts.head_s < 0.1
    assert "tail-room-tone" not in names(report)


def test_wav_fails_acx_bitrate(tmp_path):
    report = analyze_file(write_wav(tmp_path / "acx.wav", acx_track()), ACX)
    assert names(report) == {"bitrate"}
    assert "not an MP3 (WAV)" in report.failures[0].message


def test_wrong_sample_rate(tmp_path):
    x = acx_track()[: 10 * SR]
    x48 = np.interp(np.arange(10 * 48_000) / 48_000, np.arange(x.size) / SR, x)
    report = analyze_file(write_wav(tmp_path / "48k.wav", x48, sr=48_000), ACX)
    assert "sample-rate" in names(report)


def test_undecodable_file_gives_a_failing_report(tmp_path):
    bad = tmp_path / "broken.mp3"
    bad.write_bytes(b"this is not audio" * 100)
    report = analyze_file(bad, MEDITATION)
    assert not report.passed
    assert report.facts is None and report.measurement is None
    assert [c.name for c in report.failures] == ["decode"]
    assert str(bad) in report.error and "cannot decode" in report.error
    assert report.summary_line().startswith(f"FAIL  {bad}")


def test_an_undecodable_file_is_told_apart_quietly(tmp_path, good_speech, capfd):
    """Not audio, empty, cut short, missing: each says what is wrong, and the decoder prints nothing."""
    noise = tmp_path / "noise.mp3"
    noise.write_bytes(b"\x00" + np.random.default_rng(1).bytes(5000))
    empty = tmp_path / "empty.mp3"
    empty.write_bytes(b"")
    whole = write_mp3(tmp_path / "whole.mp3", good_speech)
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 3])
    capfd.readouterr()
    expected = {
        noise: "cannot decode: not an audio file: its first bytes",
        empty: "cannot decode: the file is empty",
        cut: "cannot decode: it starts like MP3 but its audio is damaged or cut short",
        tmp_path / "missing.mp3": "cannot decode: no such file",
    }
    for path, message in expected.items():
        report = analyze_file(path, MEDITATION)
        assert message in report.error, report.error
        assert "does not exist" not in report.error
    assert "header announces" in analyze_file(cut, MEDITATION).error
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")  # was: "Note: Illegal Audio-MPEG-Header ..." from the decoder


def test_silent_file_fails_loudness_without_error(tmp_path):
    report = analyze_file(write_wav(tmp_path / "silent.wav", np.zeros(SR * 5)), MEDITATION)
    assert names(report) == {"voice-loudness"}
    assert math.isinf(report.measurement.integrated_lufs)
    assert "could not be measured" in report.failures[0].message


def test_stereo_and_long_block_streaming(tmp_path):
    # 25 s stereo: more than two 10 s read blocks, so every streamed table crosses block borders.
    left = at_lufs(speech_like(25.0, start_s=1.0, seed=5), -21.0)
    stereo = np.stack([left, 0.8 * left], axis=1)
    report = analyze_file(write_wav(tmp_path / "st.wav", stereo), MEDITATION)
    scan = report.facts.series.scan
    assert report.facts.channels == 2
    assert scan.band_energy.size == 250
    assert np.nanmax(scan.wave_max) == pytest.approx(stereo.max(), abs=1e-3)  # 16-bit rounding
    assert np.nanmin(scan.wave_min) == pytest.approx(stereo.min(), abs=1e-3)
    assert report.facts.head_s == pytest.approx(1.0, abs=0.05)


def test_a_near_miss_is_shown_with_enough_decimals():
    from mbcl_audio.qa.checks import at_most

    check = at_most("true-peak", "true peak", -0.96, -1.0, "dBTP")
    assert not check.passed
    assert check.outcome() == "true-peak -0.96 dBTP (limit <= -1.0 dBTP)"


def test_a_sample_above_full_scale_fails_whatever_the_profile_allows(tmp_path, good_speech):
    # A profile may not allow it (its ceiling must be <= 0 dBTP), but QA checks the file anyway.
    over = good_speech.copy()
    over[SR] = 1.2  # one float sample over full scale: not a clipped run
    report = analyze_file(write_wav(tmp_path / "over.wav", over, subtype="FLOAT"), MEDITATION)
    check = next(c for c in report.checks if c.name == "full-scale")
    assert not check.passed and check.measured == pytest.approx(20 * math.log10(1.2), abs=0.01)
    assert "clipping" not in names(report)


def test_band_energy_through_a_long_silence_equals_the_unflushed_filter(monkeypatch):
    # The band filter's state is flushed out of subnormals in silences; only unresolvable output goes.
    hop = 4410
    rng = np.random.default_rng(3)
    x = np.zeros((SR * 22, 1))
    x[:SR] = 0.1 * rng.standard_normal((SR, 1))
    x[-SR:] = 0.1 * rng.standard_normal((SR, 1))

    def band_energy() -> np.ndarray:
        stats = ChunkStats(SR, len(x), hop)
        for start in range(0, len(x), 20 * hop):
            stats(start, x[start : start + 20 * hop])
        return stats.result().band_energy

    flushed = band_energy()
    monkeypatch.setattr("mbcl_audio.qa.scan.flush_tiny_state", lambda state: state)
    reference = band_energy()
    assert reference.max() > 1.0
    kept = reference > 1e-290
    assert np.array_equal(flushed[kept], reference[kept])
    assert np.all(flushed[~kept] <= 1e-290)
    assert np.all(flushed[SR * 10 // hop : SR * 20 // hop] == 0.0)  # late in the silence: exact zeros
