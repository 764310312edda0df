"""The build record of a language folder: what each track file was built from, and what it measured.

``OUT/<lang>/.mbcl-build.json`` maps each track's file name to its :class:`RecordEntry`. A track
is up to date when its entry has the same input hash, its files (every format) are still there
with the recorded sha256, and its transcripts are there: a file deleted or changed by hand is rebuilt.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Optional

from ..atomic import write_atomic
from ..takes.files import file_sha256

__all__ = ["RECORD_FILE", "RecordEntry", "load_record", "save_record", "up_to_date"]

RECORD_FILE = ".mbcl-build.json"
RECORD_VERSION = 1


@dataclass(frozen=True)
class RecordEntry:
    """One built track, as the manifest lists it."""

    track: int
    title: str
    file: str
    input_hash: str
    sha256: str
    duration_s: float
    loudness_lufs: float
    true_peak_dbtp: float
    voice: str
    voice_licence: str
    bed: str
    #: ``default``, ``short``, ``long`` or a trainer's length such as ``20 min``.
    length_variant: str
    transcripts: tuple[str, ...] = field(default_factory=tuple)
    #: The other formats beside the MP3, each ``{format, file, sha256, duration_s, loudness_lufs,
    #: true_peak_dbtp, qa_passed}`` as measured on that file.
    formats: tuple[dict, ...] = field(default_factory=tuple)

    @property
    def files(self) -> tuple[str, ...]:
        """Every audio file of the track: the MP3, then the other formats."""
        return (self.file, *(f["file"] for f in self.formats))


def load_record(folder: Path) -> dict[str, RecordEntry]:
    """The record of ``folder`` by file name; empty when there is none or it is unreadable (all rebuild)."""
    path = Path(folder) / RECORD_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != RECORD_VERSION:
            return {}
        return {
            name: RecordEntry(**{
                **entry, "transcripts": tuple(entry.get("transcripts", ())), "formats": tuple(entry.get("formats", ())),
            })
            for name, entry in data["tracks"].items()
        }
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def save_record(folder: Path, entries: dict[str, RecordEntry]) -> None:
    data = {"version": RECORD_VERSION, "tracks": {name: asdict(entries[name]) for name in sorted(entries)}}
    write_atomic(Path(folder) / RECORD_FILE, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def up_to_date(entry: Optional[RecordEntry], input_hash: str, folder: Path) -> bool:
    """Whether the track recorded as ``entry`` needs no rebuild for ``input_hash``."""
    if entry is None or entry.input_hash != input_hash:
        return False
    folder = Path(folder)
    if not all((folder / name).is_file() for name in (*entry.files, *entry.transcripts)):
        return False
    recorded = {entry.file: entry.sha256, **{f["file"]: f["sha256"] for f in entry.formats}}
    return all(file_sha256(folder / name) == digest for name, digest in recorded.items())
