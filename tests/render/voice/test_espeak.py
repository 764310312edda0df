"""espeak-ng backend: real synthesis through the bundled library, measured."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from mbcl_audio.render.voice import VoiceBackend, VoiceError, get_voice
from mbcl_audio.render.voice.espeak import EspeakVoice, available_voices

# Ten words each.
SENTENCES = {
    "nl": "Adem rustig in en voel hoe je lichaam zwaar wordt.",
    "en": "Breathe in slowly and feel how your body grows heavy.",
    "de": "Atme ruhig ein und spüre wie dein Körper schwer wird.",
}


def rms_db(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(np.square(x, dtype=np.float64))) + 1e-12)


@pytest.mark.parametrize("language", ["nl", "en", "de"])
def test_speaks_language_audibly_at_reported_rate(language):
    voice = EspeakVoice(language)
    assert isinstance(voice, VoiceBackend)
    assert voice.sample_rate == 22050  # espeak-ng's native rate, as the library reports it
    audio = voice.synthesize(SENTENCES[language])
    assert audio.dtype == np.float32 and audio.ndim == 1
    assert np.all(np.abs(audio) <= 1.0)
    assert rms_db(audio) > -30.0  # speech, not near-silence
    duration = audio.size / voice.sample_rate
    assert 2.0 <= duration <= 8.0, duration


def test_languages_sound_different():
    en = EspeakVoice("en").synthesize("Hello")
    nl = EspeakVoice("nl").synthesize("Hello")
    assert en.size != nl.size or not np.array_equal(en, nl)


def test_rate_setting_changes_duration():
    text = SENTENCES["en"]
    slow = EspeakVoice("en", rate_wpm=100).synthesize(text).size
    fast = EspeakVoice("en", rate_wpm=200).synthesize(text).size
    assert 1.6 < slow / fast < 2.4  # roughly inverse to the rate


def test_unknown_language_raises_with_suggestions():
    with pytest.raises(VoiceError, match="'xx-nonsense'"):
        EspeakVoice("xx-nonsense")
    with pytest.raises(VoiceError, match=r"Similar: nl"):
        EspeakVoice("nl-NL")


def test_unknown_variant_raises():
    with pytest.raises(VoiceError, match="variant 'no-such-variant'"):
        EspeakVoice("nl", variant="no-such-variant")
    assert EspeakVoice("nl", variant="f3").synthesize("hallo").size > 0


def test_invalid_settings_raise():
    with pytest.raises(VoiceError):
        EspeakVoice("en", rate_wpm=20)
    with pytest.raises(VoiceError):
        EspeakVoice("en", pitch=101)


def test_identity_covers_every_setting():
    base = EspeakVoice("nl").identity()
    assert "1.52" in base  # the library version is part of the key
    others = {
        EspeakVoice("en").identity(),
        EspeakVoice("nl", rate_wpm=150).identity(),
        EspeakVoice("nl", pitch=50).identity(),
        EspeakVoice("nl", variant="f3").identity(),
    }
    assert base not in others and len(others) == 4
    assert EspeakVoice("nl").identity() == base  # stable


def test_concurrent_use_is_serialized():
    """Global library state: two threads with different voices must not mix settings."""
    texts = {"nl": SENTENCES["nl"], "en": SENTENCES["en"]}
    serial = {lang: EspeakVoice(lang, rate_wpm=rate).synthesize(texts[lang]).size
              for lang, rate in (("nl", 100), ("en", 220))}
    results: dict[str, list[int]] = {"nl": [], "en": []}

    def work(lang: str, rate: int) -> None:
        voice = EspeakVoice(lang, rate_wpm=rate)
        for _ in range(5):
            results[lang].append(voice.synthesize(texts[lang]).size)

    threads = [threading.Thread(target=work, args=a) for a in (("nl", 100), ("en", 220))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for lang in texts:
        # espeak varies by a few samples run to run; a leaked rate would change it by ~2x.
        assert all(abs(n - serial[lang]) < 0.02 * serial[lang] for n in results[lang]), results


def test_available_voices_lists_core_languages():
    codes = {lang for v in available_voices() for lang in v.languages}
    assert {"nl", "en", "de"} <= {c.split("-")[0] for c in codes}


def test_get_voice_espeak():
    voice = get_voice("espeak", "de")
    assert isinstance(voice, EspeakVoice) and voice.language == "de" and voice.name == "espeak"


def test_same_text_gives_identical_samples_whatever_was_spoken_before():
    """espeak-ng keeps hidden state between utterances; each utterance must not depend on it."""
    voice = EspeakVoice("nl")
    first = voice.synthesize("Je kunt aankomen in dit moment.")
    voice.synthesize("Moge ik tot rust komen.")
    EspeakVoice("en").synthesize("Something else entirely, and longer than that.")
    again = voice.synthesize("Je kunt aankomen in dit moment.")
    np.testing.assert_array_equal(first, again)
