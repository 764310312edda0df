"""MP3 encoding: exact length (gapless header), fidelity, bitrate, CBR, with either encoder."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest
import soundfile as sf
from mutagen.mp3 import MP3, BitrateMode
from signals import SR

from mbcl_audio.audio import ArraySource
from mbcl_audio.export import COMPRESSION_LEVELS, encode_mp3
from mbcl_audio.errors import MbclError
from mbcl_audio.export.mp3 import first_frame_format, mp3_encoder

SECONDS = 20  # matches conftest.SECONDS


@pytest.fixture(scope="module", params=["ffmpeg", "libsndfile"], autouse=True)
def encoder(request):
    """Every test of this module runs with each encoder (ffmpeg's when it is installed)."""
    if request.param == "ffmpeg" and shutil.which("ffmpeg") is None:
        pytest.skip("ffmpeg is not installed")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MBCL_AUDIO_MP3_ENCODER", request.param)
        yield request.param


def test_the_encoder_is_chosen_by_name_environment_or_what_is_installed(encoder, monkeypatch):
    assert mp3_encoder() == encoder
    assert mp3_encoder("libsndfile") == "libsndfile"
    monkeypatch.delenv("MBCL_AUDIO_MP3_ENCODER")
    assert mp3_encoder() == ("ffmpeg" if shutil.which("ffmpeg") else "libsndfile")
    with pytest.raises(MbclError, match="unknown MP3 encoder 'lame': choose ffmpeg or libsndfile"):
        mp3_encoder("lame")
    monkeypatch.setenv("PATH", "")
    assert mp3_encoder() == "libsndfile"  # the pip-only install
    with pytest.raises(MbclError, match="needs the program ffmpeg with libmp3lame"):
        mp3_encoder("ffmpeg")


def aligned_correlation(ref: np.ndarray, out: np.ndarray, max_lag: int = 2048) -> tuple[float, int]:
    """Best Pearson correlation of ``out`` against ``ref`` over lags in ±max_lag samples."""
    ref, out = ref.ravel() if ref.ndim == 1 else ref[:, 0], out.ravel() if out.ndim == 1 else out[:, 0]
    best = (-1.0, 0)
    core = slice(max_lag, len(ref) - max_lag)
    for lag in range(-max_lag, max_lag + 1):
        a = ref[core]
        b = out[core.start + lag : core.stop + lag]
        c = float(np.corrcoef(a, b)[0, 1])
        if c > best[0]:
            best = (c, lag)
    return best


@pytest.fixture(scope="module")
def encoded(tmp_path_factory, signal, encoder):
    path = tmp_path_factory.mktemp("mp3") / "t.mp3"
    encode_mp3(ArraySource(signal, SR), path, 192)
    return path


def test_decodes_to_exact_length_and_matches(encoded, signal):
    decoded, sr = sf.read(encoded, dtype="float32")
    assert sr == SR
    assert decoded.shape == signal.shape  # gapless header honoured: no delay/padding
    for ch in range(2):
        corr, lag = aligned_correlation(signal[:, ch], decoded[:, ch], max_lag=64)
        assert lag == 0, "decoder should remove the encoder delay exactly"
        assert corr > 0.99
    # SNR of the whole file, no alignment needed since lag is 0.
    noise = decoded - signal
    snr_db = 10 * np.log10(np.sum(signal**2) / np.sum(noise**2))
    assert snr_db > 20


def test_constant_bitrate_192(encoded):
    info = MP3(encoded).info
    assert info.bitrate == 192_000
    assert info.bitrate_mode == BitrateMode.CBR
    assert info.sample_rate == SR and info.channels == 2
    assert first_frame_format(encoded) == (192, SR)
    measured_kbps = os.path.getsize(encoded) * 8 / SECONDS / 1000
    assert measured_kbps == pytest.approx(192, rel=0.03)


@pytest.mark.parametrize("rate", [32_000, 44_100, 48_000])
@pytest.mark.parametrize("kbps", sorted(COMPRESSION_LEVELS))
@pytest.mark.parametrize("channels", [1, 2])
def test_bitrate_table(tmp_path, kbps, rate, channels):
    """Every table entry gives that CBR bitrate and an exact-length decode."""
    n = rate * 2 + 123
    x = 0.2 * np.random.default_rng(kbps).standard_normal((n, channels))
    path = encode_mp3(ArraySource(x, rate), tmp_path / "t.mp3", kbps)
    assert first_frame_format(path) == (kbps, rate)
    assert MP3(path).info.bitrate_mode == BitrateMode.CBR
    assert sf.info(path).frames == n


def test_block_size_does_not_change_the_bytes(tmp_path, signal):
    a = encode_mp3(ArraySource(signal, SR), tmp_path / "a.mp3", 192, block_samples=441_000)
    b = encode_mp3(ArraySource(signal, SR), tmp_path / "b.mp3", 192, block_samples=4_321)
    assert a.read_bytes() == b.read_bytes()


def test_clips_overs_instead_of_wrapping(tmp_path):
    n = SR
    t = np.arange(n) / SR
    x = (3.0 * np.sin(2 * np.pi * 100 * t))[:, None]  # +9.5 dB over full scale
    path = encode_mp3(ArraySource(x, SR), tmp_path / "loud.mp3")
    y, _ = sf.read(path, dtype="float32", always_2d=True)
    ref = np.clip(x, -1, 1)
    assert np.corrcoef(ref[:, 0], y[:, 0])[0, 1] > 0.99  # a clipped sine, not garbage
    assert np.max(np.abs(y)) < 1.2


def test_source_array_not_modified(tmp_path):
    x = np.full((SR, 1), 2.0, dtype=np.float32)

    class ViewSource(ArraySource):
        def read(self, start, stop):
            return self.samples[start:stop]  # a view, as a lazy source might hand out

    encode_mp3(ViewSource(x, SR), tmp_path / "v.mp3")
    assert np.all(x == 2.0)


@pytest.mark.parametrize("kbps", [0, 150, 32, 56, 500, "192"])
def test_rejects_unsupported_bitrates(tmp_path, kbps):
    with pytest.raises(ValueError, match="bitrate"):
        encode_mp3(ArraySource(np.zeros((100, 2)), SR), tmp_path / "x.mp3", kbps)


def test_rejects_bad_sources(tmp_path):
    with pytest.raises(ValueError, match="sample rate"):
        encode_mp3(ArraySource(np.zeros((100, 2)), 22_050), tmp_path / "x.mp3")
    with pytest.raises(ValueError, match="channels"):
        encode_mp3(ArraySource(np.zeros((100, 3)), SR), tmp_path / "x.mp3")
    with pytest.raises(ValueError, match="empty"):
        encode_mp3(ArraySource(np.zeros((0, 2)), SR), tmp_path / "x.mp3")
    x = np.zeros((100, 2))
    x[50, 1] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        encode_mp3(ArraySource(x, SR), tmp_path / "x.mp3")


def test_decoded_level_matches_written_level_at_every_bitrate(tmp_path):
    """libsndfile/LAME attenuate the signal (0.27 dB at 192k); encode_mp3 makes it up."""
    from mbcl_audio.audio import ArraySource
    from mbcl_audio.export.mp3 import COMPRESSION_LEVELS, encode_mp3

    sr = 44_100
    t = np.arange(6 * sr) / sr
    x = (0.2 * np.sin(2 * np.pi * 440 * t) + 0.05 * np.sin(2 * np.pi * 3100 * t)).astype(np.float32)
    x = np.stack([x, x], axis=1)
    for kbps in (320, 192, 128):
        assert kbps in COMPRESSION_LEVELS
        path = encode_mp3(ArraySource(x, sr), tmp_path / f"{kbps}.mp3", kbps)
        y, _ = sf.read(path, dtype="float64", always_2d=True)
        mid = slice(sr, 5 * sr)
        ratio_db = 10 * np.log10(np.mean(y[mid] ** 2) / np.mean(x[mid].astype(np.float64) ** 2))
        assert abs(ratio_db) < 0.02, (kbps, ratio_db)


@pytest.mark.parametrize("n", [1_102_500, 1_152_001, 1, 1_153])
def test_lengths_where_ffmpegs_own_padding_is_off_still_decode_exactly(tmp_path, n):
    """ffmpeg's muxer writes 11 and 46 samples too little end padding for the first two lengths;
    the LAME tag is corrected (and its CRC with it), so every decoder that honours it trims exactly."""
    x = (0.1 * np.random.default_rng(n).standard_normal((n, 2))).astype(np.float32)
    path = encode_mp3(ArraySource(x, SR), tmp_path / "n.mp3", 192)
    assert sf.info(str(path)).frames == n
    frame = path.read_bytes()[:192]
    crc = 0
    for byte in frame[:190]:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    assert crc == int.from_bytes(frame[190:192], "big")  # the LAME tag's own CRC-16 still holds
