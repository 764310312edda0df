import math

import numpy as np
import pytest
import scipy.signal
from audio_checks import reference_lufs
from signals import SR, faded_sine, sparse_speech

from mbcl_audio.audio import ArraySource
from mbcl_audio.measure import integrated_loudness
from mbcl_audio.measure.loudness import k_weighting_sos


def test_k_weighting_at_48k_is_the_table_of_bs1770():
    # ITU-R BS.1770-4, Table 1 (shelf) and Table 2 (high pass), coefficients for 48 kHz.
    table = np.array([
        [1.53512485958697, -2.69169618940638, 1.19839281085285, 1.0, -1.69065929318241, 0.73248077421585],
        [1.0, -2.0, 1.0, 1.0, -1.99004745483398, 0.99007225036621],
    ])
    sos, gain = k_weighting_sos(48_000)
    assert gain == 1.0
    np.testing.assert_allclose(sos, table, rtol=0, atol=1e-13)


def test_k_weighting_shape_at_48k():
    # The curve BS.1770 draws: a steep cut under ~38 Hz, about -1.1 dB at 100 Hz, 0 dB near
    # 500 Hz, and the +4 dB shelf above ~2 kHz.
    sos, _ = k_weighting_sos(48_000)
    _, h = scipy.signal.sosfreqz(sos, worN=[20.0, 100.0, 500.0, 1000.0, 4000.0, 10_000.0], fs=48_000)
    gain_db = 20 * np.log10(np.abs(h))
    np.testing.assert_allclose(gain_db, [-13.27, -1.13, 0.04, 0.70, 3.97, 4.04], atol=0.01)


@pytest.mark.parametrize("sr", [32_000, 44_100, 96_000])
def test_k_weighting_is_the_same_filter_at_other_rates(sr):
    # Derived from analog prototypes, the response up to 4 kHz stays within 0.03 dB of the
    # 48 kHz table's at any usual rate (pyloudnorm's default stages miss it by up to 0.05 dB).
    freqs_hz = np.array([20.0, 38.0, 100.0, 500.0, 1000.0, 2000.0, 4000.0])
    _, h = scipy.signal.sosfreqz(k_weighting_sos(sr)[0], worN=freqs_hz, fs=sr)
    _, h48 = scipy.signal.sosfreqz(k_weighting_sos(48_000)[0], worN=freqs_hz, fs=48_000)
    np.testing.assert_allclose(20 * np.log10(np.abs(h)), 20 * np.log10(np.abs(h48)), atol=0.03)


@pytest.mark.parametrize("sr", [22_050, 44_100, 48_000])
def test_noise_matches_pyloudnorm(sr):
    rng = np.random.default_rng(sr)
    x = (0.1 * rng.standard_normal((sr * 7 + 321, 2))).astype(np.float32)
    x[: sr * 2] *= 0.05  # a quieter part, so the relative gate matters
    ours = integrated_loudness(ArraySource(x, sr))
    assert abs(ours - reference_lufs(x, sr)) < 0.02


def test_speech_bursts_match_pyloudnorm(speech):
    ours = integrated_loudness(ArraySource(speech, SR))
    assert abs(ours - reference_lufs(speech, SR)) < 0.02


def test_mono_matches_pyloudnorm(speech):
    x = speech[:, 0]
    assert abs(integrated_loudness(ArraySource(x, SR)) - reference_lufs(x, SR)) < 0.02


@pytest.mark.parametrize("block", [4410, 12_345, 100_000, 10**7])
def test_block_size_independent(speech, block):
    src = ArraySource(speech, SR)
    assert integrated_loudness(src, block_samples=block) == integrated_loudness(src)


def test_ebu_3341_case1_sine():
    # EBU Tech 3341 case 1: 1 kHz stereo sine at -23 dBFS reads -23.0 LUFS.
    x = faded_sine(1000.0, 20.0, 10 ** (-23 / 20))
    stereo = np.stack([x, x], axis=1)
    assert integrated_loudness(ArraySource(stereo, SR)) == pytest.approx(-23.0, abs=0.1)


def test_gating_ignores_long_near_silence():
    burst = faded_sine(1000.0, 5.0, 10 ** (-23 / 20))
    alone = integrated_loudness(ArraySource(np.stack([burst, burst], 1), SR))
    rng = np.random.default_rng(3)
    # White noise at -85 dBFS reads about -80 LUFS in stereo: below the absolute gate.
    hiss = 10 ** (-85 / 20) * rng.standard_normal(SR * 60)
    track = np.concatenate([burst, hiss])
    stereo = np.stack([track, track], 1)
    gated = integrated_loudness(ArraySource(stereo, SR))
    # Blocks straddling the burst's end still count, hence 0.2 LU, not 0.
    assert gated == pytest.approx(alone, abs=0.2)
    assert gated == pytest.approx(reference_lufs(stereo, SR), abs=0.02)


def test_relative_gate_drops_quiet_bed():
    # A bed 20 dB below the speech is above -70 LUFS but under the -10 LU gate.
    loud = faded_sine(1000.0, 5.0, 10 ** (-20 / 20))
    bed = faded_sine(500.0, 30.0, 10 ** (-40 / 20))
    track = np.concatenate([loud, bed])
    alone = integrated_loudness(ArraySource(loud, SR))
    gated = integrated_loudness(ArraySource(track, SR))
    assert gated == pytest.approx(alone, abs=0.2)
    assert gated == pytest.approx(reference_lufs(track, SR), abs=0.02)
    # Without the relative gate, the 30 s bed would pull the mean down by > 5 LU.
    ungated_power = (5 * 10 ** (alone / 10) + 30 * 10 ** ((alone - 20) / 10)) / 35
    assert 10 * np.log10(ungated_power) < alone - 5


def test_silence_is_minus_inf():
    assert integrated_loudness(ArraySource(np.zeros((SR * 2, 2)), SR)) == -math.inf
    assert integrated_loudness(ArraySource(np.zeros((0, 2)), SR)) == -math.inf


def test_gain_moves_loudness_one_for_one():
    x = sparse_speech(12.0, seed=5)
    a = integrated_loudness(ArraySource(x, SR))
    b = integrated_loudness(ArraySource(x * 10 ** (6 / 20), SR))
    assert b - a == pytest.approx(6.0, abs=1e-3)


# --- speech-gated loudness (the voice level) ---------------------------------------------------

from mbcl_audio.measure.loudness import (  # noqa: E402
    SPEECH_BLOCK_SHARE,
    gated_loudness,
    merged_spans,
    speech_blocks,
    speech_gated_loudness,
    subblock_energies,
)

HOP = SR // 10


def test_speech_blocks_count_a_block_as_speech_from_its_share_of_speech_samples():
    # Block i covers [i * HOP, (i + 4) * HOP); it is speech from SPEECH_BLOCK_SHARE of those samples on.
    need = int(math.ceil(SPEECH_BLOCK_SHARE * 4 * HOP))
    assert speech_blocks([(0, need)], HOP, 4).tolist() == [True, False, False, False]
    assert speech_blocks([(0, need - 1)], HOP, 4).tolist() == [False] * 4
    # Spans that together reach the share count together; overlaps count once.
    assert speech_blocks([(0, need // 2), (need // 2 - 10, need)], HOP, 2).tolist() == [True, False]
    assert speech_blocks([(0, need - 1), (0, need - 1)], HOP, 1).tolist() == [False]
    # A span past the end of the track is cut there.
    assert speech_blocks([(HOP, 100 * HOP)], HOP, 2).tolist() == [True, True]
    assert merged_spans([(5, 9), (0, 3), (3, 4), (8, 12), (7, 7)]) == [(0, 4), (5, 12)]


def test_speech_gated_loudness_is_the_voice_alone_whatever_plays_between():
    rng = np.random.default_rng(4)
    n = 40 * SR
    voice = np.zeros(n)
    spans = []
    for start_s in range(2, 38, 6):  # 2 s of voice every 6 s
        a, b = start_s * SR, (start_s + 2) * SR
        voice[a:b] = 0.1 * rng.standard_normal(b - a)
        spans.append((a, b))
    voice_alone = reference_lufs(np.concatenate([voice[a:b] for a, b in spans]), SR)
    for bed_gain in (0.0, 0.01, 0.03):  # none, quiet, loud enough to pass the programme's relative gate
        bed = bed_gain * rng.standard_normal(n)
        for a, b in spans:
            bed[a:b] *= 10 ** (-12 / 20)  # ducked under the voice, as the mix does
        energy, hop = subblock_energies(ArraySource(voice + bed, SR))
        voice_lufs = speech_gated_loudness(energy, hop, spans)
        # What sounds under the words enters (a -12 dB ducked bed) and so do the blocks at a
        # phrase's edges (partly silent): 0.3 LU at most; the pauses do not.
        assert voice_lufs == pytest.approx(voice_alone, abs=0.3)
        if bed_gain == 0.03:
            assert gated_loudness(energy, hop) < voice_alone - 3.0  # the whole file's loudness drops
    energy, hop = subblock_energies(ArraySource(voice, SR))
    assert speech_gated_loudness(energy, hop, []) == -math.inf


# --- long digital silences: the K-weighting state is flushed, the energies stay the same ---

from mbcl_audio.measure.loudness import flush_tiny_state  # noqa: E402


def test_flush_tiny_state_zeroes_only_what_no_meter_resolves():
    state = np.array([[1e-3, -1e-149], [-1e-151, 5e-324]])
    flush_tiny_state(state)
    assert state.tolist() == [[1e-3, -1e-149], [0.0, 0.0]]


def test_energies_through_a_long_silence_equal_the_unflushed_measurement(monkeypatch):
    # Noise, 20 s of digital silence (the state would sink into subnormals and stay there), noise.
    rng = np.random.default_rng(7)
    x = np.zeros((SR * 22, 2), dtype=np.float32)
    x[:SR] = 0.1 * rng.standard_normal((SR, 2))
    x[-SR:] = 0.1 * rng.standard_normal((SR, 2))
    source = ArraySource(x, SR)
    energy, hop = subblock_energies(source, block_samples=2 * SR)
    monkeypatch.setattr("mbcl_audio.measure.loudness.flush_tiny_state", lambda state: state)
    reference, _ = subblock_energies(source, block_samples=2 * SR)

    # Unflushed, the silence holds tiny and subnormal output; flushed, exact zeros. Nothing else differs.
    assert reference.max() > 1.0
    kept = reference > 1e-290
    assert np.array_equal(energy[kept], reference[kept])
    assert np.all(energy[~kept] <= 1e-290)
    # Late in the silence the flushed state gives exact zeros.
    late = slice(SR * 10 // hop, SR * 20 // hop)
    assert np.all(energy[late] == 0.0)
