"""The pacing layer plays the plan's cycles to the sample: through ramps, over 30 minutes, in any block size."""

import numpy as np
import pytest
from audio_checks import reference_lufs
from signals import SR

from mbcl_audio.plan.pacing import PacingStretch
from mbcl_audio.render.pacing import PacingLayer, span_gain
from mbcl_audio.render.tones import TONE_FAMILIES, breath_cycle

CYCLE = 441_000  # 6 cycles per minute
EIGHT = 330_750  # 8 cycles per minute


def render(layer, n, block, start=0):
    return np.concatenate([layer.read(s, min(s + block, n)) for s in range(start, n, block)])


@pytest.mark.parametrize("family", TONE_FAMILIES)
def test_period_is_exact_across_a_ramp_s_end_and_thirty_minutes(family):
    ramp = 6 * CYCLE
    stretch = PacingStretch(CYCLE, CYCLE + ramp + 180 * CYCLE, CYCLE, CYCLE // 2, family, EIGHT, ramp)
    layer = PacingLayer([stretch], SR, level_lufs=-36.0, fade_s=0.0)
    # The placement of cycles is the same for every family: one family streams all thirty minutes,
    # the others stream the ramp and a dozen cycles and read the cycle thirty minutes on directly.
    streamed_samples = stretch.stop_sample if family == TONE_FAMILIES[0] else stretch.start_sample + ramp + 13 * CYCLE
    x = render(layer, streamed_samples, 1_234_567)  # odd block size on purpose
    np.testing.assert_array_equal(x[: 4 * SR], render(layer, 4 * SR, 1_000))  # any block size, same samples
    onsets = stretch.onsets()
    last = onsets[-1]
    ramp_end = stretch.start_sample + ramp
    assert ramp_end in onsets and all(t % CYCLE == 0 for t in onsets if t >= ramp_end)
    # Every cycle starts from silence: the sample at each onset is exactly 0, and it is the
    # quietest 10 ms of its cycle.
    assert np.all(x[[t for t in onsets if t < len(x)]] == 0.0) and np.all(layer.read(last, last + 1) == 0.0)
    frame = 441
    for a, b in zip(onsets[:12], onsets[1:13]):
        rms = np.sqrt(np.mean(x[a : b - (b - a) % frame].astype(np.float64).reshape(-1, frame) ** 2, axis=1))
        assert np.argmin(rms) in (0, len(rms) - 1)
    # After the ramp the tone repeats to the sample: the first steady cycle equals the one 30 minutes on.
    assert last - ramp_end == 179 * CYCLE
    last_cycle = x[last : last + CYCLE] if last < len(x) else layer.read(last, last + CYCLE)
    np.testing.assert_array_equal(x[ramp_end : ramp_end + CYCLE], last_cycle)
    # Inside the ramp every cycle has its own length and the breath slows down.
    lengths = np.diff([t for t in onsets if t <= ramp_end])
    assert np.all(np.diff(lengths) > 0) and lengths[0] < 0.8 * CYCLE


def test_each_family_sounds_at_the_level_asked_for():
    # reference_lufs: an independent meter, not the one that set the gain.
    for family in TONE_FAMILIES:
        stretch = PacingStretch(0, 4 * CYCLE, CYCLE, 176_400, family)
        layer = PacingLayer([stretch], SR, level_lufs=-36.0, fade_s=0.0)
        assert abs(reference_lufs(layer.read(0, 4 * CYCLE), SR) - (-36.0)) < 0.1


def test_glide_rises_in_pitch_and_level_on_the_in_breath_and_falls_on_the_out_breath():
    table = breath_cycle("glide", CYCLE, CYCLE // 2, SR).astype(np.float64)

    def pitch_hz(a, b):
        seg = table[a:b]
        ups = np.flatnonzero((seg[:-1] < 0) & (seg[1:] >= 0))
        return (len(ups) - 1) / ((ups[-1] - ups[0]) / SR)

    def level(a, b):
        return np.sqrt(np.mean(table[a:b] ** 2))

    top = pitch_hz(int(4.6 * SR), int(5.4 * SR))
    assert pitch_hz(int(0.5 * SR), int(1.5 * SR)) < top - 40 and pitch_hz(int(8.5 * SR), int(9.5 * SR)) < top - 40
    assert level(0, SR) < level(2 * SR, 3 * SR) < level(4 * SR, 5 * SR)
    assert level(5 * SR, 6 * SR) > level(7 * SR, 8 * SR) > level(9 * SR, 10 * SR)


def test_tone_is_silent_outside_its_stretches_and_fades_inside_their_edges():
    stretch = PacingStretch(2 * CYCLE, 4 * CYCLE, CYCLE, CYCLE // 2)
    layer = PacingLayer([stretch], SR, level_lufs=-36.0, fade_s=1.5)
    x = render(layer, 5 * CYCLE, 300_000)
    assert np.all(x[: 2 * CYCLE] == 0) and np.all(x[4 * CYCLE :] == 0) and np.any(x != 0)
    g = span_gain(0, 5 * CYCLE, [stretch.span], int(1.5 * SR))
    assert g[2 * CYCLE] == 0.0 and g[2 * CYCLE + int(1.5 * SR)] == 1.0
    assert np.all(np.diff(g[2 * CYCLE : 2 * CYCLE + int(1.5 * SR)]) >= 0)


def test_tone_dips_under_speech_with_look_ahead_and_release():
    stretch = PacingStretch(0, 12 * CYCLE, CYCLE, CYCLE // 2)
    speech = (30 * SR, 50 * SR)
    layer = PacingLayer([stretch], SR, level_lufs=-36.0, speech_spans=[speech], duck_db=6.0, fade_s=0.0)
    gain_db = 20 * np.log10(np.maximum(layer.gain(0, 12 * CYCLE).astype(np.float64), 1e-12))
    attack, release = int(0.3 * SR), int(1.0 * SR)
    assert gain_db[speech[0] - attack - 1] == pytest.approx(0.0, abs=1e-6)
    assert np.all(np.abs(gain_db[speech[0] : speech[1]] + 6.0) < 1e-4)
    assert gain_db[speech[1] + release + 1] == pytest.approx(0.0, abs=1e-6)
    assert np.max(np.abs(np.diff(gain_db[speech[0] - attack : speech[0]]))) < 0.01  # no step, no click


def test_stretches_at_different_rates_follow_each_other_without_a_gap_or_click():
    five = 529_200
    first = PacingStretch(0, 2 * CYCLE, CYCLE, CYCLE // 2, "bowl")
    second = PacingStretch(2 * CYCLE, 2 * CYCLE + 2 * five, five, 211_680, "bowl")
    layer = PacingLayer([first, second], SR, level_lufs=-36.0, fade_s=0.0)
    x = render(layer, second.stop_sample, 500_000)
    # The second stretch's first cycle is its own 5/min, 4:6 bowl cycle, starting exactly at the join.
    table = breath_cycle("bowl", five, 211_680, SR) * layer.amplitudes[1]
    np.testing.assert_allclose(x[2 * CYCLE : 2 * CYCLE + five], table, atol=1e-6)
    jumps = np.abs(np.diff(x[2 * CYCLE - 2000 : 2 * CYCLE + 2000]))
    assert jumps.max() <= np.percentile(np.abs(np.diff(x)), 99.9)


def test_pacing_fade_lowers_the_tone_smoothly_over_its_cycles():
    # [pacing fade 3] after two steady cycles: the tone sinks over the last three to silence.
    stretch = PacingStretch(0, 5 * CYCLE, CYCLE, CYCLE // 2, fade_from_sample=2 * CYCLE)
    layer = PacingLayer([stretch], SR, level_lufs=-36.0, fade_s=0.0)
    x = render(layer, 5 * CYCLE, 100_000).astype(np.float64)
    level_db = [10 * np.log10(np.mean(x[k * CYCLE : (k + 1) * CYCLE] ** 2)) for k in range(5)]
    assert abs(level_db[1] - level_db[0]) < 0.01  # steady before the fade
    assert level_db[2] > level_db[3] > level_db[4]  # lower with every faded cycle
    assert level_db[4] <= level_db[2] - 6.0  # the last at least 6 dB below the first faded one
    gain = layer.gain(2 * CYCLE, 5 * CYCLE)
    assert gain[0] == pytest.approx(1.0) and np.all(np.diff(gain) <= 0) and gain[-1] < 1e-9
    # Smooth: no step larger than a raised cosine's steepest over three cycles.
    assert np.max(np.abs(np.diff(gain))) <= np.pi / 2 / (3 * CYCLE) * 1.01


def test_a_stretch_after_a_faded_one_sounds_in_full():
    # [pacing fade 2] ends the first stretch; a later [pacing on] starts another, at full level.
    faded = PacingStretch(0, 3 * CYCLE, CYCLE, CYCLE // 2, fade_from_sample=CYCLE)
    later = PacingStretch(5 * CYCLE, 8 * CYCLE, CYCLE, CYCLE // 2)
    both = PacingLayer([faded, later], SR, level_lufs=-36.0, fade_s=0.0)
    alone = PacingLayer([later], SR, level_lufs=-36.0, fade_s=0.0)
    np.testing.assert_array_equal(both.read(5 * CYCLE, 8 * CYCLE), alone.read(5 * CYCLE, 8 * CYCLE))
    assert np.max(np.abs(both.read(5 * CYCLE, 8 * CYCLE))) > 0.0

