"""The generated bed loops without a seam and ducks at least 10 dB under speech."""

import numpy as np
import pyloudnorm

from mbcl_audio.render.bed import LOOP_LUFS, BedLayer, bed_loop, duck_amount, merge_spans

SR = 44_100


def rms_db(x):
    return 20 * np.log10(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2)))


def test_loop_is_deterministic_normalized_and_seamless():
    a = bed_loop("warm-pad", SR)
    b = bed_loop("warm-pad", SR)
    np.testing.assert_array_equal(a, b)
    assert a.shape[1] == 2
    assert abs(pyloudnorm.Meter(SR).integrated_loudness(a) - LOOP_LUFS) < 0.05
    # At the seam, the jump from last to first sample is no larger than ordinary sample steps.
    steps = np.abs(np.diff(a, axis=0))
    seam = np.abs(a[0] - a[-1])
    assert np.all(seam <= np.percentile(steps, 99.9, axis=0))
    # Level just before and after the seam matches (no dip).
    assert abs(rms_db(a[-SR // 10 :]) - rms_db(a[: SR // 10])) < 1.5


def test_bed_level_under_speech_is_at_least_10_db_below_pauses():
    n = 90 * SR
    speech = [(10 * SR, 20 * SR), (40 * SR, 55 * SR)]
    bed = BedLayer(bed_loop("warm-pad", SR), n, SR, speech, duck_db=12.0)
    x = np.concatenate([bed.read(s, min(s + 100_003, n)) for s in range(0, n, 100_003)])
    under = np.concatenate([x[a:b] for a, b in speech])
    pauses = np.concatenate([x[25 * SR : 38 * SR], x[60 * SR : 80 * SR]])
    assert rms_db(pauses) - rms_db(under) >= 10.0
    # Ducking is gradual: the gain moves over the attack, no jump at speech onset.
    gain = bed.gain_curve(9 * SR, 11 * SR)
    assert np.max(np.abs(np.diff(20 * np.log10(gain)))) < 0.01  # dB per sample
    # Fade in from silence and out to silence.
    assert np.all(x[0] == 0) and np.max(np.abs(x[-1])) < 1e-6


def test_short_gaps_between_sentences_do_not_reopen_the_bed():
    spans = merge_spans([(0, 100), (150, 300), (1000, 1200)], min_gap=200)
    assert spans == [(0, 300), (1000, 1200)]
    amount = duck_amount(0, 1500, spans, attack=50, release=100)
    assert np.all(amount[0:300] == 1.0)
    assert amount[500] == 0.0 and amount[950] == 0.0 and amount[975] > 0.0
