"""prepare_utterances / trim_silence: measured on real espeak speech and on synthetic signals."""

from __future__ import annotations

import numpy as np
import pytest
from audio_checks import reference_lufs

from mbcl_audio import SAMPLE_RATE
from mbcl_audio.render.voice.speech import apply_fades, prepare_utterances, trim_silence
from mbcl_audio.render.voice import SpeechCache, VoiceError
from mbcl_audio.render.voice.espeak import EspeakVoice

TEXTS_NL = [
    "Ga rustig zitten en laat je ogen zachtjes sluiten.",
    "Adem in.",
    "Merk op hoe je voeten op de grond rusten, en hoe de adem vanzelf gaat.",
]


class ToneVoice:
    """Fake backend: silence, a tone burst at a per-text level, silence."""

    name = "tone"
    language = "en"

    def __init__(self, sample_rate: int = 22050, levels: dict[str, float] | None = None,
                 lead_s: float = 0.3, tail_s: float = 0.5, freq: float = 440.0) -> None:
        self.sample_rate = sample_rate
        self.levels = levels or {}
        self.lead_s, self.tail_s, self.freq = lead_s, tail_s, freq
        self.calls = 0

    def identity(self) -> str:
        return f"tone {self.sample_rate} {self.levels} {self.lead_s} {self.tail_s} {self.freq}"

    def synthesize(self, text: str) -> np.ndarray:
        self.calls += 1
        sr = self.sample_rate
        t = np.arange(int(sr * (0.2 + 0.05 * len(text)))) / sr
        tone = self.levels.get(text, 0.5) * np.sin(2 * np.pi * self.freq * t)
        return np.concatenate(
            [np.zeros(int(self.lead_s * sr)), tone, np.zeros(int(self.tail_s * sr))]
        ).astype(np.float32)


def frame_rms(x: np.ndarray, sr: int, frame_s: float = 0.01) -> np.ndarray:
    n = int(frame_s * sr)
    k = x.size // n
    return np.sqrt(np.mean(x[: k * n].astype(np.float64).reshape(k, n) ** 2, axis=1))


def edge_silence_s(x: np.ndarray, sr: int, rel_db: float = -40.0) -> tuple[float, float]:
    """Leading and trailing time (s) before the first / after the last 10 ms frame within
    ``rel_db`` of the loudest frame."""
    rms = frame_rms(x, sr)
    loud = np.flatnonzero(rms >= rms.max() * 10 ** (rel_db / 20))
    return loud[0] * 0.01, (rms.size - 1 - loud[-1]) * 0.01


@pytest.fixture(scope="module")
def espeak_nl_clips(tmp_path_factory):
    cache = SpeechCache(tmp_path_factory.mktemp("speech-cache"))
    voice = EspeakVoice("nl")
    return voice, cache, prepare_utterances(TEXTS_NL, voice, cache)


# --- trim_silence and fades -------------------------------------------------


def test_trim_keeps_pre_and_post_roll():
    sr = 44100
    burst = 0.5 * np.sin(2 * np.pi * 300 * np.arange(sr) / sr)
    x = np.concatenate([np.zeros(sr // 2), burst, np.zeros(int(0.7 * sr))]).astype(np.float32)
    y = trim_silence(x, sr)
    # 1 s of sound + 40 ms + 80 ms, to within one 10 ms frame on each side.
    assert abs(y.size / sr - 1.12) <= 0.02
    start = int(np.flatnonzero(y)[0])
    assert abs(start / sr - 0.04) <= 0.01


def test_trim_threshold_is_relative_to_peak():
    sr = 16000
    quiet_noise = 0.5 * 10 ** (-60 / 20) * np.random.default_rng(0).standard_normal(sr)
    burst = 0.5 * np.sin(2 * np.pi * 300 * np.arange(sr) / sr)
    x = np.concatenate([quiet_noise, burst, quiet_noise]).astype(np.float32)
    assert abs(trim_silence(x, sr).size / sr - 1.12) <= 0.02  # -60 dB hiss counts as silence
    # The same signal 40 dB quieter trims the same way.
    assert trim_silence(x * 0.01, sr).size == trim_silence(x, sr).size


def test_trim_silent_and_empty():
    assert trim_silence(np.zeros(1000, dtype=np.float32), 44100).size == 0
    assert trim_silence(np.zeros(0, dtype=np.float32), 44100).size == 0


def test_fades_are_raised_cosine_to_zero():
    sr = 44100
    y = apply_fades(np.ones(sr, dtype=np.float32), sr)
    n = int(0.005 * sr)
    assert y[0] == 0.0 and y[-1] == 0.0
    assert np.all(np.diff(y[:n]) > 0) and np.all(np.diff(y[-n:]) < 0)
    assert y[n // 2] == pytest.approx(0.5, abs=0.01)
    assert np.all(y[n:-n] == 1.0)


# --- prepare_utterances on real espeak speech -------------------------------


def test_clips_are_float32_mono_at_44100(espeak_nl_clips):
    voice, _, clips = espeak_nl_clips
    assert len(clips) == len(TEXTS_NL)
    for clip, text in zip(clips, TEXTS_NL):
        assert clip.dtype == np.float32 and clip.ndim == 1
        native = trim_silence(voice.synthesize(text), voice.sample_rate)
        # Resampled 22050 -> 44100: twice as many samples for the same speech (espeak
        # varies by a few samples per run, trimming by a frame).
        assert clip.size / SAMPLE_RATE == pytest.approx(native.size / voice.sample_rate, abs=0.03)


def test_clips_are_trimmed(espeak_nl_clips):
    _, _, clips = espeak_nl_clips
    for clip in clips:
        lead, tail = edge_silence_s(clip, SAMPLE_RATE)
        assert lead < 0.06, lead
        assert tail < 0.12, tail


def test_clip_edges_do_not_click(espeak_nl_clips):
    _, _, clips = espeak_nl_clips
    for clip in clips:
        assert abs(clip[0]) < 1e-6 and abs(clip[-1]) < 1e-6
        # The first 5 ms never jump: no sample-to-sample step above 0.05.
        n = int(0.005 * SAMPLE_RATE)
        assert np.max(np.abs(np.diff(clip[: n + 1]))) < 0.05
        assert np.max(np.abs(np.diff(clip[-n - 1 :]))) < 0.05


def test_concatenation_measures_target_loudness(espeak_nl_clips):
    _, _, clips = espeak_nl_clips
    assert reference_lufs(np.concatenate(clips), SAMPLE_RATE) == pytest.approx(-20.0, abs=0.1)


def test_other_target_and_cache_reuse(espeak_nl_clips):
    voice, cache, _ = espeak_nl_clips
    misses = cache.misses
    clips = prepare_utterances(TEXTS_NL, voice, cache, speech_lufs=-23.0)
    assert cache.misses == misses  # all three came from the cache
    assert reference_lufs(np.concatenate(clips), SAMPLE_RATE) == pytest.approx(-23.0, abs=0.1)


# --- prepare_utterances on synthetic voices ---------------------------------


def test_common_gain_keeps_level_differences(tmp_path):
    texts = ["loud one here", "soft one here"]
    voice = ToneVoice(levels={"loud one here": 0.6, "soft one here": 0.15})  # 12 dB apart
    clips = prepare_utterances(texts, voice, SpeechCache(tmp_path))
    gap_db = reference_lufs(clips[0], SAMPLE_RATE) - reference_lufs(clips[1], SAMPLE_RATE)
    assert gap_db == pytest.approx(20 * np.log10(4), abs=0.1)
    assert reference_lufs(np.concatenate(clips), SAMPLE_RATE) == pytest.approx(-20.0, abs=0.1)


@pytest.mark.parametrize("native_rate", [16000, 22050, 24000, 48000])
def test_resampling_preserves_pitch_and_duration(tmp_path, native_rate):
    voice = ToneVoice(sample_rate=native_rate, lead_s=0.0, tail_s=0.0, freq=1000.0)
    text = "a tone of about one second."
    (clip,) = prepare_utterances([text], voice, SpeechCache(tmp_path))
    expected_s = int(native_rate * (0.2 + 0.05 * len(text))) / native_rate
    assert clip.size / SAMPLE_RATE == pytest.approx(expected_s, abs=0.002)
    spectrum = np.abs(np.fft.rfft(clip * np.hanning(clip.size)))
    peak_hz = np.argmax(spectrum) * SAMPLE_RATE / clip.size
    assert peak_hz == pytest.approx(1000.0, abs=2.0)


def test_short_utterance_below_one_gating_block(tmp_path):
    class Blip(ToneVoice):
        def synthesize(self, text):
            t = np.arange(int(0.15 * self.sample_rate)) / self.sample_rate
            return (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)

    (clip,) = prepare_utterances(["Hm."], Blip(), SpeechCache(tmp_path))
    # Measured as a repetition of itself: its mean-square level sits at the target.
    assert reference_lufs(np.tile(clip, 10), SAMPLE_RATE) == pytest.approx(-20.0, abs=0.3)


@pytest.mark.parametrize("output", [np.zeros(0), np.zeros(22050), np.full(22050, 1e-6)],
                         ids=["empty", "digital-silence", "near-silence"])
def test_silent_backend_output_names_the_text(tmp_path, output):
    class Mute(ToneVoice):
        def synthesize(self, text):
            return output.astype(np.float32) if text == "Adem in." else super().synthesize(text)

    with pytest.raises(VoiceError, match="Adem in"):
        prepare_utterances(["Goed zo.", "Adem in."], Mute(), SpeechCache(tmp_path))


def test_no_texts_gives_no_clips(tmp_path):
    assert prepare_utterances([], ToneVoice(), SpeechCache(tmp_path)) == []


def test_errors_name_where_the_utterance_is(tmp_path):
    class Silent:
        name, language, sample_rate = "silent", "en", 22_050

        def identity(self):
            return "silent-1"

        def synthesize(self, text):
            return np.zeros(22_050, dtype=np.float32)

    with pytest.raises(VoiceError, match=r"^scripts/en/x.txt:7:3: voice 'silent' \(en\) produced no audible speech"):
        prepare_utterances(["Hello there."], Silent(), SpeechCache(tmp_path), where=["scripts/en/x.txt:7:3"])
