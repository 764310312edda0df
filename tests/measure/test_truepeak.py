import math

import numpy as np
import pytest
from signals import SR, faded_sine

from mbcl_audio.audio import ArraySource
from mbcl_audio.measure import oversampled_peak_envelope, sample_peak_dbfs, true_peak_dbtp, true_peak_source


def test_fs_over_4_sine_at_45_degrees():
    # Every sample sits at 0.707 of the amplitude; the 4x grid hits the crest.
    x = faded_sine(SR / 4, 2.0, 0.5, phase=np.pi / 4)
    analytic = 20 * math.log10(0.5)
    assert sample_peak_dbfs(x) == pytest.approx(analytic - 3.01, abs=0.02)
    assert true_peak_dbtp(x, SR) == pytest.approx(analytic, abs=0.3)
    assert true_peak_dbtp(x, SR) > sample_peak_dbfs(x) + 2.9


@pytest.mark.parametrize("freq", [997.0, 5000.0, 11_025.0, 12_000.0])
@pytest.mark.parametrize("phase", [0.0, 0.3, np.pi / 4, 1.1])
def test_sines_within_0p3_db(freq, phase):
    x = faded_sine(freq, 1.0, 0.7, phase=phase)
    tp = true_peak_dbtp(np.stack([x, 0.5 * x], 1), SR)
    assert tp == pytest.approx(20 * math.log10(0.7), abs=0.3)
    assert tp >= sample_peak_dbfs(x) - 1e-5  # float32 envelope


@pytest.mark.parametrize("phase", np.linspace(0, np.pi, 9))
def test_near_nyquist_bounded_by_the_4x_grid(phase):
    # At 0.4 fs a crest can fall 1/8 sample from the nearest 4x point:
    # a 4x meter may read up to 20*log10(cos(2*pi*0.4/8)) = -0.43 dB low, never high.
    x = faded_sine(0.4 * SR, 1.0, 0.7, phase=phase)
    tp = true_peak_dbtp(x, SR)
    analytic = 20 * math.log10(0.7)
    assert analytic - 0.45 <= tp <= analytic + 0.05


def test_envelope_shape_and_channels():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1000, 3)).astype(np.float32)
    env = oversampled_peak_envelope(x)
    assert env.shape == (1000,)
    assert np.all(env >= np.abs(x).max(axis=1))
    # Max over channels: never below any single channel.
    assert np.all(env >= oversampled_peak_envelope(x[:, :1]))


def test_streaming_equals_whole_array():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((50_000, 2)).astype(np.float32)
    for block in (777, 4096, 10**6):
        assert true_peak_source(ArraySource(x, SR), block_samples=block) == true_peak_dbtp(x, SR)


def test_silence():
    assert true_peak_dbtp(np.zeros((100, 2)), SR) == -math.inf
    assert sample_peak_dbfs(np.zeros(10)) == -math.inf


def _bursts(n: int, seed: int) -> np.ndarray:
    """Quiet noise with loud bursts: like a voice over a bed, loud only now and then."""
    rng = np.random.default_rng(seed)
    x = (0.02 * rng.standard_normal((n, 2))).astype(np.float32)
    for _ in range(30):
        at = int(rng.integers(0, n - 3000))
        x[at : at + int(rng.integers(5, 3000))] *= np.float32(rng.uniform(5, 60))
    return x


@pytest.mark.parametrize("floor", [0.05, 0.4, 1.0, "max"])
def test_an_envelope_with_a_floor_is_exact_wherever_it_reaches_the_floor(floor):
    x = _bursts(200_000, seed=3)
    full = oversampled_peak_envelope(x)
    floor = float(full.max()) if floor == "max" else floor
    pruned = oversampled_peak_envelope(x, floor)
    reached = full >= floor
    assert reached.any()
    assert np.array_equal(pruned[reached], full[reached])  # bit for bit
    assert np.all(pruned[~reached] < floor) and np.all(pruned <= full)
    if floor >= 0.4:  # the skipping is real: somewhere the sample stands in for the interpolated value
        assert np.any(pruned < full)


def test_an_envelope_with_a_floor_keeps_the_edges_exact():
    # Loud samples at both ends: the stretches run into the zeros outside the array.
    x = np.zeros((64, 1), np.float32)
    x[:2], x[-2:], x[30] = 1.0, -1.0, 0.5  # two equal samples: the wave crests between them
    full = oversampled_peak_envelope(x)
    pruned = oversampled_peak_envelope(x, 0.9)
    assert np.array_equal(pruned[full >= 0.9], full[full >= 0.9])
    assert full.max() > 1.0 and pruned.max() == full.max()


def test_a_true_peak_with_the_sample_peak_as_floor_is_the_true_peak():
    x = _bursts(300_000, seed=4)
    whole = true_peak_dbtp(x, SR)
    sample_peak = float(np.abs(x).max())
    for block in (4096, 65_536):
        assert true_peak_source(ArraySource(x, SR), block_samples=block, floor=sample_peak) == whole
    # A floor above every block but one still finds that block's peak exactly.
    assert true_peak_source(ArraySource(x, SR), block_samples=4096, floor=10 ** (whole / 20) * 0.999) == whole
