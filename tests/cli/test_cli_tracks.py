"""mbcl-audio tracks: the catalogue beside each language's scripts, as a table and as JSON, with flags."""

from __future__ import annotations

import json
import re
import shutil

from click.testing import CliRunner
from texts import SCRIPTS_DIR, TRACK1_EN, TRACK1_NL

from mbcl_audio.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args))


def _scripts(tmp_path):
    """A scripts folder with the project's catalogue, track 1 in nl and en, and its blocks."""
    root = tmp_path / "scripts"
    root.mkdir()
    shutil.copy(SCRIPTS_DIR / "catalog.toml", root)
    for source in (TRACK1_NL, TRACK1_EN):
        shutil.copytree(source.parent / "_blocks", root / source.parent.name / "_blocks")
        shutil.copy(source, root / source.parent.name)
    return root


def test_json_lists_all_27_tracks_with_reach_and_flags(tmp_path):
    root = _scripts(tmp_path)
    result = run("tracks", "--scripts", str(root), "--lang", "nl,en", "--json")
    assert result.exit_code == 0, result.output
    tracks = json.loads(result.output)["tracks"]
    assert [t["number"] for t in tracks] == list(range(1, 28))
    first = tracks[0]
    assert first["range_s"] == [180.0, 480.0] and first["pacing"] == "strong"
    for lang in ("nl", "en"):
        low, high = first["scripts"][lang]["reachable_s"]
        assert low <= 180 and high >= 480 and first["scripts"][lang]["flags"] == []
    assert not first["flagged"]
    assert tracks[1]["scripts"]["nl"] == {"path": None, "title": None, "reachable_s": None, "flags": ["missing"], "error": None}


def test_table_flags_a_title_and_a_range_that_disagree(tmp_path):
    root = _scripts(tmp_path)
    script = root / "en" / TRACK1_EN.name
    text = script.read_text(encoding="utf-8").replace("The breathing space with kindness", "Breathing space")
    script.write_text(re.sub(r"\[pause 0\.5s\.\.120s[^]]*\]", "[pause 0.5s..20s]", text), encoding="utf-8")
    result = run("tracks", "--scripts", str(root), "--lang", "en")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["#", "title", "(en)", "session", "default", "range", "en", "reaches"]
    row = next(line for line in lines if line.startswith("1 "))
    assert "The breathing space with kindness" in row and "5 min" in row and "3-8 min" in row
    assert re.search(r"  ! 2:5\d\.\d-\d:\d\d\.\d$", row)  # reaches below 3 min, but not 8 any more
    assert "en: 1 of 27 tracks scripted, 0 of them agree with the catalogue and cover its range" in lines
    assert "  track 1 en: title differs from the catalogue" in lines
    assert "  track 1 en: reachable range does not cover the catalogue range" in lines


def test_a_script_with_errors_is_flagged_with_its_error(tmp_path):
    root = _scripts(tmp_path)
    (root / "nl" / TRACK1_NL.name).write_text("no front matter\n", encoding="utf-8")
    result = run("tracks", "--scripts", str(root), "--lang", "nl")
    assert result.exit_code == 0, result.output
    assert "  track 1 nl: script has errors (" in result.output and "expected front matter" in result.output


def test_a_missing_catalog_is_an_error(tmp_path):
    result = run("tracks", "--scripts", str(tmp_path))
    assert result.exit_code == 1
    assert "no track catalogue here" in result.output
