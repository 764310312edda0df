"""mbcl-audio build and profiles: examples in help, clear errors, nothing half-written."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile as sf
from click.testing import CliRunner
from texts import SHORT

from mbcl_audio.cli import main


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def build_short(tmp_path, *options, text=SHORT):
    """Write the short test script and build it into tmp_path/out with a private speech cache."""
    script = tmp_path / "03-kort.txt"
    script.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run("build", str(script), "--out", str(out), *options, env={"MBCL_AUDIO_CACHE": str(tmp_path / "cache")})
    return script, out, result


def test_help_carries_examples():
    top = run("--help")
    assert top.exit_code == 0 and "mbcl-audio build 1 --lang nl,en" in top.output
    build = run("build", "--help")
    assert build.exit_code == 0
    assert "Examples:" in build.output and "--length 8m" in build.output


def test_build_a_script_file(tmp_path):
    _, out, result = build_short(tmp_path)
    assert result.exit_code == 0, result.output
    path = out / "nl" / "03 Korte test - rust.mp3"
    assert path.is_file()
    info = sf.info(str(path))
    assert info.frames == 20 * 44_100
    assert "LUFS" in result.output and "dBTP" in result.output


def test_script_error_names_file_line_and_column(tmp_path):
    script, out, result = build_short(tmp_path, text=SHORT.replace("[pause 2s..30s]", "[pauze 2s]"))
    assert result.exit_code == 1
    assert f"{script}:13:2: error: unknown directive 'pauze'" in result.output
    assert "pauze" in result.output
    assert not out.exists()


def test_length_outside_range_names_min_and_max(tmp_path):
    _, out, result = build_short(tmp_path, "--length", "5m")
    assert result.exit_code == 1
    # Far out of reach: refused with estimated speech, before anything is synthesized.
    assert "cannot be reached" in result.output and "from about 0:" in result.output and " to 0:" in result.output
    assert "nothing was synthesized" in result.output
    assert not list(out.rglob("*.mp3"))


def test_bad_length_option_is_a_usage_error():
    result = run("build", "1", "--length", "five minutes")
    assert result.exit_code == 2
    assert "cannot read duration" in result.output


@pytest.mark.parametrize("lengths", [",", " , ,", ""])
def test_an_empty_length_list_is_a_usage_error_not_the_default_length(lengths):
    script = Path(__file__).resolve().parents[2] / "scripts" / "nl" / "01-ademruimte-met-vriendelijkheid.txt"
    for command in (("build", "1"), ("plan", str(script))):
        result = run(*command, "--length", lengths)
        assert result.exit_code == 2, result.output
        assert "names no length" in result.output


def test_unknown_track_language(tmp_path):
    (tmp_path / "nl").mkdir()
    result = run("build", "1", "--lang", "xx", "--scripts", str(tmp_path))
    assert result.exit_code == 1
    assert f"error: no script folder for language 'xx': {tmp_path / 'xx'} does not exist" in result.output
    assert "language folders present: nl" in result.output
    assert "Traceback" not in result.output


def test_track_number_outside_the_set():
    result = run("build", "28")
    assert result.exit_code == 1
    assert "error: track number 28 is outside 1-27" in result.output


def test_lang_with_a_script_path_is_refused(tmp_path):
    _, _, result = build_short(tmp_path, "--lang", "en")
    assert result.exit_code == 1
    assert "--lang selects scripts by track number" in result.output
    assert not (tmp_path / "out").exists()


def test_track_that_misses_its_loudness_target_is_not_written(tmp_path):
    """A -3 LUFS target is beyond what limiting reaches: the build fails and writes nothing."""
    _, out, result = build_short(tmp_path, "--loudness", "-3")
    assert result.exit_code == 1
    assert "fails QA for profile 'meditation (target -3)': voice loudness (speech-gated)" in result.output
    assert "is below the allowed -3.5..-2.5 LUFS; nothing was written" in result.output
    assert not [p for p in out.rglob("*") if p.is_file()]


def test_output_folder_that_cannot_be_created_is_a_clear_error(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "nl").write_text("a file where the language folder should be")
    _, _, result = build_short(tmp_path)
    assert result.exit_code == 1
    assert "error:" in result.output and str(tmp_path / "out" / "nl") in result.output
    assert "Traceback" not in result.output


def test_length_variants_write_one_file_each(tmp_path):
    _, out, result = build_short(tmp_path, "--length", "20s,30s")
    assert result.exit_code == 0, result.output
    default = out / "nl" / "03 Korte test - rust.mp3"
    variant = out / "nl" / "03 Korte test - rust (30 s).mp3"
    assert sf.info(str(default)).frames == 20 * 44_100
    assert sf.info(str(variant)).frames == 30 * 44_100


def test_profiles_lists_shipped_and_project_profiles(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mbcl-audio.toml").write_text('[build]\nprofile = "night"\n[profiles.night]\ntarget_lufs = -24\n')
    result = run("profiles")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert any(line.startswith("* night") and "-24 LUFS (integrated)" in line for line in lines)
    assert any(line.startswith("  acx") and "-22.7 dB RMS +/- 0.3, true peak <= -3 dBTP, sample peak <= -3 dBFS" in line for line in lines)
    assert any(line.startswith("  meditation") and "-18 LUFS (voice) +/- 0.5" in line for line in lines)


def test_profiles_names_an_invalid_project_profile_and_its_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mbcl-audio.toml").write_text("[profiles.hot]\ntarget_lufs = -18\ntrue_peak_dbtp = 3.0\n")
    result = run("profiles")
    assert result.exit_code == 1
    assert "mbcl-audio.toml: [profiles.hot]: true_peak_dbtp = 3 is outside -20..0" in result.output
    assert "Traceback" not in result.output
