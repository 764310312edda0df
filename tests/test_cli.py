"""The mbcl-audio command: examples in help, clear errors, nothing half-written."""

from __future__ import annotations

import soundfile as sf
from click.testing import CliRunner

from mbcl_audio.cli import main

SHORT = """+++
track = 3
title = "Korte test: rust"
language = "nl"
length = "20s"
bed = "none"
+++

# Begin

Je kunt even rustig ademen.

[pause 2s..30s]

# Einde

Dat was het.
"""


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def test_help_carries_examples():
    top = run("--help")
    assert top.exit_code == 0 and "mbcl-audio build 1 --lang nl,en" in top.output
    build = run("build", "--help")
    assert build.exit_code == 0
    assert "Examples:" in build.output and "--length 8m" in build.output


def test_build_a_script_file(tmp_path):
    script = tmp_path / "03-kort.txt"
    script.write_text(SHORT, encoding="utf-8")
    out = tmp_path / "out"
    result = run("build", str(script), "--out", str(out), env={"MBCL_AUDIO_CACHE": str(tmp_path / "cache")})
    assert result.exit_code == 0, result.output
    path = out / "nl" / "03 Korte test - rust.mp3"
    assert path.is_file()
    info = sf.info(str(path))
    assert info.frames == 20 * 44_100
    assert "LUFS" in result.output and "dBTP" in result.output


def test_script_error_names_file_line_and_column(tmp_path):
    script = tmp_path / "03-kort.txt"
    script.write_text(SHORT.replace("[pause 2s..30s]", "[pauze 2s]"), encoding="utf-8")
    out = tmp_path / "out"
    result = run("build", str(script), "--out", str(out))
    assert result.exit_code == 1
    assert f"{script}:13:2: error: unknown directive 'pauze'" in result.output
    assert "pauze" in result.output
    assert not out.exists()


def test_length_outside_range_names_min_and_max(tmp_path):
    script = tmp_path / "03-kort.txt"
    script.write_text(SHORT, encoding="utf-8")
    out = tmp_path / "out"
    result = run(
        "build", str(script), "--length", "5m", "--out", str(out), env={"MBCL_AUDIO_CACHE": str(tmp_path / "cache")}
    )
    assert result.exit_code == 1
    assert "cannot be reached" in result.output and "from 0:" in result.output and " to 0:" in result.output
    assert not list(out.rglob("*.mp3"))


def test_bad_length_option_is_a_usage_error():
    result = run("build", "1", "--length", "five minutes")
    assert result.exit_code == 2
    assert "cannot read duration" in result.output


def test_unknown_track_language(tmp_path):
    result = run("build", "1", "--lang", "xx", "--scripts", str(tmp_path))
    assert result.exit_code == 1
    assert "error" in result.output
