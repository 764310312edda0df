"""Report folder, PNG plots, the pacing tag and the ``qa`` command."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from qa_files import SR, acx_track, breath_tone, speech_like, write_mp3, write_wav

from mbcl_audio.cli.qa import qa
from mbcl_audio.export import TrackTags, read_tags, write_tags
from mbcl_audio.export.frames import PacingCycles, pacing_tag_json, parse_pacing_tag
from mbcl_audio.master.profiles import get_profile
from mbcl_audio.plan.model import Chapter
from mbcl_audio.qa import analyze_file, render_png, write_report

MEDITATION = get_profile("meditation")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CYCLE = 10 * SR  # 6 breaths a minute
IN = 5 * SR


def pacing_track(seconds: float = 40.0) -> tuple[np.ndarray, list[tuple[int, int, int]]]:
    """Speech for 10 s, then 3 breath cycles of the pacing tone, then speech: at about -18 LUFS."""
    x = 0.35 * speech_like(seconds, start_s=0.5, seed=7)
    start = 10 * SR
    cycles = [(start + k * CYCLE, IN, CYCLE) for k in range(3)]
    x[start : start + 3 * CYCLE] = 0.2 * np.tile(breath_tone(CYCLE, IN), 3)
    return x, cycles


def tag(path, pacing: str = "", chapters=()) -> None:
    tags = TrackTags("Ademruimte", 1, "MBCL", "Test", "nl", pacing=pacing)
    write_tags(path, tags, list(chapters), SR)


def test_pacing_tag_json_is_compact_and_deterministic():
    text = pacing_tag_json([(441000, 220500, 441000), (0, 220500, 441000)], 44100)
    assert text == '{"cycles":[[0,220500,441000],[441000,220500,441000]],"sample_rate":44100}'
    assert parse_pacing_tag(text) == PacingCycles(44100, ((0, 220500, 441000), (441000, 220500, 441000)))
    for bad in ("[]", "{", '{"sample_rate": 0, "cycles": []}', '{"sample_rate": 44100, "cycles": [[0, 5, 4]]}'):
        with pytest.raises(ValueError):
            parse_pacing_tag(bad)


def test_pacing_tag_round_trips_through_id3(tmp_path):
    x, cycles = pacing_track()
    path = write_mp3(tmp_path / "p.mp3", x)
    text = pacing_tag_json(cycles, SR)
    tag(path, pacing=text)
    got = read_tags(path)
    assert got["pacing"] == text
    assert parse_pacing_tag(got["pacing"]).cycles == tuple(cycles)
    tag(path)  # no pacing: no frame
    assert read_tags(path)["pacing"] is None


def test_positional_track_tags_still_work():
    tags = TrackTags("T", 2, "A", "B", "en", 27, "Meditation", "c")
    assert (tags.comment, tags.pacing) == ("c", "")


def test_analysis_reads_chapters_and_pacing_from_the_file(tmp_path):
    x, cycles = pacing_track()
    path = write_mp3(tmp_path / "p.mp3", x)
    chapters = [Chapter("Aankomen", 0, 10 * SR), Chapter("Ademen", 10 * SR, 40 * SR)]
    tag(path, pacing_tag_json(cycles, SR), chapters)
    facts = analyze_file(path, MEDITATION).facts
    assert [c[0] for c in facts.chapters] == ["Aankomen", "Ademen"]
    assert facts.chapters[1][1] == pytest.approx(10.0)
    assert facts.pacing.cycles == tuple(cycles)
    # The measured low band follows the tone: loud mid in-breath, near silent at each cycle's start.
    band = facts.series.scan.band_energy
    for start, inhale, _ in cycles:
        top, turn = (start + inhale) // 4410, start // 4410
        assert band[top - 1] > 100 * band[turn]


def test_pacing_given_directly_overrides_the_tag(tmp_path, good_speech):
    path = write_wav(tmp_path / "g.wav", good_speech)
    report = analyze_file(path, MEDITATION, pacing=[(0, IN, CYCLE)])
    assert report.facts.pacing == PacingCycles(SR, ((0, IN, CYCLE),))
    assert analyze_file(path, MEDITATION).facts.pacing is None


def test_png_is_valid_and_deterministic(tmp_path):
    x, cycles = pacing_track()
    path = write_mp3(tmp_path / "p.mp3", x)
    tag(path, pacing_tag_json(cycles, SR), [Chapter("Aankomen", 0, 10 * SR)])
    report = analyze_file(path, MEDITATION)
    first = render_png(report, tmp_path / "a.png").read_bytes()
    second = render_png(analyze_file(path, MEDITATION), tmp_path / "b.png").read_bytes()
    assert first[:8] == PNG_SIGNATURE
    assert first == second
    assert b"Software" not in first and b"matplotlib" not in first.lower()
    assert (int.from_bytes(first[16:20], "big"), int.from_bytes(first[20:24], "big")) == (1400, 900)
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary files left


def test_png_without_pacing_tag(tmp_path, good_speech):
    report = analyze_file(write_wav(tmp_path / "g.wav", good_speech), MEDITATION)
    assert render_png(report, tmp_path / "g.png").read_bytes()[:8] == PNG_SIGNATURE


@pytest.fixture()
def mixed_folder(tmp_path, good_speech):
    folder = tmp_path / "out"
    (folder / "nl").mkdir(parents=True)
    write_wav(folder / "nl" / "01 Good.wav", good_speech)
    write_mp3(folder / "02 Hot.mp3", good_speech * 10 ** (6 / 20))
    (folder / "notes.txt").write_text("not audio")
    (folder / "03 Broken.mp3").write_bytes(b"\0" * 1000)
    return folder


def test_report_json_and_markdown(mixed_folder, tmp_path):
    files = sorted(mixed_folder.rglob("*.mp3")) + sorted(mixed_folder.rglob("*.wav"))
    reports = [analyze_file(p, MEDITATION) for p in files]
    out = write_report(reports, tmp_path / "rep")
    assert {p.name for p in out.pngs} == {"01 Good.png", "02 Hot.png"}
    data = json.loads(out.json.read_text())
    assert data["passed"] is False
    assert data["counts"] == {"files": 3, "passed": 1, "failed": 2}
    assert data["profiles"]["meditation"]["target_voice_lufs"] == -18.0
    by_name = {f["path"].rsplit("/", 1)[-1]: f for f in data["files"]}
    for f, report in zip(data["files"], reports):
        assert [c["name"] for c in f["checks"]] == [c.name for c in report.checks]
    hot = by_name["02 Hot.mp3"]
    assert hot["failures"][0] == "voice-loudness"
    assert hot["measurement"]["integrated_lufs"] == pytest.approx(-12.0, abs=0.15)
    assert hot["format"] == {"container": "MP3", "sample_rate_hz": SR, "channels": 1,
                             "bitrate_kbps": 192, "bitrate_mode": "CBR"}
    assert by_name["01 Good.wav"]["measurement"]["noise_floor_db"] is None  # digital silence: -inf
    assert by_name["03 Broken.mp3"]["error"].startswith(str(mixed_folder / "03 Broken.mp3"))
    assert by_name["03 Broken.mp3"]["png"] is None

    md = out.markdown.read_text()
    assert "| File | Profile | Verdict | Integrated (LUFS) | True peak (dBTP) | LRA (LU) | RMS (dB) | Noise floor (dB) |" in md
    assert "- **voice-loudness**: integrated loudness -12.0 LUFS is above" in md
    assert "![02 Hot.mp3: waveform, short-term loudness and pacing](02%20Hot.png)" in md
    assert "- **decode**:" in md

    again = write_report(reports, tmp_path / "rep2")
    assert again.json.read_bytes() == out.json.read_bytes()
    assert again.markdown.read_bytes() == out.markdown.read_bytes()
    assert not list((tmp_path / "rep").glob(".*"))


def test_cli_passes(tmp_path, good_speech):
    folder = tmp_path / "ok"
    folder.mkdir()
    write_mp3(folder / "01 Good.mp3", good_speech)
    result = CliRunner().invoke(qa, [str(folder)])
    assert result.exit_code == 0, result.output
    assert f"PASS  {folder / '01 Good.mp3'}" in result.output
    assert f"report: {folder / 'qa-report' / 'report.md'}" in result.output
    assert (folder / "qa-report" / "01 Good.png").is_file()


def test_cli_fails_and_names_checks(mixed_folder, tmp_path):
    report_dir = tmp_path / "rep"
    result = CliRunner().invoke(qa, [str(mixed_folder), "--profile", "meditation", "--report", str(report_dir)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].startswith(f"FAIL  {mixed_folder / '02 Hot.mp3'}  voice-loudness -12.0 LUFS")
    assert lines[1].startswith(f"FAIL  {mixed_folder / '03 Broken.mp3'}") and "cannot decode" in lines[1]
    assert lines[2] == f"PASS  {mixed_folder / 'nl' / '01 Good.wav'}"
    assert "1 of 3 files pass the meditation profile" in result.output
    assert (report_dir / "report.json").is_file() and (report_dir / "report.md").is_file()


def test_cli_acx_profile_on_a_single_file(tmp_path):
    path = write_mp3(tmp_path / "noisy.mp3", acx_track(noise_db=-45.0))
    result = CliRunner().invoke(qa, [str(path), "--profile", "acx"])
    assert result.exit_code == 1
    assert "noise-floor -45." in result.output
    assert (tmp_path / "qa-report" / "report.md").is_file()


def test_cli_unknown_profile_and_no_files(tmp_path, good_speech):
    write_wav(tmp_path / "a.wav", good_speech)
    result = CliRunner().invoke(qa, [str(tmp_path), "--profile", "loud"])
    assert result.exit_code == 1
    assert "unknown loudness profile 'loud'" in result.output
    empty = tmp_path / "empty"
    empty.mkdir()
    result = CliRunner().invoke(qa, [str(empty)])
    assert result.exit_code == 1
    assert "no audio files" in result.output


def test_cli_uses_the_project_profile(tmp_path, good_speech, monkeypatch):
    (tmp_path / "mbcl-audio.toml").write_text('[build]\nprofile = "podcast"\n')
    monkeypatch.chdir(tmp_path)
    write_wav(tmp_path / "a.wav", good_speech)  # -18 LUFS: not podcast's -16
    result = CliRunner().invoke(qa, ["a.wav"])
    assert result.exit_code == 1
    assert "limit -16.5..-15.5 LUFS" in result.output


def test_tracks_with_the_same_file_name_get_plots_named_after_their_folders(tmp_path):
    from qa_files import at_lufs

    from mbcl_audio.qa.report import png_names

    x = at_lufs(speech_like(8.0, seed=5), -18.0)
    paths = [tmp_path / "set" / variant / "nl" / "01 Track.wav" for variant in ("glide-rain", "bowl-ocean")]
    paths.append(tmp_path / "set" / "02 Other.wav")
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_wav(path, x)
    reports = [analyze_file(p, get_profile("meditation")) for p in paths]
    assert png_names(reports) == ["glide-rain - nl - 01 Track.png", "bowl-ocean - nl - 01 Track.png", "02 Other.png"]


def test_cli_finds_and_checks_opus_and_m4a_files_in_a_folder(tmp_path, good_speech):
    from mbcl_audio.audio import ArraySource
    from mbcl_audio.export.formats import ffmpeg_program, write_format

    folder = tmp_path / "set"
    tags = TrackTags("Good", 1, "Album", "Voice", "nl")
    write_format(ArraySource(good_speech, SR), folder / "01 Good.opus", "opus", tags, [])
    formats = ["01 Good.opus"]
    if ffmpeg_program() is not None:
        write_format(ArraySource(good_speech, SR), folder / "01 Good.m4a", "m4a", tags, [])
        formats.append("01 Good.m4a")
    result = CliRunner().invoke(qa, [str(folder), "--report", str(tmp_path / "rep")])
    assert result.exit_code == 0, result.output
    # Held to the meditation profile (voice at -18 LUFS) as a built file is, on its own decode.
    for name in formats:
        assert f"PASS  {folder / name}" in result.output
    assert f"{len(formats)} of {len(formats)} files pass" in result.output
