"""Voice profiles: loading, validation errors that name file and key, backends built from them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from texts import VOICES_DIR

from mbcl_audio.render.voice import VoiceError, find_profiles, get_voice, load_profile
from mbcl_audio.render.voice.espeak import EspeakVoice
from mbcl_audio.render.voice.piper import PiperVoice
from mbcl_audio.render.voice.profiles import (
    BUILTIN_PROFILES,
    require_commercial_use,
    runnable,
)

SHIPPED = VOICES_DIR

LICENCE = """
[licence]
name = "GPL-3.0-or-later (espeak-ng)"
commercial_use = true
url = "https://github.com/espeak-ng/espeak-ng"
note = "engine licence only"
"""


def write(voices: Path, voice_id: str, text: str) -> Path:
    path = voices / voice_id / "voice.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_espeak_profile_with_every_key(tmp_path):
    path = write(
        tmp_path,
        "calm-nl",
        'engine = "espeak"\nlanguages = ["nl", "nl-be"]\nfallback = "espeak"\ndescription = "calm"\n'
        '[espeak]\nrate_wpm = 120\npitch = 30\nvariant = "f3"\n' + LICENCE,
    )
    p = load_profile(path)
    assert (p.id, p.engine, p.languages, p.fallback, p.description) == ("calm-nl", "espeak", ("nl", "nl-be"), "espeak", "calm")
    assert dict(p.settings) == {"rate_wpm": 120, "pitch": 30, "variant": "f3"}
    assert p.licence.name.startswith("GPL") and p.licence.commercial_use is True
    assert p.licence.url and p.licence.note == "engine licence only"
    assert p.path == path and p.folder == path.parent
    assert load_profile(path.parent) == p  # the folder works too
    assert p.speaks("nl") and p.speaks("nl_NL") and not p.speaks("en")


def test_piper_relative_and_absolute_model_paths(tmp_path):
    rel = write(tmp_path, "dutch", 'engine = "piper"\nlanguages = ["nl"]\n[piper]\nmodel_path = "models/nl.onnx"\nconfig_path = "../shared/nl.json"\nlength_scale = 1.2\nnoise_scale = 0.1\nnoise_w_scale = 0.2\n' + LICENCE)
    p = load_profile(rel)
    assert p.settings["model_path"] == (tmp_path / "dutch" / "models" / "nl.onnx").resolve()
    assert p.settings["config_path"] == (tmp_path / "shared" / "nl.json").resolve()
    absolute = tmp_path / "elsewhere" / "de.onnx"
    p2 = load_profile(write(tmp_path, "german", f'engine = "piper"\nlanguages = ["de"]\n[piper]\nmodel_path = "{absolute}"\n' + LICENCE))
    assert p2.settings["model_path"] == absolute
    joe = load_profile(write(tmp_path, "joe", 'engine = "piper"\nlanguages = ["en"]\n[piper]\nmodel_path = "joe"\n' + LICENCE))
    assert joe.settings["model_path"] == "joe"


def test_coqui_and_takes_profiles_load(tmp_path):
    p = load_profile(write(tmp_path, "xtts", 'engine = "coqui"\nlanguages = ["nl", "de", "en"]\n[coqui]\nmodel = "tts_models/multilingual/multi-dataset/xtts_v2"\nspeaker_wav = "ref.wav"\n[licence]\nname = "CPML"\ncommercial_use = false\n'))
    assert p.settings["speaker_wav"] == (tmp_path / "xtts" / "ref.wav").resolve()
    t = load_profile(write(tmp_path, "anna", 'engine = "takes"\nlanguages = ["nl"]\nfallback = "espeak-nl"\n' + LICENCE))
    assert t.engine == "takes" and t.fallback == "espeak-nl"


@pytest.mark.parametrize(
    "text, key",
    [
        ('engine = "espeak"\nlanguages = ["nl"]\nspeed = 3\n' + LICENCE, "speed"),
        ('engine = "espeak"\nlanguages = ["nl"]\n[espeak]\nrate = 120\n' + LICENCE, "espeak.rate"),
        ('engine = "espeak"\nlanguages = ["nl"]\n[piper]\nlength_scale = 1.0\n' + LICENCE, "piper"),
        ('engine = "espeak"\nlanguages = ["nl"]\n' + LICENCE + "licensee = 'me'\n", "licence.licensee"),
        ('engine = "espeak"\nlanguages = ["nl"]\n[espeak]\npitch = 140\n' + LICENCE, "espeak.pitch"),
        ('engine = "espeak"\nlanguages = "nl"\n' + LICENCE, "languages"),
        ('engine = "espeak"\nlanguages = ["nl"]\n', "licence"),
        ('engine = "espeak"\nlanguages = ["nl"]\n[licence]\nname = "x"\ncommercial_use = "yes"\n', "licence.commercial_use"),
        ('languages = ["nl"]\n' + LICENCE, "engine"),
        ('engine = "piper"\nlanguages = ["en"]\n' + LICENCE, "piper.model_path"),
        ('engine = "coqui"\nlanguages = ["en"]\n' + LICENCE, "coqui.model"),
        ('engine = "takes"\nlanguages = ["nl"]\n' + LICENCE, "fallback"),
    ],
)
def test_errors_name_file_and_key(tmp_path, text, key):
    path = write(tmp_path, "bad", text)
    with pytest.raises(VoiceError) as err:
        load_profile(path)
    assert str(path) in str(err.value) and key in str(err.value)


@pytest.mark.parametrize(
    "text, message",
    [
        ('engine = "espeak"\nlanguages = ["nl"]\nlangauges = ["de"]\n' + LICENCE, "langauges: unknown key (did you mean 'languages'?)"),
        ('engine = "espeak"\nlanguages = ["nl"]\n[espeak]\npitchh = 40\n' + LICENCE, "espeak.pitchh: unknown key (did you mean 'pitch'?)"),
        ('engine = "espeak"\nlanguages = ["nl"]\n[licence]\nnmae = "GPL"\ncommercial_use = true\n', "licence.nmae: unknown key (did you mean 'name'?)"),
    ],
)
def test_a_misspelt_key_gets_the_key_it_is_close_to(tmp_path, text, message):
    with pytest.raises(VoiceError) as err:
        load_profile(write(tmp_path, "typo", text))
    assert message in str(err.value)


def test_bad_engine_lists_the_engines(tmp_path):
    path = write(tmp_path, "bad", 'engine = "festival"\nlanguages = ["nl"]\n' + LICENCE)
    with pytest.raises(VoiceError) as err:
        load_profile(path)
    msg = str(err.value)
    assert str(path) in msg and "engine" in msg and "'festival'" in msg
    assert all(e in msg for e in ("espeak", "piper", "coqui", "takes"))


def test_invalid_toml_names_the_file(tmp_path):
    path = write(tmp_path, "bad", "engine = espeak\n")
    with pytest.raises(VoiceError, match="not valid TOML"):
        load_profile(path)


def test_find_profiles_sorted_and_checks_fallbacks(tmp_path):
    write(tmp_path, "b-voice", 'engine = "espeak"\nlanguages = ["en"]\nfallback = "a-voice"\n' + LICENCE)
    write(tmp_path, "a-voice", 'engine = "espeak"\nlanguages = ["en"]\nfallback = "espeak"\n' + LICENCE)
    (tmp_path / "not-a-voice").mkdir()
    assert [p.id for p in find_profiles(tmp_path)] == ["a-voice", "b-voice"]
    assert find_profiles(tmp_path / "missing") == []
    write(tmp_path, "c-voice", 'engine = "espeak"\nlanguages = ["en"]\nfallback = "nobody"\n' + LICENCE)
    with pytest.raises(VoiceError, match=r"c-voice.*fallback.*'nobody'"):
        find_profiles(tmp_path)


def test_get_voice_builds_espeak_from_profile_settings(tmp_path):
    write(tmp_path, "calm-de", 'engine = "espeak"\nlanguages = ["de"]\n[espeak]\nrate_wpm = 110\npitch = 25\nvariant = "f3"\n' + LICENCE)
    voice = get_voice("calm-de", "de", voices_dir=tmp_path)
    assert isinstance(voice, EspeakVoice) and voice.name == "calm-de"
    identity = json.loads(voice.identity())
    assert identity["rate_wpm"] == 110 and identity["pitch"] == 25 and identity["voice"] == "de+f3"
    assert voice.identity() == EspeakVoice("de", rate_wpm=110, pitch=25, variant="f3").identity()
    with pytest.raises(VoiceError, match=r"calm-de.*speaks de, not 'nl'"):
        get_voice("calm-de", "nl", voices_dir=tmp_path)


def test_get_voice_builds_piper_from_profile_settings(tmp_path):
    write(tmp_path, "joe-slow", 'engine = "piper"\nlanguages = ["en"]\n[piper]\nmodel_path = "joe"\nlength_scale = 1.6\nnoise_scale = 0.2\n' + LICENCE)
    voice = get_voice("joe-slow", "en", voices_dir=tmp_path)
    assert isinstance(voice, PiperVoice) and voice.name == "joe-slow"
    identity = json.loads(voice.identity())
    assert identity["length_scale"] == 1.6 and identity["noise_scale"] == 0.2 and identity["noise_w_scale"] == 0.0


def test_piper_profile_with_missing_model_names_the_path(tmp_path):
    write(tmp_path, "dutch", 'engine = "piper"\nlanguages = ["nl"]\n[piper]\nmodel_path = "nl.onnx"\n' + LICENCE)
    with pytest.raises(VoiceError, match="nl.onnx"):
        get_voice("dutch", "nl", voices_dir=tmp_path)
    ok, why = runnable(load_profile(tmp_path / "dutch"))
    assert not ok and str(tmp_path / "dutch" / "nl.onnx") in why


def test_coqui_profile_without_the_extra_names_the_install(tmp_path):
    import importlib.util

    write(tmp_path, "xtts", 'engine = "coqui"\nlanguages = ["nl"]\n[coqui]\nmodel = "xtts_v2"\n[licence]\nname = "CPML"\ncommercial_use = false\n')
    if importlib.util.find_spec("TTS") is not None:
        pytest.skip("coqui-tts is installed: tests/render/voice/test_coqui.py covers this voice")
    with pytest.raises(VoiceError, match=r"mbcl-audio\[coqui\]"):
        get_voice("xtts", "nl", voices_dir=tmp_path)
    ok, why = runnable(load_profile(tmp_path / "xtts"))
    assert not ok and "coqui-tts is not installed" in why


def test_builtin_names_still_work_without_profiles(tmp_path):
    assert get_voice("espeak", "nl", voices_dir=tmp_path).name == "espeak"
    assert get_voice("piper-joe", "en", voices_dir=tmp_path).name == "piper-joe"


def test_shipped_profiles_load_and_keep_the_builtin_sound():
    profiles = {p.id: p for p in find_profiles(SHIPPED)}
    assert {"espeak-nl", "espeak-en", "espeak-de", "piper-joe"} <= set(profiles)
    for lang in ("nl", "en", "de"):
        p = profiles[f"espeak-{lang}"]
        assert p.languages == (lang,) and p.licence.commercial_use is True
        assert get_voice(p.id, lang, SHIPPED).identity() == get_voice("espeak", lang, SHIPPED.parent / "none").identity()
    # The en scripts say voice = "piper-joe": the profile must sound exactly like the built-in.
    assert get_voice("piper-joe", "en", SHIPPED).identity() == get_voice("piper-joe", "en", SHIPPED.parent / "none").identity()
    assert profiles["piper-joe"].licence == BUILTIN_PROFILES["piper-joe"].licence


def test_require_commercial_use(tmp_path):
    write(tmp_path, "nc", 'engine = "espeak"\nlanguages = ["en"]\n[licence]\nname = "CC-BY-NC-4.0"\ncommercial_use = false\nnote = "non-commercial only"\n')
    write(tmp_path, "wraps-nc", 'engine = "espeak"\nlanguages = ["en"]\nfallback = "nc"\n' + LICENCE)
    require_commercial_use("espeak", tmp_path)
    with pytest.raises(VoiceError) as err:
        require_commercial_use("nc", tmp_path)
    assert "'nc'" in str(err.value) and "CC-BY-NC-4.0" in str(err.value) and "non-commercial only" in str(err.value)
    with pytest.raises(VoiceError, match="fallback of 'wraps-nc'"):
        require_commercial_use("wraps-nc", tmp_path)
    with pytest.raises(VoiceError, match="no known licence"):
        require_commercial_use(str(tmp_path / "some.onnx"), tmp_path)


def test_commercial_refuses_xtts_even_when_the_profile_claims_otherwise(tmp_path):
    """Known model licences win over a profile's [licence]: XTTS-v2 is CPML, also behind a fallback."""
    write(tmp_path, "xtts", 'engine = "coqui"\nlanguages = ["nl"]\n[coqui]\nmodel = "tts_models/multilingual/multi-dataset/xtts_v2"\n' + LICENCE)
    write(tmp_path, "anna", 'engine = "takes"\nlanguages = ["nl"]\nfallback = "xtts"\n' + LICENCE)
    for name in ("xtts", "anna"):
        with pytest.raises(VoiceError, match=r"licensed CPML .*non-commercial.*may not be sold"):
            require_commercial_use(name, tmp_path)


def test_a_broken_profile_does_not_hide_the_others(tmp_path):
    from mbcl_audio.render.voice.profiles import scan_profiles

    write(tmp_path, "good", 'engine = "espeak"\nlanguages = ["nl"]\n' + LICENCE)
    write(tmp_path, "bad", 'engine = "espeak"\nlanguages = ["nl"]\n')
    profiles, problems = scan_profiles(tmp_path)
    assert [p.id for p in profiles] == ["good"]
    assert len(problems) == 1 and "bad/voice.toml" in problems[0] and "licence is missing" in problems[0]
