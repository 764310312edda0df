import numpy as np
import pytest
from signals import SR

from mbcl_audio.measure import onset_sample


def burst(lead_samples: int, level: float = 0.5) -> np.ndarray:
    t = np.arange(SR // 2) / SR
    return np.concatenate([np.zeros(lead_samples), level * np.sin(2 * np.pi * 220.0 * t)]).astype(np.float32)


@pytest.mark.parametrize("lead", [0, 1, 1764, 10_000])
def test_onset_is_where_the_sound_begins(lead):
    x = burst(lead)
    # The sine's first sample is 0; its second, sin(2 pi 220 / SR) * 0.5 = 0.016, is above -40 dB re 0.5.
    assert onset_sample(x) == lead + 1


def test_quiet_noise_before_the_voice_does_not_count_but_louder_does():
    rng = np.random.default_rng(1)
    x = burst(4410)
    x[:4410] = 10 ** (-50 / 20) * 0.5 * rng.uniform(-1, 1, 4410)  # 50 dB below the peak
    assert onset_sample(x) == 4411
    assert onset_sample(x, threshold_db=-60.0) < 100


def test_a_fade_in_moves_the_onset_to_where_the_level_is_reached():
    x = burst(0)
    ramp = 441  # 10 ms linear fade-in: -40 dB re the peak is reached 1 % of the way in
    x[:ramp] *= np.linspace(0.0, 1.0, ramp, dtype=np.float32)
    assert 1 <= onset_sample(x) <= 30


def test_silent_empty_and_stereo_clips():
    assert onset_sample(np.zeros(100, dtype=np.float32)) == 0
    assert onset_sample(np.zeros(0, dtype=np.float32)) == 0
    stereo = np.stack([np.zeros(SR // 2 + 300), burst(300)], axis=1)
    assert onset_sample(stereo) == 301


def test_envelope_onset_ignores_a_stray_sample_and_reads_against_the_given_peak():
    from mbcl_audio.measure.onset import envelope_onset_sample

    sr = 1000
    x = np.zeros(200)
    x[20] = 1.0  # one stray sample: in a 10-sample window its envelope is sqrt(1/10) = 0.32
    x[100:] = 0.5
    # -8 dB re the 1.0 peak is 0.40: the stray sample stays below (onset_sample takes it), the step
    # reaches it once 7 of the 10 samples around n = 102 ([97, 107)) are in it.
    assert onset_sample(x, -8.0) == 20
    assert envelope_onset_sample(x, sr, -8.0, window_s=0.01) == 102
    # Against a given 0.5 peak, -40 dB is 0.005: the stray sample's window first covers it at n = 16.
    assert envelope_onset_sample(x, sr, -40.0, window_s=0.01, peak=0.5) == 16
    assert envelope_onset_sample(np.zeros(50), sr) == 0
