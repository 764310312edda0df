"""User beds: any of WAV/FLAC/OGG/MP3, made stereo, resampled and crossfaded into a seamless loop."""

import os

import numpy as np
import pytest
from audio_checks import reference_lufs
import soundfile as sf
from bed_measure import seam_report, window_db
from signals import SR

from mbcl_audio.errors import MbclError
from mbcl_audio.render.bed import LOOP_LUFS, BedError, bed_loop, crossfade_loop, to_stereo, user_loop


def chord_file(duration_s: float, sample_rate: int, channels: int, ramp: bool = True) -> np.ndarray:
    """A chord on non-integer cycle counts, a little noise and (``ramp``) a 10 dB crescendo: not periodic."""
    n = int(duration_s * sample_rate)
    t = np.arange(n) / sample_rate
    rng = np.random.default_rng(7)
    chord = 0.12 * np.sin(2 * np.pi * 196.37 * t + 0.3) + 0.08 * np.sin(2 * np.pi * 293.9 * t + 1.1)
    chord += 0.05 * np.sin(2 * np.pi * 440.45 * t + 2.0)
    x = chord + 0.003 * rng.standard_normal(n)
    if ramp:
        x *= 10 ** (np.linspace(-10, 0, n) / 20)
    if channels == 1:
        return x.astype(np.float32)
    return np.stack([x, np.roll(x, 37) * 0.9], axis=1).astype(np.float32)


# (file name, soundfile format, file rate, channels)
FILES = [
    ("chord.wav", "WAV", 48_000, 2),
    ("chord.flac", "FLAC", 22_050, 1),
    ("chord.ogg", "OGG", 48_000, 2),
    ("chord.mp3", "MP3", 44_100, 2),
]


@pytest.fixture
def music(tmp_path):
    for name, fmt, rate, channels in FILES:
        sf.write(tmp_path / name, chord_file(12.0, rate, channels), rate, format=fmt)
    return tmp_path


@pytest.mark.parametrize("name,fmt,rate,channels", FILES)
def test_user_bed_is_a_seamless_stereo_loop_at_loop_loudness(music, name, fmt, rate, channels):
    stem = name.rsplit(".", 1)[0] if fmt == "WAV" else name  # bare name finds .wav first; others by file name
    loop = bed_loop(stem, SR, music_dir=music)
    assert loop.dtype == np.float32 and loop.ndim == 2 and loop.shape[1] == 2
    # 12 s file less the 3 s crossfade, less at most 0.25 s of phase alignment.
    assert 8.7 * SR <= loop.shape[0] <= 9.0 * SR + 1
    assert abs(reference_lufs(loop, SR) - LOOP_LUFS) < 0.05
    report = seam_report(loop, SR)
    assert report["jump_ok"] and report["level_ok"], report


@pytest.mark.parametrize("name,fmt,rate,channels", FILES)
def test_the_same_file_looped_raw_would_click_and_jump_in_level(music, name, fmt, rate, channels):
    """The contrast: without the crossfade, the same check fails on the same file."""
    raw, raw_rate = sf.read(music / name, dtype="float32", always_2d=True)
    report = seam_report(to_stereo(raw), raw_rate)
    assert not report["jump_ok"], report
    assert not report["level_ok"], report
    assert report["level_step_db"] > 8.0  # the 10 dB crescendo, undone at the wrap


def test_crossfade_has_no_level_dip_on_steady_tones_or_noise():
    rng = np.random.default_rng(3)
    cases = {
        "chord": chord_file(12.0, SR, 2, ramp=False),  # sustained tones: correlated tail and head
        "noise": (0.05 * rng.standard_normal((12 * SR, 2))).astype(np.float32),  # unrelated tail and head
    }
    for label, audio in cases.items():
        loop = crossfade_loop(audio, SR, 3.0)
        levels = window_db(loop, SR // 10)
        fade = levels[:30]  # the 3 s crossfade
        rest = levels[30:]
        assert abs(np.median(fade) - np.median(rest)) < 0.5, label
        assert fade.min() > rest.min() - 1.0 and fade.max() < rest.max() + 1.0, label


def test_crossfade_is_clamped_to_a_third_of_the_file():
    audio = chord_file(7.0, SR, 2, ramp=False)
    loop = crossfade_loop(audio, SR, 3.0)
    third = audio.shape[0] // 3
    assert audio.shape[0] - third - third // 2 <= loop.shape[0] <= audio.shape[0] - third


def test_mono_and_multichannel_become_stereo():
    mono = np.arange(4, dtype=np.float32)
    np.testing.assert_array_equal(to_stereo(mono), np.stack([mono, mono], 1))
    five = np.ones((3, 5), dtype=np.float32)
    np.testing.assert_allclose(to_stereo(five), 1 + 3 * np.sqrt(0.5), rtol=1e-6)


def test_name_as_path_and_with_extension(music, tmp_path_factory):
    other = tmp_path_factory.mktemp("elsewhere")
    a = bed_loop(str(music / "chord.flac"), SR, music_dir=other)
    b = bed_loop("chord.flac", SR, music_dir=music)
    np.testing.assert_array_equal(a, b)


def test_user_beds_are_cached_until_the_file_changes(music):
    path = music / "chord.wav"
    a = user_loop(path, SR)
    a[:] = 0  # a copy: the cache is untouched
    b = user_loop(path, SR)
    assert np.any(b)
    sf.write(path, chord_file(14.0, 48_000, 2), 48_000)
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    c = user_loop(path, SR)
    assert c.shape[0] > b.shape[0]


def test_unknown_name_lists_the_choices(music):
    with pytest.raises(BedError) as err:
        bed_loop("forest", SR, music_dir=music)
    message = str(err.value)
    for option in ("warm-pad", "ocean", "rain", "chord.wav", "chord.flac", "chord.ogg", "chord.mp3"):
        assert option in message
    assert isinstance(err.value, MbclError)
    with pytest.raises(BedError, match="no folder"):
        bed_loop("forest", SR, music_dir=music / "missing")


def test_corrupt_file_is_named(tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF not really a wave file" * 10)
    with pytest.raises(BedError, match="broken.wav.*cannot read it as audio"):
        bed_loop("broken", SR, music_dir=tmp_path)


def test_silent_file_is_refused(tmp_path):
    sf.write(tmp_path / "quiet.flac", np.zeros((10 * SR, 2), dtype=np.float32), SR)
    with pytest.raises(BedError, match="quiet.flac.*silent"):
        bed_loop("quiet", SR, music_dir=tmp_path)


def test_too_short_file_is_refused(tmp_path):
    sf.write(tmp_path / "blip.wav", chord_file(4.0, SR, 2), SR)
    with pytest.raises(BedError, match=r"blip.wav: 4.0 s is too short.*at least 6 s"):
        bed_loop("blip", SR, music_dir=tmp_path)
    # With a shorter crossfade the same file is long enough.
    assert bed_loop("blip", SR, music_dir=tmp_path, crossfade_s=1.5).shape[1] == 2


def test_crossfade_of_a_crescendo_moves_between_its_ends_without_a_dip(music):
    """Folding the loud end into the quiet start: inside the crossfade the level glides from one to
    the other and never drops below the quietest part of the loop."""
    loop = bed_loop("chord", SR, music_dir=music)
    levels = window_db(loop, SR // 10)
    fade, rest = levels[:30], levels[30:]
    assert fade.min() >= rest.min() - 0.5
    assert fade.max() <= rest.max() + 0.5
    assert fade[0] > fade[-1] + 3  # starts at the loud tail, ends at the quiet head
