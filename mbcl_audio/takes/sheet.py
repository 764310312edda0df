"""``takes sheet``: a recording script for the narrator (Markdown), a list for the engineer (CSV),
and the manifest of the texts the takes are recorded for.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional

from ..atomic import write_atomic
from ..script.model import Script
from .files import TAKE_EXTENSIONS, find_takes, record_texts
from .ids import UtteranceKind, utterance_entries
from .status import takes_status

__all__ = ["SheetFiles", "write_sheet", "SHEET_MARKDOWN", "SHEET_CSV", "CSV_COLUMNS"]

SHEET_MARKDOWN = "recording-sheet.md"
SHEET_CSV = "recording-sheet.csv"
CSV_COLUMNS = ("id", "file", "status", "section", "kind", "text", "pause_after", "notes", "source")

#: What the state column of the sheet says about one take.
TakeState = Literal["to record", "re-record (text changed)", "recorded (text not on record)", "recorded"]

_KIND: dict[UtteranceKind, str] = {"speech": "", "prompt": "prompt in a silence", "inhale": "in-breath half", "exhale": "out-breath half"}


@dataclass(frozen=True)
class SheetFiles:
    markdown: Path
    csv: Path
    manifest: Path


def write_sheet(
    script: Script,
    folder: str | Path,
    voice_id: str = "",
    out_dir: Optional[str | Path] = None,
) -> SheetFiles:
    """Write the recording sheet of one track and update its takes manifest.

    Args:
        script: The parsed script.
        folder: The track's takes folder (created if needed); the manifest
            ``takes.json`` is written there.
        voice_id: Shown in the sheet's heading.
        out_dir: Where the Markdown and CSV go (default: ``folder``).

    Each utterance shows its ID (the file name to save the take under), its
    text, what follows it in the track, delivery notes, and its state:
    ``to record``, ``recorded``, ``re-record (text changed)`` or
    ``recorded (text not on record)``. The state is taken before the manifest
    is updated, and updating it never clears a stale take: only replacing the
    take file does (see :mod:`mbcl_audio.takes.files`).

    Returns:
        The three paths written.
    """
    folder = Path(folder)
    out_dir = Path(out_dir) if out_dir is not None else folder
    out_dir.mkdir(parents=True, exist_ok=True)
    status = takes_status(script, folder)
    missing = {m.id for m in status.missing}
    stale = {s.id: s for s in status.stale}
    unverified = set(status.unverified)
    front = script.front

    def state(uid: str) -> TakeState:
        if uid in missing:
            return "to record"
        if uid in stale:
            return "re-record (text changed)"
        if uid in unverified:
            return "recorded (text not on record)"
        return "recorded"

    entries = utterance_entries(script)
    files = find_takes(folder)
    exts = "/".join(TAKE_EXTENSIONS)
    md = [
        f"# Recording sheet: track {front.track:02d}, {front.title}",
        "",
        f"- Language: {front.language}" + (f"; voice: {voice_id}" if voice_id else ""),
        f"- Script: `{script.path}`",
        f"- Save each take as `<ID>.{{{exts}}}` in `{folder}` (any sample rate, bit depth, mono or stereo).",
        f"- {len(entries)} utterances: {len(missing)} to record, {len(stale)} to re-record, "
        f"{status.present - len(stale)} recorded.",
        "- Leave a second of room tone before and after each take; the pauses are added by the build.",
        "",
    ]
    section = None
    rows = []
    for e in entries:
        if e.section != section:
            section = e.section
            md += [f"## {e.id[:2]} {section or '(before the first section)'}", ""]
        st = state(e.id)
        kind = _KIND.get(e.kind, e.kind)
        mark = "" if st == "recorded" else f"  **[{st}]**"
        md.append(f"**{e.id}**{' (' + kind + ')' if kind else ''}{mark}  ")
        md.append(f"> {e.text}  ")
        if e.id in stale:
            md.append(f"~~{stale[e.id].recorded_text}~~ (recorded text)  ")
        md.append(f"*then: {e.pause_after}*" + "".join(f"  \n*note: {n}*" for n in e.notes))
        md.append("")
        rows.append(
            {
                "id": e.id,
                "file": files[e.id].name if e.id in files else f"{e.id}.wav",
                "status": st,
                "section": e.section,
                "kind": e.kind,
                "text": e.text,
                "pause_after": e.pause_after,
                "notes": "; ".join(e.notes),
                "source": str(e.pos),
            }
        )
    if status.extra:
        md += ["## Files not in this script", ""]
        md += [f"- `{p.name}`: no utterance with this ID (renumbered or removed?)" for p in status.extra]
        md.append("")

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)

    md_path, csv_path = out_dir / SHEET_MARKDOWN, out_dir / SHEET_CSV
    write_atomic(md_path, "\n".join(md))
    # utf-8-sig: spreadsheet programs then read accents and curly quotes correctly.
    write_atomic(csv_path, buffer.getvalue(), encoding="utf-8-sig")
    manifest = record_texts(script, folder)
    return SheetFiles(md_path, csv_path, manifest)
