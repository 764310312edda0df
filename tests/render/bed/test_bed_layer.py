"""BedLayer: ducking depth and timing, swells in long silences, timed fades, block-size independence."""

import numpy as np
import pytest
from bed_measure import rms_db
from signals import SR

from mbcl_audio.render.bed import BedLayer, bed_loop, duck_amount, fade_out_window, merge_spans, subtract_spans


@pytest.fixture(scope="module")
def pad():
    return bed_loop("warm-pad", SR)


def read_in_blocks(bed: BedLayer, block: int) -> np.ndarray:
    return np.concatenate([bed.read(s, min(s + block, bed.n_samples)) for s in range(0, bed.n_samples, block)])


def test_bed_level_under_speech_is_at_least_10_db_below_pauses(pad):
    n = 90 * SR
    speech = [(10 * SR, 20 * SR), (40 * SR, 55 * SR)]
    bed = BedLayer(pad, n, SR, speech, duck_db=12.0)
    x = read_in_blocks(bed, 100_003)
    under = np.concatenate([x[a:b] for a, b in speech])
    pauses = np.concatenate([x[25 * SR : 38 * SR], x[60 * SR : 80 * SR]])
    assert rms_db(pauses) - rms_db(under) >= 10.0
    # Ducking is gradual: the gain moves over the attack, no jump at speech onset.
    gain = bed.gain_curve(9 * SR, 11 * SR)
    assert np.max(np.abs(np.diff(20 * np.log10(gain)))) < 0.01  # dB per sample
    # Fade in from silence and out to silence.
    assert np.all(x[0] == 0) and np.max(np.abs(x[-1])) < 1e-6


@pytest.mark.parametrize("attack_s,release_s", [(0.4, 1.5), (1.0, 3.0)])
def test_duck_starts_attack_before_speech_and_recovers_release_after(pad, attack_s, release_s):
    n = 60 * SR
    a, b = 20 * SR, 30 * SR
    bed = BedLayer(pad, n, SR, [(a, b)], duck_db=12.0, attack_s=attack_s, release_s=release_s)
    attack, release = int(attack_s * SR), int(release_s * SR)
    gain_db = bed.level_db(0, n)  # float64 dB: resolves the first sample of the attack
    assert gain_db[a - attack] == 0.0 and gain_db[a - attack + 1] < 0.0  # the duck begins exactly here
    assert gain_db[a] == pytest.approx(-12.0, abs=1e-4)  # fully down when the voice enters
    assert np.all(gain_db[a:b] <= -10.0)  # at least 10 dB under all of the speech
    assert gain_db[b + release - 1] < 0.0 and gain_db[b + release] == 0.0  # fully recovered here
    assert gain_db[a - attack + attack // 2] == pytest.approx(-6.0, abs=0.01)  # half-way down at mid-attack
    np.testing.assert_allclose(bed.gain_curve(0, n), 10 ** (gain_db / 20) * bed.fade_curve(0, n), rtol=1e-6)
    # Measured on the rendered bed, with the loop's own level divided out.
    x = bed.read(0, n)
    idx = np.arange(n) % pad.shape[0]
    measured = rms_db(x[a:b]) - rms_db(pad[idx[a:b]])
    assert measured == pytest.approx(-12.0, abs=0.01)


def test_short_gaps_between_sentences_do_not_reopen_the_bed():
    spans = merge_spans([(0, 100), (150, 300), (1000, 1200)], min_gap=200)
    assert spans == [(0, 300), (1000, 1200)]
    amount = duck_amount(0, 1500, spans, attack=50, release=100)
    assert np.all(amount[0:300] == 1.0)
    assert amount[500] == 0.0 and amount[950] == 0.0 and amount[975] > 0.0


def test_swell_raises_the_bed_by_swell_db_in_long_silences(pad):
    loop_n = pad.shape[0]
    n = 150 * SR
    speech = [(5 * SR, 18 * SR), (62 * SR, 70 * SR)]
    silence = (18 * SR, 62 * SR)  # a 44 s practice silence
    bed = BedLayer(pad, n, SR, speech, swell_spans=[silence], swell_db=3.0, swell_ramp_s=4.0)
    plain = BedLayer(pad, n, SR, speech)
    x = bed.read(0, n)
    # Middle of the silence vs. the same loop position one loop later, outside any swell span:
    # the loop content is identical there, so the difference is the swell alone.
    mid = slice(35 * SR, 45 * SR)
    later = slice(35 * SR + loop_n, 45 * SR + loop_n)
    assert rms_db(x[mid]) - rms_db(x[later]) == pytest.approx(3.0, abs=0.3)
    np.testing.assert_array_equal(x[later], plain.read(later.start, later.stop))
    # Smooth ramps that stay inside the span: no swell at its edges, full swell 4 s in.
    level = bed.level_db(0, n)
    swell = level - plain.level_db(0, n)
    assert swell[silence[0]] == 0.0 and swell[silence[1] - 1] < 1e-6
    assert swell[silence[0] + 4 * SR] == pytest.approx(3.0) and swell[silence[1] - 4 * SR] == pytest.approx(3.0)
    assert np.max(np.abs(np.diff(swell))) < 3.0 * np.pi / 2 / (4 * SR) * 1.01  # raised-cosine slope, dB/sample


def test_swell_never_lifts_speech_and_short_spans_shorten_their_ramps(pad):
    n = 60 * SR
    speech = [(30 * SR, 32 * SR)]
    bed = BedLayer(pad, n, SR, speech, swell_spans=[(10 * SR, 50 * SR), (52 * SR, 54 * SR)])
    level = bed.level_db(0, n)
    assert np.all(level[30 * SR : 32 * SR] == pytest.approx(-12.0))  # ducking wins, no swell under speech
    assert bed.swell_spans == [(10 * SR, 30 * SR), (32 * SR, 50 * SR), (52 * SR, 54 * SR)]
    short = level[52 * SR : 54 * SR]
    assert short.max() == pytest.approx(3.0, abs=1e-6) and short[0] == 0.0  # 1 s ramps in a 2 s span
    assert subtract_spans([(0, 10)], [(2, 3), (5, 12)]) == [(0, 2), (3, 5)]


def test_fade_out_starts_at_the_last_utterance(pad):
    n = 80 * SR
    last = 60 * SR
    bed = BedLayer(pad, n, SR, [], last_speech_end=last, fade_out_s=6.0)
    gain = bed.gain_curve(0, n)
    assert gain[last] == 1.0 and gain[last - 1] == 1.0
    assert gain[last + 3 * SR] == pytest.approx(0.5, abs=1e-4)
    assert gain[last + 6 * SR - 1] < 1e-9
    assert np.all(gain[last + 6 * SR :] == 0.0)
    assert np.all(np.diff(gain[last : last + 6 * SR]) <= 0)


def test_fade_out_window_edges():
    # Without the last utterance: the last fade_out_s of the track (as before).
    assert fade_out_window(100 * SR, SR, 6.0) == (94 * SR, 100 * SR)
    # Less than fade_out_s left: fade to the track end.
    assert fade_out_window(100 * SR, SR, 6.0, last_speech_end=97 * SR) == (97 * SR, 100 * SR)
    # Less than 1 s left: start earlier so the fade still lasts 1 s and ends at the end.
    assert fade_out_window(100 * SR, SR, 6.0, last_speech_end=100 * SR - 100) == (99 * SR, 100 * SR)
    # Track shorter than 1 s: the whole track.
    assert fade_out_window(SR // 2, SR, 6.0, last_speech_end=SR // 4) == (0, SR // 2)


def test_read_is_block_size_independent(pad):
    n = 100 * SR + 17
    bed = BedLayer(
        pad, n, SR, [(3 * SR, 9 * SR), (40 * SR, 41 * SR)], gain_db=-7.0,
        swell_spans=[(12 * SR, 39 * SR)], last_speech_end=41 * SR,
    )
    whole = bed.read(0, n)
    for block in (1_000, 4_097, 100_003, 441_000):
        np.testing.assert_array_equal(read_in_blocks(bed, block), whole)
    np.testing.assert_array_equal(
        np.concatenate([bed.gain_curve(s, min(s + 65_537, n)) for s in range(0, n, 65_537)]), bed.gain_curve(0, n)
    )


def test_track_sample_i_plays_loop_sample_i_mod_loop_length_across_wraps(pad):
    n = 2 * pad.shape[0] + 12_345  # wraps twice
    bed = BedLayer(pad, n, SR, [(3 * SR, 9 * SR)], gain_db=-7.0, swell_spans=[], last_speech_end=9 * SR)
    tiled = np.resize(pad, (n, 2))  # an independent loop: np.resize repeats the array
    for start, stop in ((0, n), (pad.shape[0] - 100, pad.shape[0] + 100), (2 * pad.shape[0] - 1, n)):
        np.testing.assert_array_equal(bed.read(start, stop), tiled[start:stop] * bed.gain_curve(start, stop)[:, None])
