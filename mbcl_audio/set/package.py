"""Packaging a language folder: playlists, the player page, ``manifest.json`` and a zip that is
byte-identical when rebuilt from the same inputs (fixed timestamps, permissions and order)."""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Optional, Sequence

from ..atomic import process_temp_path, write_atomic
from ..catalog import Catalog
from ..export import read_tags
from .player import PlayerChapter, PlayerTrack, player_html
from .playlists import PlaylistTrack, m3u8_text, week_playlists
from .record import RecordEntry

__all__ = ["ZIP_DATE", "package_language", "write_zip"]

#: The order of ``<source>`` elements on the player page, by file extension.
PLAYER_ORDER = (".opus", ".m4a", ".mp3")

#: Every zip entry's timestamp: the earliest a zip can hold, so rebuilding never changes the bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def write_zip(path: Path, folder: Path, names: Sequence[str], contents: Optional[dict[str, bytes]] = None) -> Path:
    """Zip ``folder/name`` for each of ``names`` (sorted) into ``path``, deterministically, atomically;
    a name in ``contents`` is stored with those bytes instead of the file's."""
    contents = contents or {}
    staging = process_temp_path(path, "staging")
    try:
        with zipfile.ZipFile(staging, "w") as archive:
            for name in sorted(names):
                info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                info.external_attr = 0o644 << 16
                # MP3 and Opus are compressed already: storing them keeps the zip fast to make and open.
                stored = name.lower().endswith((".mp3", ".opus", ".ogg", ".m4a", ".png"))
                info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
                if name in contents:
                    archive.writestr(info, contents[name])
                    continue
                with open(Path(folder) / name, "rb") as f, archive.open(info, "w") as out:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        out.write(block)
        staging.replace(path)
    finally:
        staging.unlink(missing_ok=True)
    return path


def _player_track(folder: Path, catalog: Catalog, entry: RecordEntry, tags: dict) -> PlayerTrack:
    vtt = next((name for name in entry.transcripts if name.endswith(".vtt")), None)
    info = catalog.get(entry.track)
    return PlayerTrack(
        number=entry.track,
        title=entry.title,
        duration_s=entry.duration_s,
        # The player offers Opus first (smallest), then AAC (Apple), then the MP3 every browser plays.
        files=tuple(sorted(entry.files, key=lambda name: PLAYER_ORDER.index(Path(name).suffix.lower()))),
        session=info.session if info is not None else None,
        chapters=tuple(PlayerChapter(title, start_ms / 1000) for title, start_ms, _ in tags.get("chapters", [])),
        vtt_text=(folder / vtt).read_text(encoding="utf-8") if vtt else "",
        transcripts=tuple(entry.transcripts),
    )


def package_language(folder: Path, language: str, catalog: Catalog, entries: Sequence[RecordEntry], zip_name: str) -> list[str]:
    """Write the playlists, the player page ``index.html``, ``manifest.json`` and the zip of one
    language folder; the names written."""
    folder = Path(folder)
    entries = sorted(entries, key=lambda e: e.track)
    tags = {e.file: read_tags(folder / e.file) for e in entries}
    tracks = [PlaylistTrack(e.track, e.title, e.file, e.duration_s) for e in entries]
    written: list[str] = []
    playlists = {"all tracks": tracks, **week_playlists(catalog, tracks, language)}
    for name, listed in playlists.items():
        file = f"{name}.m3u8"
        write_atomic(folder / file, m3u8_text(listed, name))
        written.append(file)
    cover = tags[entries[0].file].get("cover") if entries else None
    if cover:
        write_atomic(folder / "cover.png", cover)
        written.append("cover.png")
    album = next((t["album"] for t in tags.values() if t.get("album")), "mbcl-audio")
    players = [_player_track(folder, catalog, e, tags[e.file]) for e in entries]
    write_atomic(folder / "index.html", player_html(language, album, players, zip_name, "cover.png" if cover else ""))
    # Inside the zip the page cannot offer the zip it is in.
    zipped_page = player_html(language, album, players, "", "cover.png" if cover else "").encode("utf-8")
    written.append("index.html")
    manifest = {
        "language": language,
        "tracks": [asdict(e) for e in entries],
        "playlists": {name: [t.file for t in listed] for name, listed in playlists.items()},
        "player": "index.html",
    }
    write_atomic(folder / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    written.append("manifest.json")
    contents = [f for e in entries for f in e.files] + [t for e in entries for t in e.transcripts] + written
    write_zip(folder / zip_name, folder, contents, {"index.html": zipped_page})
    return written + [zip_name]
