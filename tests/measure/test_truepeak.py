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
