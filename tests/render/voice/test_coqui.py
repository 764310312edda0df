"""coqui-tts backend: a tiny VITS model built in the test (random weights, no download)."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("TTS")

from mbcl_audio.render.voice import VoiceBackend, VoiceError, get_voice
from mbcl_audio.render.voice.coqui import CoquiVoice, chunk_text

XTTS = "tts_models/multilingual/multi-dataset/xtts_v2"

BUILD_TINY_VITS = """
import sys, torch
from TTS.config.shared_configs import BaseAudioConfig
from TTS.tts.configs.vits_config import VitsConfig
from TTS.tts.models.vits import Vits, VitsArgs
out, seed = sys.argv[1], int(sys.argv[2])
torch.manual_seed(seed)
args = VitsArgs(hidden_channels=64, num_layers_text_encoder=2, num_layers_flow=2, init_discriminator=False,
                upsample_initial_channel_decoder=64)
config = VitsConfig(model_args=args, audio=BaseAudioConfig(sample_rate=22050), use_phonemes=False,
                    text_cleaner="basic_cleaners")
model = Vits(config)
torch.save({"model": model.state_dict()}, out + "/model.pth")
config.save_json(out + "/config.json")
"""


def build_tiny_vits(folder, seed=0):
    """A randomly initialised VITS checkpoint + config (built in a subprocess: keeps torch out of this one)."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-c", BUILD_TINY_VITS, str(folder), str(seed)], check=True, capture_output=True)
    return folder / "model.pth", folder / "config.json"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return build_tiny_vits(tmp_path_factory.mktemp("vits"))


def test_tiny_vits_speaks_through_the_backend(tiny):
    model, config = tiny
    voice = CoquiVoice("en", model_path=model, config_path=config)
    assert isinstance(voice, VoiceBackend)
    assert voice.sample_rate == json.loads(config.read_text())["audio"]["sample_rate"] == 22050
    audio = voice.synthesize("Breathe in. And breathe out, slowly.")
    assert audio.dtype == np.float32 and audio.ndim == 1 and audio.size > 0.2 * voice.sample_rate
    assert np.all(np.abs(audio) <= 1.0) and np.any(audio != 0)
    assert np.array_equal(audio, voice.synthesize("Breathe in. And breathe out, slowly."))
    assert voice.synthesize("   ").size == 0


def test_identity_changes_with_the_model_file(tiny, tmp_path):
    model, config = tiny
    ident = json.loads(CoquiVoice("en", model_path=model, config_path=config).identity())
    assert ident["engine"] == "coqui" and ident["coqui_tts"] and ident["language"] == "en"
    assert ident["model_sha256"] and ident["speaker_wav_sha256"] is None
    other_model, other_config = build_tiny_vits(tmp_path / "other", seed=1)
    assert CoquiVoice("en", model_path=other_model, config_path=other_config).identity() != json.dumps(ident, sort_keys=True)
    assert CoquiVoice("en", model_path=model, config_path=config).identity() != CoquiVoice("nl", model_path=model, config_path=config).identity()
    clip = tmp_path / "ref.wav"
    clip.write_bytes(b"RIFF0000WAVE")
    with_clip = json.loads(CoquiVoice("en", model_path=model, config_path=config, speaker_wav=clip).identity())
    assert with_clip["speaker_wav_sha256"]


def test_profile_builds_the_backend_with_paths_relative_to_its_folder(tiny, tmp_path):
    model, config = tiny
    folder = tmp_path / "voices" / "tiny"
    folder.mkdir(parents=True)
    (folder / "m.pth").write_bytes(model.read_bytes())
    (folder / "c.json").write_bytes(config.read_bytes())
    (folder / "voice.toml").write_text(
        'engine = "coqui"\nlanguages = ["en"]\n[coqui]\nmodel_path = "m.pth"\nconfig_path = "c.json"\n'
        '[licence]\nname = "test"\ncommercial_use = false\n'
    )
    voice = get_voice("tiny", "en", voices_dir=tmp_path / "voices")
    assert isinstance(voice, CoquiVoice) and voice.name == "tiny" and voice.model_path == folder / "m.pth"
    assert voice.synthesize("Hello.").size > 0


def test_missing_named_model_offline_gives_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TTS_HOME", str(tmp_path / "tts-home"))
    monkeypatch.delenv("COQUI_TOS_AGREED", raising=False)
    for accept in (False, True):  # EOFError at the licence prompt, then LocalEntryNotFoundError
        voice = CoquiVoice("nl", model_name=XTTS, accept_licence=accept)
        with pytest.raises(VoiceError) as err:
            voice.synthesize("Welkom.")
        msg = str(err.value)
        for part in (XTTS, str(tmp_path / "tts-home"), "1.9 GB", "CPML", "non-commercial", "network", "model_path"):
            assert part in msg, (part, msg)
        assert "COQUI_TOS_AGREED" not in os.environ


def test_missing_library_message_names_the_extra(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n, *a: None if n == "TTS" else real(n, *a))
    with pytest.raises(VoiceError) as err:
        CoquiVoice("nl", model_name=XTTS)
    assert "pip install 'mbcl-audio[coqui]'" in str(err.value) and "torch==2.13.0" in str(err.value)


def test_chunking_stays_under_the_xtts_limit_at_sentence_ends():
    sentence = "Let your attention rest gently on the breath, without changing it in any way at all."
    text = " ".join([sentence] * 8)
    assert len(text) >= 600
    pieces = chunk_text(text, 250)
    assert len(pieces) == 8 and all(p == sentence for p in pieces)
    long = "And now, " + ", ".join(["feel the weight of your body resting on the floor"] * 12) + "."
    parts = chunk_text(long, 250)
    assert all(len(p) <= 250 for p in parts) and len(parts) > 1
    assert all(p.endswith(",") for p in parts[:-1]) and parts[-1].endswith(".")
    assert " ".join(parts) == long


def test_xtts_reads_reference_clips_with_soundfile(tmp_path):
    """XTTS's speaker_wav loader is replaced: stereo 48 kHz in, mono tensor at the asked rate out."""
    import soundfile as sf
    from TTS.tts.models import xtts

    from mbcl_audio.render.voice.coqui import _load_audio_soundfile, _read_reference_clips_with_soundfile

    _read_reference_clips_with_soundfile()
    assert xtts.load_audio is _load_audio_soundfile
    t = np.arange(48_000) / 48_000
    clip = np.stack([0.5 * np.sin(2 * np.pi * 220 * t), 0.3 * np.sin(2 * np.pi * 220 * t)], axis=1)
    path = tmp_path / "reference.wav"
    sf.write(path, clip, 48_000, subtype="PCM_24")
    audio = xtts.load_audio(str(path), 22_050)
    assert tuple(audio.shape) == (1, 22_050)
    assert abs(float(audio.abs().max()) - 0.4) < 0.01  # the channels' mean
