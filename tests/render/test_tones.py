"""Pacing-tone families: seamless cycles of any length, and in-breath audibly unlike out-breath."""

import numpy as np
import pytest
from audio_checks import reference_lufs
import scipy.signal
from signals import SR

from mbcl_audio.errors import MbclError
from mbcl_audio.render import tones
from mbcl_audio.render.tones import TONE_FAMILIES, ToneError, breath_cycle, tone_loudness_lufs

#: (cycle, in-breath) pairs: 6/min 5:5, 6/min 4:6, 8/min 1:1, and a short steps-grid cycle.
CYCLES = [(441_000, 220_500), (441_000, 176_400), (330_750, 165_375), (26_460, 13_230)]


def centroid_hz(x: np.ndarray) -> float:
    """Power-weighted spectral centroid (Hz) of a segment (Hann window)."""
    x = np.asarray(x, dtype=np.float64)
    power = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
    freqs = np.fft.rfftfreq(len(x), 1.0 / SR)
    return float((freqs * power).sum() / power.sum())


@pytest.mark.parametrize("family", TONE_FAMILIES)
@pytest.mark.parametrize("cycle,n_in", CYCLES)
def test_table_shape_peak_and_silent_ends(family, cycle, n_in):
    x = breath_cycle(family, cycle, n_in, SR)
    assert x.shape == (cycle,) and x.dtype == np.float32
    assert np.abs(x).max() == 1.0
    assert x[0] == 0.0
    assert abs(x[-1]) <= 1e-3
    # The last and first 5 ms are near silence: the join between cycles is a quiet point.
    five_ms = int(0.005 * SR)
    assert np.abs(x[-five_ms:]).max() < 2e-3 and np.abs(x[:five_ms]).max() < 2e-3
    # ... approached smoothly: over the last 48 ms the level falls frame after 6 ms frame
    # (a frame is longer than one period of the lowest pitch, 196 Hz).
    tail = np.abs(x[-8 * 264 :].astype(np.float64)).reshape(8, 264).max(axis=1)
    assert np.all(np.diff(tail) <= 1e-4)


@pytest.mark.parametrize("family", TONE_FAMILIES)
def test_tables_are_deterministic_and_returned_as_copies(family):
    a = breath_cycle(family, 330_750, 132_300, SR)
    tones._table.cache_clear()
    b = breath_cycle(family, 330_750, 132_300, SR)
    np.testing.assert_array_equal(a, b)
    a[:] = 0.5  # callers may scale in place without touching the cache
    np.testing.assert_array_equal(breath_cycle(family, 330_750, 132_300, SR), b)


@pytest.mark.parametrize("family", TONE_FAMILIES)
def test_cycles_of_different_lengths_join_without_a_jump(family):
    # A ramp: cycle lengths change at every join, with different in:out splits.
    parts = [breath_cycle(family, c, i, SR) for c, i in CYCLES + [(352_800, 141_120), (26_460, 10_584)]]
    joined = np.concatenate(parts)
    normal = max(np.percentile(np.abs(np.diff(p)), 99.9) for p in parts)
    joins = np.cumsum([len(p) for p in parts])[:-1]
    jumps = np.abs(joined[joins] - joined[joins - 1])
    assert jumps.max() < 1e-3 * normal
    # Within 2 ms either side of every join, the signal stays far below its peak.
    around = np.concatenate([joined[j - 88 : j + 88] for j in joins])
    assert np.abs(around).max() < 2e-3


@pytest.mark.parametrize("family", TONE_FAMILIES)
@pytest.mark.parametrize("cycle,n_in", CYCLES)
def test_in_breath_brightens_and_out_breath_darkens(family, cycle, n_in):
    """The direction of movement tells in from out: centroid rises through the in-breath, falls through the out."""
    x = breath_cycle(family, cycle, n_in, SR)
    half_in, half_out = n_in // 2, (cycle - n_in) // 2
    rise = centroid_hz(x[half_in:n_in]) / centroid_hz(x[:half_in])
    fall = centroid_hz(x[n_in : n_in + half_out]) / centroid_hz(x[n_in + half_out :])
    # Measured: glide 1.28 / 1.28, ocean >= 2.8 / 3.2, bowl >= 1.2 / 1.16.
    assert rise > 1.1 and fall > 1.1, (rise, fall)


@pytest.mark.parametrize("family", ["ocean", "bowl"])
@pytest.mark.parametrize("cycle,n_in", CYCLES)
def test_in_and_out_breath_differ_in_brightness(family, cycle, n_in):
    x = breath_cycle(family, cycle, n_in, SR)
    c_in, c_out = centroid_hz(x[:n_in]), centroid_hz(x[n_in:])
    # Measured: ocean ~835 vs ~405 Hz (2.0x), bowl ~360 vs ~210 Hz (1.7x).
    assert c_in > 1.15 * c_out, (c_in, c_out)


def test_glide_rises_from_g3_to_d4_and_falls_back():
    cycle, n_in = 441_000, 176_400  # 4:6
    x = breath_cycle("glide", cycle, n_in, SR).astype(np.float64)

    def pitch_hz(a, b):
        seg = x[a:b]
        ups = np.flatnonzero((seg[:-1] < 0) & (seg[1:] >= 0))
        return (len(ups) - 1) / ((ups[-1] - ups[0]) / SR)

    early_in = pitch_hz(int(0.3 * SR), int(0.8 * SR))
    top = pitch_hz(n_in - int(0.4 * SR), n_in + int(0.4 * SR))
    late_out = pitch_hz(cycle - int(1.0 * SR), cycle - int(0.3 * SR))
    assert 280 < top < 300
    assert early_in < 215 and late_out < 215
    # The in-breath is shorter here, so the swell climbs faster than the fade falls.
    env = np.abs(x).reshape(-1, 441).max(axis=1)  # 10 ms frames
    in_frames = n_in // 441
    assert np.argmax(env) in range(in_frames - 5, in_frames + 5)
    # Whole number of carrier turns per cycle: repeating the table is one continuous wave.
    two = np.tile(x, 2)
    assert abs(two[cycle] - two[cycle - 1]) < 1e-9


def test_bowl_has_no_hard_transient():
    """The out-breath resonance starts softly: nothing above the bowl's partials (< 1.5 kHz) but a whisper.

    A sudden onset spreads energy far above the partials; the content above
    2.5 kHz is the click detector. Measured -91..-95 dB re peak; a 1 ms onset
    would give -62 dB, 5 ms about -88 dB.
    """
    highpass = scipy.signal.butter(8, 2500, "highpass", fs=SR, output="sos")
    for cycle, n_in in CYCLES:
        x = breath_cycle("bowl", cycle, n_in, SR).astype(np.float64)
        hf = scipy.signal.sosfiltfilt(highpass, x)
        assert 20 * np.log10(np.abs(hf).max()) < -80
    # Partials near 1, 2.71, 5.1 x D4 at the top of the in-breath and x G3 in the out-breath.
    x = breath_cycle("bowl", 441_000, 220_500, SR).astype(np.float64)
    for seg, pitch in ((x[170_000:220_500], tones.BOWL_IN_HZ), (x[225_000:300_000], tones.BOWL_OUT_HZ)):
        spec = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
        freqs = np.fft.rfftfreq(len(seg), 1.0 / SR)
        for ratio in tones.BOWL_RATIOS:
            band = (freqs > 0.97 * pitch * ratio) & (freqs < 1.03 * pitch * ratio)
            peak = freqs[band][np.argmax(spec[band])]
            assert abs(peak / (pitch * ratio) - 1) < 0.01


def test_families_sound_different():
    cycle, n_in = 441_000, 220_500
    tables = {f: breath_cycle(f, cycle, n_in, SR).astype(np.float64) for f in TONE_FAMILIES}
    # Overlap of the normalised power spectra (Bhattacharyya coefficient): 1.0 for the same
    # spectrum, 0 for disjoint ones. Measured: glide/ocean 0.20, bowl/glide 0.28, bowl/ocean 0.05.
    amp = {}
    for f, t in tables.items():
        power = np.abs(np.fft.rfft(t)) ** 2
        amp[f] = np.sqrt(power / power.sum())
    for a in TONE_FAMILIES:
        for b in TONE_FAMILIES:
            if a < b:
                overlap = float(np.dot(amp[a], amp[b]))
                assert overlap < 0.5, (a, b, overlap)
    # Centroids: glide ~304 Hz, bowl ~365 Hz, ocean ~1140 Hz.
    cents = sorted(centroid_hz(t) for t in tables.values())
    assert all(hi > 1.15 * lo for lo, hi in zip(cents, cents[1:])), cents


def test_ocean_noise_differs_between_cycles_but_is_fixed_per_cycle():
    a = breath_cycle("ocean", 441_000, 220_500, SR)
    b = breath_cycle("ocean", 441_000, 176_400, SR)
    assert not np.array_equal(a[:1000], b[:1000])
    assert tones._seed("ocean", 441_000, 220_500) == 1_000_003 * 2 + 441_000 * 7_919 + 220_500 * 104_729


def test_a_ten_second_cycle_renders_from_a_cold_cache():
    """The cycle bench_dsp.py times (its speed is measured there, not here): whole and finite."""
    for family in TONE_FAMILIES:
        tones._table.cache_clear()
        x = breath_cycle(family, 441_000, 176_400, SR)
        assert x.shape == (441_000,) and np.all(np.isfinite(x))


@pytest.mark.parametrize("family", TONE_FAMILIES)
@pytest.mark.parametrize("cycle,n_in", [(441_000, 176_400), (26_460, 13_230)])
def test_tone_loudness_matches_pyloudnorm(family, cycle, n_in):
    lufs = tone_loudness_lufs(family, cycle, n_in, SR)
    assert np.isfinite(lufs) and -30 < lufs < 0
    two_cycles = np.tile(breath_cycle(family, cycle, n_in, SR), 2).astype(np.float64)
    reference = reference_lufs(two_cycles, SR)
    assert abs(lufs - reference) < 0.05


def test_ocean_loudness_is_steady_across_a_ramp():
    """Peak-normalised noise would differ by over 3 LU between cycle lengths; the soft knee keeps it close."""
    levels = [tone_loudness_lufs("ocean", c, c // 2, SR) for c in range(330_750, 441_001, 22_050)]
    assert np.ptp(levels) < 1.0


@pytest.mark.parametrize(
    "args", [("chime", 441_000, 220_500, SR), ("glide", 441_000, 0, SR), ("glide", 441_000, 441_000, SR)]
)
def test_bad_requests_raise_tone_error(args):
    with pytest.raises(ToneError) as err:
        breath_cycle(*args)
    assert isinstance(err.value, ValueError) and isinstance(err.value, MbclError)
    if args[0] == "chime":
        assert all(f in str(err.value) for f in TONE_FAMILIES)
