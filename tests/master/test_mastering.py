import numpy as np
import pytest
import scipy.signal
import soundfile as sf
from audio_checks import ffmpeg_ebur128, requires_ffmpeg
from signals import SR

from mbcl_audio.audio import ArraySource, read_all
from mbcl_audio.master import MasterResult, master
from mbcl_audio.measure import integrated_loudness, true_peak_dbtp
from mbcl_audio.measure.loudness import speech_gated_loudness, subblock_energies

CEILING, HEADROOM = -1.0, 1.0


@pytest.fixture(scope="module")
def mastered(speech):
    src = ArraySource(speech, SR)
    return {t: master(src, loudness_target=t, ceiling_dbtp=CEILING, headroom_db=HEADROOM) for t in (-23.0, -18.0, -16.0)}


def test_peak_to_loudness_trap_is_real(speech):
    # Gain alone to -16 LUFS would push the true peak far over the ceiling.
    lufs = integrated_loudness(ArraySource(speech, SR))
    assert true_peak_dbtp(speech, SR) + (-16.0 - lufs) > CEILING + 3.0


@pytest.mark.parametrize("target", [-23.0, -18.0, -16.0])
def test_lands_on_target_under_ceiling(mastered, target):
    out, res = mastered[target]
    assert isinstance(res, MasterResult)
    y = read_all(out)
    measured = integrated_loudness(ArraySource(y, SR))
    assert measured == pytest.approx(target, abs=0.2)
    assert res.output_loudness == pytest.approx(measured, abs=1e-9)
    tp = true_peak_dbtp(y, SR)
    assert tp <= CEILING - HEADROOM + 0.05
    assert res.true_peak_dbtp == pytest.approx(tp, abs=1e-6)
    assert res.ceiling_dbtp == CEILING - HEADROOM
    assert 1 <= res.iterations <= 5


def test_louder_targets_need_limiting(mastered):
    assert mastered[-16.0][1].max_reduction_db > mastered[-18.0][1].max_reduction_db > 0
    res = mastered[-16.0][1]
    assert res.gain_db > -16.0 - res.input_loudness  # the gain made up for what limiting took


def test_silent_source_raises():
    with pytest.raises(ValueError, match="nothing to normalize"):
        master(ArraySource(np.zeros((SR * 3, 2)), SR))


@requires_ffmpeg
@pytest.mark.parametrize("target", [-23.0, -16.0])
def test_ffmpeg_ebur128_agrees(mastered, target, tmp_path):
    out, res = mastered[target]
    path = tmp_path / "mastered.wav"
    sf.write(path, read_all(out), SR, subtype="FLOAT")
    lufs, peak = ffmpeg_ebur128(path)
    assert lufs == pytest.approx(res.output_loudness, abs=0.2)
    assert peak == pytest.approx(res.true_peak_dbtp, abs=0.3)
    assert peak <= CEILING - HEADROOM + 0.3


# --- the voice sets the level ----------------------------------------------------------------

VOICE_SR = 16_000


def voice_over_bed(bed_db: float, pause_s: float, bell: bool = False, seed: int = 1):
    """Stereo "track": four 2 s spoken phrases (band noise, syllables, a sharp consonant each) with
    ``pause_s`` between, over a noise bed at ``bed_db`` dB RMS ducked 12 dB under the voice, and
    optionally a loud bell strike in the first pause. Returns ``(x, speech_spans)``."""
    rng = np.random.default_rng(seed)
    sr = VOICE_SR
    phrase = 2 * sr
    n = int(4 * phrase + 5 * pause_s * sr)
    voice = np.zeros(n)
    spans = []
    sos = scipy.signal.butter(4, [200, 3000], btype="bandpass", fs=sr, output="sos")
    t = np.arange(phrase) / sr
    for k in range(4):
        a = int(pause_s * sr) * (k + 1) + phrase * k
        syllables = np.abs(np.sin(np.pi * 4.0 * t)) ** 1.5
        burst = scipy.signal.sosfilt(sos, rng.standard_normal(phrase)) * syllables * 0.05
        burst[sr // 2 : sr // 2 + 40] += 0.25 * np.hanning(40)  # a consonant: the peak the limiter meets
        voice[a : a + phrase] = burst
        spans.append((a, a + phrase))
    bed = 10 ** (bed_db / 20) * rng.standard_normal(n) if bed_db > -200 else np.zeros(n)
    for a, b in spans:
        bed[a:b] *= 10 ** (-12 / 20)
    if bell:
        at = int(pause_s * sr) // 2
        ring = np.arange(2 * sr) / sr
        voice[at : at + ring.size] += 0.9 * np.exp(-3 * ring) * np.sin(2 * np.pi * 660 * ring)
    x = np.repeat((voice + bed)[:, None], 2, axis=1).astype(np.float32)
    return x, spans


@pytest.mark.parametrize("bed_db", [-300.0, -55.0, -42.0])  # none, a pad-like bed, an ocean-like one
@pytest.mark.parametrize("pause_s", [3.0, 15.0])
def test_a_voice_target_puts_the_voice_on_it_whatever_the_bed_and_length(bed_db, pause_s):
    x, spans = voice_over_bed(bed_db, pause_s)
    out, res = master(ArraySource(x, VOICE_SR), -18.0, CEILING, HEADROOM, measure="voice", speech_spans=spans)
    y = read_all(out)
    energy, hop = subblock_energies(ArraySource(y, VOICE_SR))
    voice_lufs = speech_gated_loudness(energy, hop, spans)
    # Measured again on the output: within the master's tolerance, so every case within 0.1 LU of each other.
    assert voice_lufs == pytest.approx(-18.0, abs=0.05)
    assert (res.measure, res.output_loudness, res.voice_lufs) == ("voice", pytest.approx(voice_lufs), pytest.approx(voice_lufs))
    assert res.integrated_lufs == pytest.approx(integrated_loudness(ArraySource(y, VOICE_SR)), abs=1e-9)
    assert res.integrated_lufs <= voice_lufs + 0.1  # pauses never make the file louder than its voice
    # The consonants are limited, lightly.
    assert 0.0 < res.max_speech_reduction_db <= 3.0
    assert true_peak_dbtp(y, VOICE_SR) <= CEILING - HEADROOM + 0.05


def test_an_integrated_target_lets_a_loud_bed_lift_the_voice():
    # Why the listening profiles aim at the voice: the same target on the whole file.
    levels = []
    for bed_db in (-300.0, -42.0):
        x, spans = voice_over_bed(bed_db, 15.0)
        _, res = master(ArraySource(x, VOICE_SR), -18.0, CEILING, HEADROOM, measure="lufs", speech_spans=spans)
        levels.append(res.voice_lufs)
    assert abs(levels[1] - levels[0]) > 1.0


def test_limiting_on_a_bell_in_a_pause_is_not_limiting_on_speech():
    x, spans = voice_over_bed(-300.0, 6.0, bell=True)
    _, res = master(ArraySource(x, VOICE_SR), -23.0, CEILING, HEADROOM, measure="voice", speech_spans=spans)
    assert res.max_reduction_db > 3.0  # the bell strike
    assert res.max_speech_reduction_db == 0.0  # at -23 the consonants fit under the ceiling


def test_a_voice_target_needs_speech_spans():
    x, _ = voice_over_bed(-300.0, 3.0)
    with pytest.raises(ValueError, match="speech spans"):
        master(ArraySource(x, VOICE_SR), measure="voice")
    with pytest.raises(ValueError, match="silent .*in the speech spans"):
        master(ArraySource(x, VOICE_SR), measure="voice", speech_spans=[(0, 10)])


def test_each_limiter_pass_is_handed_out_as_it_starts_and_the_last_is_the_one_returned(speech, mastered):
    """What an encoder started on a pass gets: every pass, in order; the kept one is the returned
    object (the same audio as without watching), the missed ones closed."""
    passes = []
    out, res = master(ArraySource(speech, SR), loudness_target=-16.0, ceiling_dbtp=CEILING, headroom_db=HEADROOM,
                      on_pass=passes.append)
    assert res.iterations >= 2  # limiting takes loudness away: the first pass misses -16
    assert len(passes) == res.iterations and passes[-1] is out
    for missed in passes[:-1]:
        with pytest.raises((ValueError, OSError)):  # its file is gone
            missed.read(0, 10)
    assert np.array_equal(read_all(out), read_all(mastered[-16.0][0]))
