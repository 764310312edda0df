"""Meters: EBU Tech 3341 / 3342 conformance cases and the QA measures.

Level convention of the EBU test signals: "-23 dBFS" is the peak amplitude of
a 1 kHz sine, 10**(-23/20), in *both* channels. A mono 1 kHz sine of
amplitude A reads 20*log10(A) - 3.01 LUFS (BS.1770: a 0 dBFS sine in one
channel is -3.01 LKFS); the identical second channel adds +3.01 dB, so the
stereo signal reads exactly 20*log10(A) LUFS. The expected values below rely
on that.
"""

import math

import numpy as np
import pytest
from signals import SR, faded_sine

from mbcl_audio.audio import ArraySource
from mbcl_audio.measure import Measurement, integrated_loudness, measure
from mbcl_audio.measure.meters import loudness_range

EBU_SR = 48_000


def stereo_sine_sequence(levels_dbfs, seconds, freq=1000.0, sr=EBU_SR) -> np.ndarray:
    """Phase-continuous stereo sine whose amplitude steps through ``levels_dbfs``."""
    counts = [int(round(s * sr)) for s in seconds]
    amp = np.concatenate([np.full(c, 10 ** (lv / 20)) for lv, c in zip(levels_dbfs, counts)])
    x = amp * np.sin(2 * np.pi * freq * np.arange(amp.size) / sr)
    return np.repeat(x[:, None], 2, axis=1).astype(np.float32)


EBU_3341 = {
    "case1": ([-23], [20], -23.0),
    "case2": ([-33], [20], -33.0),
    "case3": ([-36, -23, -36], [10, 60, 10], -23.0),
    "case4": ([-72, -36, -23, -36, -72], [10, 10, 60, 10, 10], -23.0),
    "case5": ([-26, -20, -26], [20, 20.1, 20], -23.0),
}


@pytest.mark.parametrize("case", sorted(EBU_3341))
def test_ebu_3341_integrated(case):
    levels, seconds, expected = EBU_3341[case]
    m = measure(ArraySource(stereo_sine_sequence(levels, seconds), EBU_SR))
    assert abs(m.integrated_lufs - expected) <= 0.1, m
    assert m.duration_s == pytest.approx(sum(seconds))


@pytest.mark.parametrize(
    "levels, expected",
    [([-20, -30], 10.0), ([-20, -15], 5.0)],
    ids=["3342-case1", "3342-case2"],
)
def test_ebu_3342_loudness_range(levels, expected):
    m = measure(ArraySource(stereo_sine_sequence(levels, [20, 20]), EBU_SR))
    assert abs(m.loudness_range_lu - expected) <= 1.0, m
    # The short-term maximum is the louder segment (3 s windows inside it).
    assert m.short_term_max_lufs == pytest.approx(max(levels), abs=0.1)


def test_steady_sine_has_no_range_and_equal_maxima():
    m = measure(ArraySource(stereo_sine_sequence([-23], [20]), EBU_SR))
    assert m.loudness_range_lu == pytest.approx(0.0, abs=0.05)
    assert m.momentary_max_lufs == pytest.approx(-23.0, abs=0.05)
    assert m.short_term_max_lufs == pytest.approx(-23.0, abs=0.05)


def test_loudness_range_gates():
    # Below -70 LUFS is dropped (absolute gate), more than 20 LU below the
    # mean is dropped (relative gate): only -20 and -30 remain.
    st = np.array([-80.0] * 50 + [-45.0] * 50 + [-20.0] * 100 + [-30.0] * 100)
    assert loudness_range(st) == pytest.approx(10.0)
    assert loudness_range(np.array([-75.0, -90.0])) == 0.0


def test_momentary_max_of_burst_in_silence():
    # 1 s stereo 1 kHz burst at amplitude 10**(-20/20) (-20 dBFS per channel,
    # so -20.0 LUFS exactly, see the module docstring) between 2 s silences.
    # It starts on a 100 ms boundary, so a full 400 ms window lies inside it.
    burst = stereo_sine_sequence([-20], [1.0], sr=SR)
    x = np.zeros((5 * SR, 2), np.float32)
    x[2 * SR : 3 * SR] = burst
    m = measure(ArraySource(x, SR))
    assert abs(m.momentary_max_lufs - (-20.0)) <= 0.3, m
    # The loudest 3 s window holds the whole 1 s burst: -20 - 10*log10(3).
    assert m.short_term_max_lufs == pytest.approx(-20.0 - 10 * math.log10(3), abs=0.3)
    # Integrated: the silent blocks fall below the absolute gate, but the six
    # 400 ms blocks that overlap the burst by 1/4, 2/4 or 3/4 pass the relative
    # gate. Seven full blocks plus those six: mean power 10/13 of the burst's.
    assert m.integrated_lufs == pytest.approx(-20.0 + 10 * math.log10(10 / 13), abs=0.05)


@pytest.mark.parametrize("phase_deg", [0.0, 45.0, 90.0])
def test_true_peak_997hz(phase_deg):
    # A 997 Hz sine of amplitude 10**(-1/20) (-1 dBFS peak) at a known starting
    # phase, with 50 ms raised-cosine fades: the continuous waveform peaks at
    # -1.0 dBTP; samples never exceed it. (Without the fades a sine that starts
    # at its crest is a step from the zeros before the track, and the
    # reconstructed step overshoots: the meter then rightly reads ~+0.08 dBTP.)
    x = faded_sine(997.0, 2.0, 10 ** (-1 / 20), phase=math.radians(phase_deg))
    m = measure(ArraySource(np.repeat(x[:, None], 2, axis=1), SR))
    assert abs(m.true_peak_dbtp - (-1.0)) <= 0.3, m
    assert m.sample_peak_dbfs <= m.true_peak_dbtp + 1e-6


def test_true_peak_between_samples():
    # fs/4 with a 45 degree phase: every sample is at 0.707 of the amplitude
    # (sample peak 3.01 dB below), while the true peak is the amplitude (0.5).
    n = np.arange(SR)
    x = 0.5 * np.sin(np.pi / 2 * n + np.pi / 4)
    m = measure(ArraySource(x, SR))
    assert m.sample_peak_dbfs == pytest.approx(20 * math.log10(0.5) - 3.01, abs=0.01)
    assert abs(m.true_peak_dbtp - 20 * math.log10(0.5)) <= 0.3


def test_rms_of_sine():
    # Unweighted RMS over all samples and channels: a sine of amplitude A reads
    # 20*log10(A) - 3.01 dB (a full-scale sine is -3.01 dB).
    m = measure(ArraySource(stereo_sine_sequence([-20], [5.0], sr=SR), SR))
    assert m.rms_db == pytest.approx(-20.0 - 10 * math.log10(2), abs=0.01)
    assert m.sample_peak_dbfs == pytest.approx(-20.0, abs=0.01)


def noise_and_tones(seed=0):
    """10 s: tones at -20 dBFS with three 1.5 s pauses of white noise at -60 dB RMS."""
    rng = np.random.default_rng(seed)
    x = stereo_sine_sequence([-20], [10.0], freq=440.0, sr=SR).astype(np.float64)
    pauses = [(0.0, 1.5), (4.0, 5.5), (8.5, 10.0)]
    for a, b in pauses:
        lo, hi = int(a * SR), int(b * SR)
        x[lo:hi] = 10 ** (-60 / 20) * rng.standard_normal((hi - lo, 2))
    return x.astype(np.float32), pauses


def test_noise_floor_in_given_pauses():
    x, pauses = noise_and_tones()
    m = measure(ArraySource(x, SR), pause_spans=pauses)
    assert m.noise_floor_db == pytest.approx(-60.0, abs=0.1)
    # Spans partly outside the track are clipped; the noise RMS is unchanged.
    m2 = measure(ArraySource(x, SR), pause_spans=[(-1.0, 1.5), (8.5, 12.0)])
    assert m2.noise_floor_db == pytest.approx(-60.0, abs=0.1)


def test_noise_floor_quietest_blocks_without_spans():
    # 4.5 s of 10 s are noise, so the quietest 10 % of 400 ms blocks are noise only.
    x, _ = noise_and_tones()
    m = measure(ArraySource(x, SR))
    assert m.noise_floor_db == pytest.approx(-60.0, abs=0.2)
    assert m.rms_db > -30.0


def test_integrated_matches_loudness_module(speech):
    src = ArraySource(speech, SR)
    assert measure(src).integrated_lufs == integrated_loudness(src)


@pytest.mark.parametrize("block", [4410 * 3, 12_345])
def test_streaming_is_block_size_independent(speech, block):
    src = ArraySource(speech, SR)
    spans = [(0.0, 0.5), (3.3, 6.1)]
    assert measure(src, spans, block_samples=block) == measure(src, spans)
    assert measure(src, block_samples=block) == measure(src)


def test_silence_and_empty():
    m = measure(ArraySource(np.zeros((SR, 2), np.float32), SR))
    assert m.integrated_lufs == -math.inf and m.true_peak_dbtp == -math.inf
    assert m.noise_floor_db == -math.inf and m.loudness_range_lu == 0.0
    assert m.short_term_max_lufs == -math.inf  # shorter than 3 s
    e = measure(ArraySource(np.zeros((0, 2), np.float32), SR))
    assert isinstance(e, Measurement) and e.duration_s == 0.0 and e.rms_db == -math.inf
