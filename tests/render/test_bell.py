"""The bell: a soft-onset singing-bowl strike that decays to silence, and where it sounds."""

import numpy as np
import pytest
from signals import SR

from mbcl_audio.render import bell
from mbcl_audio.render.bell import BELL_PLACES, bell_strike, bell_times
from mbcl_audio.render.tones import ToneError


def level_db(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2)))


def test_strike_shape_peak_and_ends():
    x = bell_strike(SR)
    assert x.dtype == np.float32 and x.ndim == 1
    assert np.abs(x).max() == 1.0
    assert x[0] == 0.0 and x[-1] == 0.0
    assert 9.0 <= len(x) / SR <= 10.0  # decay_s = 9 s for the fundamental, plus the fade


@pytest.mark.parametrize("pitch_hz", [220.0, 174.6])
def test_partials_sit_at_bowl_ratios(pitch_hz):
    x = bell_strike(SR, pitch_hz).astype(np.float64)
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freqs = np.fft.rfftfreq(len(x), 1.0 / SR)
    for ratio in bell.BELL_RATIOS:
        target = pitch_hz * ratio
        band = (freqs > 0.95 * target) & (freqs < 1.05 * target)
        peak_hz = freqs[band][np.argmax(spec[band])]
        assert abs(peak_hz / target - 1) < 0.01, (ratio, peak_hz)
        # ... and each is a real spectral peak, well above the floor between partials.
        assert spec[band].max() > 100 * np.median(spec[(freqs > 100) & (freqs < 3000)])


def test_decays_and_ends_below_minus_60_db():
    x = bell_strike(SR)
    first = level_db(x[: int(0.1 * SR)])
    after_2s = level_db(x[2 * SR : 2 * SR + int(0.1 * SR)])
    assert after_2s < first - 10  # measured: -6.4 vs -21.5 dB (15 dB)
    assert 20 * np.log10(np.abs(x[-int(0.1 * SR) :]).max()) < -60  # measured about -71 dB


def test_higher_partials_decay_faster():
    """Upper partials die first: the strike darkens as it rings."""
    x = bell_strike(SR).astype(np.float64)
    freqs = np.fft.rfftfreq(SR, 1.0 / SR)

    def partial_db(start_s, ratio):
        seg = x[int(start_s * SR) : int(start_s * SR) + SR]
        spec = np.abs(np.fft.rfft(seg * np.hanning(SR)))
        band = np.abs(freqs - 220 * ratio) < 5
        return 20 * np.log10(spec[band].max())

    drops = [partial_db(0.0, r) - partial_db(2.0, r) for r in bell.BELL_RATIOS]
    assert all(np.diff(drops) > 0), drops


def test_soft_attack_without_click():
    x = bell_strike(SR)
    five_ms = int(0.005 * SR)
    assert np.abs(np.diff(x[:five_ms])).max() <= 0.05  # measured 0.032
    assert np.argmax(np.abs(x)) < int(0.05 * SR)


def test_strike_is_deterministic_and_a_copy():
    a = bell_strike(SR)
    bell._strike.cache_clear()
    b = bell_strike(SR)
    np.testing.assert_array_equal(a, b)
    a *= 0.0
    np.testing.assert_array_equal(bell_strike(SR), b)


N = 600 * SR  # a 10-minute track
BELL = 9 * SR


def test_start_and_sections():
    chapters = [0, 120 * SR, 300 * SR]
    assert bell_times(["start"], chapters, 500 * SR, N, BELL, SR) == [0]
    assert bell_times(["sections"], chapters, 500 * SR, N, BELL, SR) == [120 * SR, 300 * SR]
    # The first chapter's start is the track start: one strike there, not two.
    assert bell_times(["sections", "start"], chapters, 500 * SR, N, BELL, SR) == [0, 120 * SR, 300 * SR]
    assert bell_times(["start", "start"], [0], 500 * SR, N, BELL, SR) == [0]
    assert bell_times([], chapters, 500 * SR, N, BELL, SR) == []


def test_end_follows_last_speech_and_is_clamped_to_fit():
    # Plenty of room: half a second after the last words.
    assert bell_times(["end"], [0], 500 * SR, N, BELL, SR) == [500 * SR + SR // 2]
    # Too close to the end: moved earlier so the whole strike fits...
    assert bell_times(["end"], [0], N - int(9.5 * SR), N, BELL, SR) == [N - BELL]
    # ...but never over the last words: then it rings out into the end of the track.
    assert bell_times(["end"], [0], N - 3 * SR, N, BELL, SR) == [N - 3 * SR]
    # A track shorter than the strike: right after the words, never before 0.
    assert bell_times(["end"], [0], 0, 5 * SR, BELL, SR) == [0]
    times = bell_times(list(BELL_PLACES), [0, 200 * SR], N - int(9.5 * SR), N, BELL, SR)
    assert times == [0, 200 * SR, N - BELL]
    assert all(0 <= t <= N - 1 for t in times)


def test_end_and_sections_deduplicate():
    assert bell_times(["end", "start"], [0], 0, SR, 2 * SR, SR) == [0]


def test_unknown_place_lists_the_places():
    with pytest.raises(ToneError) as err:
        bell_times(["middle"], [0], 0, N, BELL, SR)
    assert all(p in str(err.value) for p in BELL_PLACES)
