"""mbcl-audio voices, cache info/clear and build --commercial."""

from __future__ import annotations

import numpy as np
from click.testing import CliRunner
from texts import SHORT, VOICES_DIR

import cache_race_worker
from mbcl_audio.cli import main
from mbcl_audio.render.voice import SpeechCache, find_profiles


NON_COMMERCIAL = """engine = "espeak"
languages = ["nl"]

[espeak]
rate_wpm = 130

[licence]
name = "CC-BY-NC-4.0"
commercial_use = false
note = "the voice design may not be used commercially"
"""


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def test_voices_lists_every_shipped_profile_and_the_builtins():
    result = run("voices", "--voices", str(VOICES_DIR))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["id", "engine", "languages", "licence", "commercial", "runs", "here", "source"]
    for profile in find_profiles(VOICES_DIR):
        row = next(line for line in lines if line.split()[:1] == [profile.id])
        assert profile.engine in row and profile.licence.name in row and str(profile.path) in row
        commercial, runs = _flags(row)
        assert commercial == ("yes" if profile.licence.commercial_use else "no")
        assert runs == "yes"  # espeak and the bundled piper voice are installed dependencies
    assert any(line.startswith("espeak ") and "built-in" in line for line in lines)
    joe = next(line for line in lines if line.startswith("piper-joe"))
    assert _flags(joe) == ("no", "yes") and "lessac" in joe


def _flags(row: str) -> tuple[str, str]:
    """The commercial and runs-here cells: the two yes/no words before the source column."""
    cells = row.split()
    return cells[-3], cells[-2]


def test_voices_reports_why_a_voice_cannot_run(tmp_path):
    (tmp_path / "dutch").mkdir()
    (tmp_path / "dutch" / "voice.toml").write_text(
        'engine = "piper"\nlanguages = ["nl"]\n[piper]\nmodel_path = "nl_NL-x.onnx"\n'
        '[licence]\nname = "CC0"\ncommercial_use = true\n',
        encoding="utf-8",
    )
    result = run("voices", "--voices", str(tmp_path))
    assert result.exit_code == 0, result.output
    row = next(line for line in result.output.splitlines() if line.startswith("dutch"))
    assert _flags(row) == ("yes", "no")
    assert f"dutch: cannot run here: piper voice model not found: {tmp_path / 'dutch' / 'nl_NL-x.onnx'}" in result.output


def test_voices_with_a_broken_profile_names_file_and_key(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "voice.toml").write_text('engine = "espeak"\nlanguages = ["nl"]\nvolume = 3\n', encoding="utf-8")
    result = run("voices", "--voices", str(tmp_path))
    assert result.exit_code == 1
    assert str(tmp_path / "bad" / "voice.toml") in result.output and "volume" in result.output


def test_commercial_build_refuses_a_non_commercial_voice(tmp_path):
    voices = tmp_path / "voices"
    (voices / "nc-nl").mkdir(parents=True)
    (voices / "nc-nl" / "voice.toml").write_text(NON_COMMERCIAL, encoding="utf-8")
    script = tmp_path / "03-kort.txt"
    script.write_text(SHORT, encoding="utf-8")
    out = tmp_path / "out"
    env = {"MBCL_AUDIO_CACHE": str(tmp_path / "cache")}
    args = ["build", str(script), "--out", str(out), "--voices", str(voices), "--voice", "nc-nl"]
    refused = run(*args, "--commercial", env=env)
    assert refused.exit_code == 1
    assert "'nc-nl'" in refused.output and "CC-BY-NC-4.0" in refused.output
    assert "may not be used commercially" in refused.output and "--commercial" in refused.output
    assert not out.exists() or not list(out.rglob("*.mp3"))
    # Without --commercial the same voice builds, from its profile settings.
    built = run(*args, env=env)
    assert built.exit_code == 0, built.output
    assert (out / "nl" / "03 Korte test - rust.mp3").is_file()
    assert "--commercial" in run("build", "--help").output


def test_commercial_check_passes_for_a_commercial_voice(tmp_path):
    from mbcl_audio.build import BuildOptions, prepare_track

    script = tmp_path / "03-kort.txt"
    script.write_text(SHORT, encoding="utf-8")
    prepared = prepare_track(
        script,
        BuildOptions(voice="espeak-nl", commercial=True, voices_dir=VOICES_DIR),
        cache=SpeechCache(tmp_path / "cache"),
    )
    assert prepared.voice_name == "espeak-nl"


def test_cache_info_and_clear(tmp_path):
    directory = tmp_path / "cache"
    env = {"MBCL_AUDIO_CACHE": str(directory)}
    empty = run("cache", "info", env=env)
    assert empty.exit_code == 0 and "entries: 0" in empty.output and str(directory) in empty.output

    cache = SpeechCache(directory)
    voice = cache_race_worker.SlowVoice()
    voice.synthesize = lambda text: np.full(250_000, 0.1, dtype=np.float32)  # 1 MB per entry
    for text in ("one", "two", "three"):
        cache.synthesize(voice, text)
    (directory / ".tmp-leftover.npy").write_bytes(b"partial")  # a build writing right now: not counted

    info = run("cache", "info", env=env)
    assert info.exit_code == 0
    assert "entries: 3" in info.output and "size: 3.0 MB" in info.output

    cleared = run("cache", "clear", env=env)
    assert cleared.exit_code == 0 and "removed 3 entries" in cleared.output
    assert SpeechCache(directory).entries() == []
    assert (directory / ".tmp-leftover.npy").exists()  # too young to be a leftover of a killed build
    assert "entries: 0" in run("cache", "info", env=env).output
    assert "mbcl-audio cache info" in run("cache", "--help").output


def test_voices_lists_the_good_profiles_and_fails_on_a_broken_one(tmp_path):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "voice.toml").write_text('engine = "espeak"\nlanguages = ["nl"]\n', encoding="utf-8")
    good = VOICES_DIR / "espeak-nl" / "voice.toml"
    (tmp_path / "espeak-nl").mkdir()
    (tmp_path / "espeak-nl" / "voice.toml").write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["voices", "--voices", str(tmp_path)])
    assert result.exit_code == 1
    assert "espeak-nl" in result.output and "built-in" in result.output
    assert "bad/voice.toml: licence is missing" in result.output
