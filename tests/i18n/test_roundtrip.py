"""Export to PO and import again: a translation keeps its source's structure exactly."""

from __future__ import annotations

import subprocess
import shutil
from pathlib import Path

import polib
import pytest
from po_files import fill

from mbcl_audio.i18n import export_po, import_po, read_sources
from mbcl_audio.script import Pause, Speech, parse_script
from mbcl_audio.script.shape import script_shape


def structure(path: Path) -> tuple:
    """Everything that times a script: every item (implicit pauses too) with its numbers and passage,
    the passages, and the order of speech; the words are left out."""
    script = parse_script(path)
    items = []
    for item in script.items:
        if isinstance(item, Speech):
            items.append(("speech", item.passage, item.on_beat))
        elif isinstance(item, Pause):
            items.append(("pause", item.min_s, item.max_s, item.preferred_s, item.weight, item.silence,
                          item.prompt_every_s, len(item.prompts), item.implicit, item.passage))
        else:
            items.append((type(item).__name__, repr({k: v for k, v in vars(item).items() if k not in ("pos", "inhale", "exhale")})))
    front = {k: v for k, v in vars(script.front).items() if k not in ("title", "language", "voice", "album")}
    return (items, [(p.priority, p.name) for p in script.passages], front, len(script.utterances))


@pytest.mark.parametrize("language", ["nl", "en", "de"])
def test_every_script_comes_back_with_zero_drift(scripts_copy, language):
    """Identity translations of every script and block of a language reproduce its structure and words."""
    if language == "de":  # the copy leaves German out, for the tests that make it
        shutil.copytree(Path(__file__).resolve().parents[2] / "scripts" / "de", Path("scripts/de"))
    source = read_sources(Path("scripts"), language)
    export_po(source, Path("po"), "xx")
    for po in sorted(Path("po/xx").rglob("*.po")):
        fill(po)
    written = import_po(source, Path("po/xx"))
    assert len([p for p in written if p.parent.name == "xx"]) == len(source.tracks) == (9 if language == "de" else 27)
    for track, template in source.tracks.items():
        (translated,) = Path("scripts/xx").glob(f"{track:02d}-*.txt")
        assert structure(translated) == structure(template.path), translated
        ours, theirs = parse_script(translated), parse_script(template.path)
        assert [u.text for u in ours.utterances] == [u.text for u in theirs.utterances]
        assert [s.title for s in ours.sections] == [s.title for s in theirs.sections]
        assert script_shape(ours) != [] and ours.front.language == "xx" and ours.front.voice == "espeak"


def test_a_po_passes_msgfmt_check_and_round_trips_through_polib(scripts_copy):
    source = read_sources(Path("scripts"), "nl")
    written = export_po(source, Path("po"), "de", tracks=[3, 9])
    assert {p.name for p in written} >= {"wishes.po", "opening.po", "wishes-benefactor.po"}
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("gettext's msgfmt is not installed (CI installs it)")
    for path in written:
        assert str(polib.pofile(str(path), wrapwidth=0)) == path.read_text(encoding="utf-8")
        fill(path)
        before = path.read_text(encoding="utf-8")
        result = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert str(polib.pofile(str(path), wrapwidth=0)) == before
    # Untranslated as exported, it passes too.
    fresh = export_po(source, Path("po"), "fr", tracks=[1])
    for path in fresh:
        assert subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(path)]).returncode == 0


def test_export_is_deterministic_and_merging_unchanged_sources_changes_nothing(scripts_copy):
    source = read_sources(Path("scripts"), "nl")
    (first,) = [p for p in export_po(source, Path("po"), "de", tracks=[1]) if p.name.startswith("01-")]
    fill(first, lambda e: e.msgid.upper())
    before = first.read_bytes()
    export_po(source, Path("po"), "de", tracks=[1])
    assert first.read_bytes() == before
