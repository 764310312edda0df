"""takes status (missing / extra / stale through the manifest) and takes sheet (Markdown, CSV, manifest)."""

from __future__ import annotations

import csv
import json
import shutil

import narrator_session as ns
import numpy as np

from mbcl_audio.render.voice.takes import prepare_takes
from mbcl_audio.takes import (
    MANIFEST_NAME,
    read_manifest,
    takes_folder,
    takes_status,
    write_sheet,
)

EDITED = ns.SCRIPT.replace("Notice the breath, coming and going.", "Notice the breath, coming and going by itself.")


def tone(text: str) -> np.ndarray:
    """A stand-in fallback voice: one second of 300 Hz at 44.1 kHz."""
    return (0.3 * np.sin(2 * np.pi * 300 * np.arange(44_100) / 44_100)).astype(np.float32)


def test_takes_folder_layout(tmp_path):
    assert takes_folder(tmp_path / "voices" / "anna", "nl", 1) == tmp_path / "voices/anna/takes/nl/01"


def test_status_finds_missing_extra_and_stale(takes_dir):
    write_sheet(ns.script(), takes_dir)  # the manifest: texts the takes were recorded for
    assert takes_status(ns.script(), takes_dir).ok
    (takes_dir / "02-002.mp3").unlink()
    shutil.copy(takes_dir / "00-001.wav", takes_dir / "03-001.wav")
    (takes_dir / "notes.txt").write_text("not a take")

    status = takes_status(ns.script(EDITED), takes_dir)
    assert [(m.id, m.text) for m in status.missing] == [("02-002", "and may I be at ease")]
    assert [p.name for p in status.extra] == ["03-001.wav"]
    assert [(s.id, s.recorded_text, s.script_text) for s in status.stale] == [
        ("01-002", "Notice the breath, coming and going.", "Notice the breath, coming and going by itself.")
    ]
    assert status.unverified == [] and status.present == 5 and not status.ok
    text = "\n".join(status.lines())
    assert "missing 02-002" in text and "stale   01-002" in text and "extra   03-001.wav" in text

    # prepare_takes reports the same findings (with a fallback for the missing take).
    _, report = prepare_takes(ns.script(EDITED), takes_dir, fallback=tone)
    assert [m.id for m in report.missing] == ["02-002"]
    assert [s.id for s in report.stale] == ["01-002"]
    assert [p.name for p in report.extra] == ["03-001.wav"]
    assert [m.id for m in report.fallback] == ["02-002"]


def test_new_sheet_keeps_stale_until_the_take_is_replaced(takes_dir):
    write_sheet(ns.script(), takes_dir)
    edited = ns.script(EDITED)
    assert [s.id for s in takes_status(edited, takes_dir).stale] == ["01-002"]
    # Printing a new sheet does not pretend the old take says the new text.
    files = write_sheet(edited, takes_dir)
    assert [s.id for s in takes_status(edited, takes_dir).stale] == ["01-002"]
    assert "re-record (text changed)" in files.markdown.read_text()
    manifest = read_manifest(takes_dir)
    assert manifest["01-002"]["text"] == "Notice the breath, coming and going."
    assert manifest["01-002"]["sheet_text"] == "Notice the breath, coming and going by itself."
    # The narrator re-records it from the new sheet: the replaced file is taken as the new text.
    shutil.copy(takes_dir / "00-001.wav", takes_dir / "01-002.wav")
    assert takes_status(edited, takes_dir).ok
    write_sheet(edited, takes_dir)
    assert takes_status(edited, takes_dir).ok
    assert read_manifest(takes_dir)["01-002"]["text"] == "Notice the breath, coming and going by itself."


def test_takes_without_manifest_are_unverified(takes_dir):
    status = takes_status(ns.script(), takes_dir)
    assert status.unverified == ns.IDS and status.stale == [] and status.ok


def test_sheet_writes_markdown_csv_and_manifest(tmp_path):
    folder = tmp_path / "voices" / "anna" / "takes" / "en" / "01"
    script = ns.script()
    files = write_sheet(script, folder, voice_id="anna")
    md = files.markdown.read_text(encoding="utf-8")
    rows = list(csv.DictReader(files.csv.open(encoding="utf-8-sig")))
    assert [r["id"] for r in rows] == ns.IDS
    for uid, utterance in zip(ns.IDS, script.utterances):
        assert f"**{uid}**" in md
        assert utterance.text in md
    assert [r["text"] for r in rows] == [u.text for u in script.utterances]
    assert all(r["status"] == "to record" for r in rows)
    assert rows[1]["pause_after"] == "pause 2-5 s"
    assert "breath-locked" in rows[3]["notes"]
    assert rows[5]["kind"] == "prompt" and rows[5]["file"] == "02-003.wav"
    assert "## 01 Arriving" in md and "*then: pause 2-5 s*" in md and "voice: anna" in md

    data = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert data["language"] == "en" and data["track"] == 1
    assert {k: v["sheet_text"] for k, v in data["takes"].items()} == {
        uid: u.text for uid, u in zip(ns.IDS, script.utterances)
    }
    # Takes recorded after this sheet count as recorded for its texts.
    for path in ns.record(tmp_path / "rec").files.values():
        shutil.copy(path, folder / path.name)
    status = takes_status(script, folder)
    assert status.ok and status.unverified == [] and status.present == 6


def test_sheet_csv_names_existing_files(takes_dir):
    files = write_sheet(ns.script(), takes_dir)
    rows = list(csv.DictReader(files.csv.open(encoding="utf-8-sig")))
    assert [r["file"] for r in rows] == [p.name for p in sorted(takes_dir.glob("0*.*"))]
    # No manifest yet: recorded, but for which text is unknown; the sheet run records it.
    assert all(r["status"] == "recorded (text not on record)" for r in rows)
    rows = list(csv.DictReader(write_sheet(ns.script(), takes_dir).csv.open(encoding="utf-8-sig")))
    assert all(r["status"] == "recorded" for r in rows)
