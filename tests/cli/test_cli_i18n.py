"""``mbcl-audio i18n``: the commands read like the workflow and exit non-zero on problems."""

from __future__ import annotations

import json
from pathlib import Path

import polib
from click.testing import CliRunner

from mbcl_audio.cli import main

def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_export_translate_check_import_status(scripts_copy):
    result = run("i18n", "export", "--from", "nl", "--to", "de", "--track", "7")
    assert result.exit_code == 0 and "PO files written to po/de" in result.output
    files = sorted(Path("po/de").rglob("*.po"))
    assert [p.relative_to("po/de").as_posix() for p in files] == [
        "07-mitfuehlender-umgang-mit-verlangen.po", "_blocks/opening-short.po", "_blocks/reset-rule.po"
    ]
    result = run("i18n", "import", "po/de/")
    assert result.exit_code == 1 and "error: po/de/_blocks/opening-short.po:" in result.stderr
    assert "entries are not translated" in result.stderr
    for path in files:
        po = polib.pofile(str(path), wrapwidth=0)
        for entry in po:
            entry.msgstr = entry.msgstr or entry.msgid
        po.save(str(path))
    status = json.loads(run("i18n", "status", "--lang", "nl,de", "--track", "7", "--json").output)
    assert [(r["language"], r["file"], r["complete"]) for r in status if r["track"] == 7] == [
        ("nl", "07-compassievol-omgaan-met-verlangen", True), ("de", "07-mitfuehlender-umgang-mit-verlangen", True)
    ]
    result = run("i18n", "check", "--lang", "de", "--track", "7")
    assert result.exit_code == 0 and result.output.strip() == "de: 0 findings"
    result = run("i18n", "import", "po/de/")
    assert result.exit_code == 0 and "wrote scripts/de/07-mitfuehlender-umgang-mit-verlangen.txt" in result.output
    assert Path("scripts/de/_blocks/reset-rule.txt").is_file()
    table = run("i18n", "status", "--lang", "de", "--track", "7").output
    assert "de: 1 of 1 tracks complete (7)" in table


def test_check_exits_1_and_names_the_entry(scripts_copy):
    run("i18n", "export", "--to", "de", "--track", "1")
    (path,) = Path("po/de").glob("01-*.po")
    po = polib.pofile(str(path), wrapwidth=0)
    entry = [e for e in po if e.msgctxt not in ("title", "album")][0]
    entry.msgstr = "Halt [pause 3s] inne."
    po.save(str(path))
    result = run("i18n", "check", "--lang", "de")
    assert result.exit_code == 1
    assert f"[{entry.msgctxt}]: the translation contains the markup '['" in result.output


def test_a_bad_track_range_is_a_usage_error(scripts_copy):
    result = run("i18n", "export", "--to", "de", "--track", "9-1")
    assert result.exit_code == 2 and "runs backwards" in result.output
