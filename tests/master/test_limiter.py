import numpy as np
import pytest
from signals import SR, faded_sine

from mbcl_audio.audio import ArraySource, Source
from mbcl_audio.master import TruePeakLimiter
from mbcl_audio.master.limiter import _valid_correlate, _valid_min, hann_weights
from mbcl_audio.measure import integrated_loudness, true_peak_dbtp


def test_is_a_source(speech):
    lim = TruePeakLimiter(ArraySource(speech, SR), gain_db=6.0, ceiling_dbtp=-1.0)
    assert isinstance(lim, Source)
    y = lim.read(-100, 50)
    assert y.dtype == np.float32 and y.shape == (150, 2)
    assert np.all(y[:100] == 0)


@pytest.mark.parametrize("gain_db", [0.0, 6.0, 12.0, 20.0])
def test_true_peak_below_ceiling(speech, gain_db):
    ceiling = -2.0
    lim = TruePeakLimiter(ArraySource(speech, SR), gain_db=gain_db, ceiling_dbtp=ceiling)
    y = lim.read(0, lim.n_samples)
    assert true_peak_dbtp(speech * 10 ** (gain_db / 20), SR) > ceiling  # it had work to do
    assert true_peak_dbtp(y, SR) <= ceiling
    assert lim.max_reduction_db > 0


def test_square_wave_and_clicks_below_ceiling():
    # Hard edges make the largest inter-sample overshoot of gain changes.
    t = np.arange(SR * 3)
    x = np.sign(np.sin(2 * np.pi * 441 * t / SR)) * 0.9
    x[SR : SR + 5] = [1, -1, 1, -1, 1]
    lim = TruePeakLimiter(ArraySource(np.stack([x, -x], 1), SR), gain_db=10.0, ceiling_dbtp=-1.0)
    assert true_peak_dbtp(lim.read(0, lim.n_samples), SR) <= -1.0


def test_untouched_below_ceiling_is_bit_exact_gain(speech):
    gain_db = -6.0
    lim = TruePeakLimiter(ArraySource(speech, SR), gain_db=gain_db, ceiling_dbtp=-1.0)
    expected = (speech.astype(np.float64) * 10 ** (gain_db / 20)).astype(np.float32)
    np.testing.assert_array_equal(lim.read(0, lim.n_samples), expected)
    assert lim.max_reduction_db == 0.0


def test_quiet_parts_untouched_loud_parts_limited():
    quiet = faded_sine(440.0, 2.0, 0.1)
    loud = faded_sine(440.0, 2.0, 1.0)
    x = np.concatenate([quiet, np.zeros(SR), loud])[:, None]
    lim = TruePeakLimiter(ArraySource(x, SR), ceiling_dbtp=-6.0)
    y = lim.read(0, lim.n_samples)
    np.testing.assert_array_equal(y[: 2 * SR], x[: 2 * SR].astype(np.float32))
    assert true_peak_dbtp(y, SR) <= -6.0
    assert true_peak_dbtp(y[3 * SR :], SR) > -6.2  # limited to the ceiling, not far below


@pytest.mark.parametrize("block", [1, 997, 4410, 65_537])
def test_block_size_independent(speech, block):
    lim = TruePeakLimiter(ArraySource(speech[: SR * 8], SR), gain_db=14.0, ceiling_dbtp=-1.0)
    whole = lim.read(0, lim.n_samples)
    if block == 1:  # one sample at a time, but only around a limited stretch
        lo = int(np.argmax(np.abs(whole[:, 0])))
        parts = [lim.read(i, i + 1) for i in range(lo - 300, lo + 300)]
        np.testing.assert_array_equal(np.concatenate(parts), whole[lo - 300 : lo + 300])
        return
    parts = [lim.read(s, min(s + block, lim.n_samples)) for s in range(0, lim.n_samples, block)]
    np.testing.assert_array_equal(np.concatenate(parts), whole)


def test_gain_at_a_peak_is_at_most_the_required_gain():
    rng = np.random.default_rng(7)
    g_req = np.minimum(1.0, rng.uniform(0.2, 3.0, 5000))
    k = 37
    a = _valid_min(g_req, k)
    s = 1.0 - _valid_correlate(1.0 - a, hann_weights(k))
    # s[j] averages a[j .. j + k - 1]; every one of those min windows
    # contains g_req[j + k - 1], so s[j] may not exceed it.
    assert np.all(s <= g_req[np.arange(len(s)) + k - 1] + 1e-12)


def test_loudness_drop_is_small_for_light_limiting(speech):
    src = ArraySource(speech, SR)
    before = integrated_loudness(src)
    lim = TruePeakLimiter(src, gain_db=3.0, ceiling_dbtp=-1.0)
    # Only the clicks and crests are touched: loudness follows the gain closely.
    assert integrated_loudness(lim) == pytest.approx(before + 3.0, abs=0.5)
