"""The pacing tone keeps a sample-exact 10 s grid and sounds like breathing in and out."""

import numpy as np

from mbcl_audio.render.pacing import PacingLayer, cycle_table, span_gain

SR = 44_100
CYCLE = 441_000  # 6 cycles per minute


def render(layer, n, block):
    return np.concatenate([layer.read(s, min(s + block, n)) for s in range(0, n, block)])


def test_envelope_minima_and_zero_crossings_repeat_every_441000_samples_for_12_minutes():
    n = 72 * CYCLE  # 12 minutes
    layer = PacingLayer(CYCLE, SR, [(0, n)], amplitude=0.2, fade_s=0.0)
    x = render(layer, n, 1_234_567)  # odd block size on purpose
    # Short-time RMS (10 ms), one value per 441-sample frame: minima mark the in-breath onsets.
    frames = x[: n // 441 * 441].reshape(-1, 441)
    rms = np.sqrt((frames.astype(np.float64) ** 2).mean(axis=1))
    per_cycle = rms.reshape(72, CYCLE // 441)
    minima = np.argmin(per_cycle, axis=1)
    assert np.all(minima == 0), "envelope minimum must sit at each cycle's first frame"
    # First upward zero crossing after 1 s into each cycle, in samples: spacing exactly CYCLE.
    crossings = []
    for k in range(72):
        seg = x[k * CYCLE + SR : k * CYCLE + 2 * SR]
        up = np.flatnonzero((seg[:-1] < 0) & (seg[1:] >= 0))
        crossings.append(k * CYCLE + SR + up[0])
    assert set(np.diff(crossings)) == {CYCLE}
    # No drift at all: the last cycle equals the first to the sample.
    np.testing.assert_array_equal(x[:CYCLE], x[-CYCLE:])


def test_pitch_and_level_rise_on_in_breath_and_fall_on_out_breath():
    table = cycle_table(CYCLE, SR).astype(np.float64)

    def pitch_hz(a, b):
        seg = table[a:b]
        ups = np.flatnonzero((seg[:-1] < 0) & (seg[1:] >= 0))
        return (len(ups) - 1) / ((ups[-1] - ups[0]) / SR)

    def level(a, b):
        return np.sqrt(np.mean(table[a:b] ** 2))

    early_in = pitch_hz(int(0.5 * SR), int(1.5 * SR))
    top = pitch_hz(int(4.6 * SR), int(5.4 * SR))
    late_out = pitch_hz(int(8.5 * SR), int(9.5 * SR))
    assert early_in < top - 40 and late_out < top - 40
    assert 280 < top < 300  # the glide peaks near D4 (294 Hz) at the turn of the breath
    assert level(0, SR) < level(2 * SR, 3 * SR) < level(4 * SR, 5 * SR)
    assert level(5 * SR, 6 * SR) > level(7 * SR, 8 * SR) > level(9 * SR, 10 * SR)
    assert table[0] == 0.0


def test_tone_is_silent_outside_spans_and_fades_inside_edges():
    span = (2 * CYCLE, 4 * CYCLE)
    layer = PacingLayer(CYCLE, SR, [span], amplitude=0.2, fade_s=1.5)
    x = render(layer, 5 * CYCLE, 300_000)
    assert np.all(x[: span[0]] == 0) and np.all(x[span[1] :] == 0)
    g = span_gain(0, 5 * CYCLE, [span], int(1.5 * SR))
    assert g[span[0]] == 0.0 and g[span[0] + int(1.5 * SR)] == 1.0
    assert np.all(np.diff(g[span[0] : span[0] + int(1.5 * SR)]) >= 0)
