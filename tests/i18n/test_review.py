"""``i18n check`` names the entry of every problem; ``i18n status`` counts; export merges as msgmerge."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from po_files import fill

from mbcl_audio.i18n import I18nError, export_po, import_po, read_sources
from mbcl_audio.i18n.review import check_language, language_status
from mbcl_audio.plan.estimate import estimate_seconds


def _translated(track: int = 3):
    """The nl sources and a German PO of ``track`` (and its blocks) translated as the source's words."""
    source = read_sources(Path("scripts"), "nl")
    for path in export_po(source, Path("po"), "de", tracks=[track]):
        fill(path)
    (po,) = Path("po/de").glob(f"{track:02d}-*.po")
    return source, po


def _entries(path: Path) -> polib.POFile:
    return polib.pofile(str(path), wrapwidth=0)


def test_identity_translations_have_no_findings(scripts_copy):
    source, _ = _translated()
    assert check_language(source, Path("po"), "de", [3]) == []


def test_the_english_scripts_fill_their_po_and_check_clean(scripts_copy):
    source = read_sources(Path("scripts"), "nl")
    export_po(source, Path("po"), "en")
    rows = [r for r in language_status(source, Path("po"), ["en"])]
    assert all(r.complete for r in rows if r.track is not None) and len(rows) == 27 + 11
    assert check_language(source, Path("po"), "en") == []


def test_reordered_entries_are_named(scripts_copy):
    source, path = _translated()
    po = _entries(path)
    live = [e for e in po if not e.obsolete]
    a, b = live[4], live[5]
    i, j = po.index(a), po.index(b)
    po[i], po[j] = b, a
    po.save(str(path))
    findings = check_language(source, Path("po"), "de", [3])
    assert [f"[{b.msgctxt}]" in f.where and "out of the source's order" in f.message for f in findings] == [True]


def test_a_deleted_entry_is_named_and_blocks_the_import(scripts_copy):
    source, path = _translated()
    po = _entries(path)
    gone = [e for e in po if e.msgctxt == "02-006"][0]
    po.remove(gone)
    po.save(str(path))
    findings = check_language(source, Path("po"), "de", [3])
    assert any("[02-006]" in f.where and "missing" in f.message for f in findings)
    with pytest.raises(I18nError, match=r"02-006 \(missing\)"):
        import_po(source, Path("po/de"), [3])
    assert not Path("scripts/de").exists()  # nothing half-written


@pytest.mark.parametrize("markup", ["[pause 2s]", "// a note", "# Titel", "eins | zwei"])
def test_markup_in_a_translation_is_named(scripts_copy, markup):
    source, path = _translated()
    po = _entries(path)
    entry = [e for e in po if e.msgctxt == "02-006"][0]
    entry.msgstr = f"Ob ein Wunsch wahr wird, ist nicht wichtig. {markup} Es geht um die Absicht."
    po.save(str(path))
    findings = check_language(source, Path("po"), "de", [3])
    assert any("[02-006]" in f.where and "markup" in f.message for f in findings)
    with pytest.raises(I18nError, match=r"entry 02-006: the translation contains the markup"):
        import_po(source, Path("po/de"), [3])


def test_a_lost_ellipsis_is_named(scripts_copy):
    source, path = _translated()
    po = _entries(path)
    entry = [e for e in po if "…" in e.msgid and not e.obsolete][0]
    entry.msgstr = entry.msgid.replace("…", ",")
    po.save(str(path))
    findings = check_language(source, Path("po"), "de", [3])
    assert [f for f in findings if f"[{entry.msgctxt}]" in f.where and "“…”" in f.message]


def test_a_long_translation_is_over_its_budget_and_a_short_one_is_not(scripts_copy):
    source, path = _translated(2)  # track 2 leaves little room: 2-3 % more speech at once
    po = _entries(path)
    entry = [e for e in po if e.msgctxt == "05-004"][0]
    budget = float(entry.comment.split("Budget: ")[1].split(" s")[0])
    short = "Dein Ort verlangt nichts. Es darf so sein, wie es ist."
    entry.msgstr = short
    po.save(str(path))
    assert estimate_seconds(short, "espeak", "de") < budget
    assert check_language(source, Path("po"), "de", [2]) == []
    entry.msgstr = " ".join([entry.msgid] * 3)  # three times the source: far over any budget
    po.save(str(path))
    findings = check_language(source, Path("po"), "de", [2])
    assert len(findings) == 1 and "[05-004]" in findings[0].where  # the one unit that must shrink
    assert "over its budget" in findings[0].message and "at its shortest" in findings[0].message


def test_a_breath_half_that_does_not_fit_its_phase_is_named(scripts_copy):
    source, path = _translated()
    po = _entries(path)
    half = [e for e in po if "In-breath half" in e.comment][0]
    half.msgstr = "Möge ich mich in diesem Augenblick ganz und gar sicher und geborgen fühlen"
    po.save(str(path))
    findings = check_language(source, Path("po"), "de", [3])
    assert any(f"[{half.msgctxt}]" in f.where and "breath phase" in f.message for f in findings)


def test_re_export_keeps_translations_and_marks_changed_units_fuzzy(scripts_copy):
    source, path = _translated()
    fill(path, lambda e: "DE " + e.msgid)
    script = Path("scripts/nl/03-mildheidmeditatie-jezelf.txt")
    text = script.read_text(encoding="utf-8")
    script.write_text(text.replace("Het gaat om de intentie", "Het gaat om je intentie")
                      .replace("Nu kun je je naar jezelf toekeren", "Nu kun je … je naar jezelf toekeren"), encoding="utf-8")
    source = read_sources(Path("scripts"), "nl")
    before = {e.msgctxt: e for e in _entries(path)}
    export_po(source, Path("po"), "de", tracks=[3])
    after = {e.msgctxt: e for e in _entries(path) if not e.obsolete}
    changed = after["02-007"]  # the paragraph after the new ellipsis moved up one id
    assert "fuzzy" in changed.flags and changed.msgstr == before["02-006"].msgstr
    assert changed.previous_msgid == before["02-006"].msgid
    moved = after["02-008"]  # unchanged words, new id: found again by its words, not fuzzy
    assert moved.msgstr == before["02-007"].msgstr and "fuzzy" not in moved.flags
    assert "fuzzy" in after["02-001"].flags  # the edited paragraph itself
    row = [r for r in language_status(source, Path("po"), ["de"]) if r.track == 3][0]
    assert (row.fuzzy, row.translated + row.fuzzy, row.stale, row.untranslated) == (2, row.units, 0, 0)


def test_status_counts_untranslated_fuzzy_and_stale(scripts_copy):
    source = read_sources(Path("scripts"), "nl")
    export_po(source, Path("po"), "de", tracks=[1])
    (path,) = Path("po/de").glob("01-*.po")
    po = _entries(path)
    live = [e for e in po if not e.obsolete]
    live[2].msgstr = "eins"
    live[3].msgstr, live[3].flags = "zwei", ["fuzzy"]
    live[4].msgid = "an older source"
    po.remove(live[5])
    po.save(str(path))
    row = [r for r in language_status(source, Path("po"), ["de"]) if r.track == 1][0]
    assert (row.translated, row.fuzzy, row.stale) == (2, 1, 2)  # the title comes from the catalogue
    assert row.untranslated == row.units - 5 and not row.complete
    nl = [r for r in language_status(source, Path("po"), ["nl"]) if r.track == 1][0]
    assert nl.complete


def test_a_script_that_differs_from_its_po_or_from_the_source_shape_is_named(scripts_copy):
    source, _ = _translated()
    import_po(source, Path("po/de"), [3])
    (script,) = Path("scripts/de").glob("03-*.txt")
    text = script.read_text(encoding="utf-8")
    script.write_text(text.replace("Het gaat om de intentie", "Es geht um die Absicht"), encoding="utf-8")
    findings = check_language(source, Path("po"), "de", [3])
    line = next(n for n, t in enumerate(script.read_text().splitlines(), 1) if "Es geht um die Absicht" in t)
    assert [f.where for f in findings if "differ" in f.message] == [f"{script}:{line - 1}"] or any(
        f.where.startswith(f"{script}:") and "[02-006]" in f.message for f in findings)
    script.write_text(text.replace("[pause 4s..20s prefer=8s]", "[pause 4s..25s prefer=8s]", 1), encoding="utf-8")
    findings = check_language(source, Path("po"), "de", [3])
    assert any("shape differs" in f.message and f.where.startswith(str(script)) for f in findings)


def test_import_writes_the_language_default_voice_the_catalogue_title_and_drafts(scripts_copy):
    source = read_sources(Path("scripts"), "nl")
    export_po(source, Path("po"), "de", tracks=[1])
    with pytest.raises(I18nError, match="entries are not translated"):
        import_po(source, Path("po/de"), [1])
    written = import_po(source, Path("po/de"), [1], draft=True)
    script = [p for p in written if p.parent.name == "de"][0]
    text = script.read_text(encoding="utf-8")
    assert 'title = "Atemraum mit Freundlichkeit"' in text and 'voice = "espeak"' in text
    assert "// DRAFT:" in text and script.name == "01-atemraum-mit-freundlichkeit.txt"
