"""mbcl-audio plan and check: the plan of a script, in text and JSON, and every problem of a broken script."""

from __future__ import annotations

import json

from click.testing import CliRunner
from texts import SCRIPTS_DIR, TRACK1_NL, TRACK3_EN

from mbcl_audio.cli import main


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env)


def test_plan_json_puts_breath_locked_halves_on_in_and_out_breath_onsets():
    result = run("plan", str(TRACK1_NL), "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    assert plan["length_samples"] == 300 * 44_100 and plan["cycle_samples"] == 441_000
    phrase = [e for e in plan["events"] if e["kind"] == "phrase"]
    assert phrase
    start, stop = phrase[0]["start_sample"], phrase[0]["start_sample"] + phrase[0]["duration_samples"]
    halves = [o for o in plan["overlays"] if start <= o.get("voice_onset_sample", o["start_sample"]) < stop]
    assert [o["on_beat"] for o in halves] == ["in-breath", "out-breath"] * (len(halves) // 2)
    # The voice sets in on the breath; the clip starts its (estimated, 40 ms) lead-in before it.
    assert all(o["voice_onset_sample"] % 441_000 == (0 if o["on_beat"] == "in-breath" else 220_500) for o in halves)
    assert all(o["voice_onset_sample"] - o["start_sample"] == 1764 for o in halves)
    assert plan["reachable_min_s"] <= 180 and plan["reachable_max_s"] >= 480


def test_plan_text_lists_slack_passages_and_range():
    result = run("plan", str(TRACK3_EN), "--length", "25m")
    assert result.exit_code == 0, result.output
    assert "length 25:00.0" in result.output and "reachable" in result.output
    assert "slack" in result.output and "optional passages included:" in result.output
    assert "silence" in result.output


def test_plan_outside_range_names_both_bounds():
    result = run("plan", str(TRACK1_NL), "--length", "30m")
    assert result.exit_code == 1
    assert "cannot be reached" in result.output and "planned from" in result.output


def test_check_passes_on_the_project_scripts():
    result = run("check", str(SCRIPTS_DIR))
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output


def test_check_lists_every_problem_of_a_broken_script(tmp_path):
    lang = tmp_path / "nl"
    lang.mkdir()
    bad = lang / "05-kapot.txt"
    bad.write_text(
        '+++\ntrack = 40\ntitle = ""\nlanguage = "nl"\nlength = "5m"\ncolour = 1\n+++\n\n[paus 3s]\n\n'
        "Hallo daar.\n\n[pause 5s..2s]\n\n[breath-locked x2] Moge ik zonder streep\n\n[include nergens]\n",
        encoding="utf-8",
    )
    result = run("check", str(tmp_path))
    assert result.exit_code == 1
    for where, what in [
        ("2:9", "track must be a whole number from 1 to 27"),
        ("3:9", "title must be non-empty text"),
        ("6:1", "unknown setting 'colour'"),
        ("9:2", "unknown directive 'paus': expected pause or breathe"),
        ("13:8", "pause minimum (5s) is longer than its maximum"),
        ("15:1", "a breath-locked phrase needs one '|'"),
        ("17:10", "no block 'nergens': looked for"),
    ]:
        assert f"{bad}:{where}: error: {what}" in result.output
    assert "1 scripts checked: 7 errors" in result.output


def test_a_script_without_length_plans_at_its_catalog_default(tmp_path):
    (tmp_path / "catalog.toml").write_text((SCRIPTS_DIR / "catalog.toml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "en").mkdir()
    script = tmp_path / "en" / "05-t.txt"
    script.write_text('+++\ntrack = 5\ntitle = "The breathing space with compassion"\nlanguage = "en"\nbed = "none"\n+++\n\n'
                      "Just this.\n\n[pause 2m..12m]\n", encoding="utf-8")
    result = run("plan", str(script), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["length_samples"] == 360 * 44_100  # track 5's default: 6 min
    (tmp_path / "catalog.toml").unlink()
    result = run("plan", str(script))
    assert result.exit_code == 1
    assert "the script has no length = in its front matter and no catalog.toml beside its language folder" in result.output
