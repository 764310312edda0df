"""Playlists of a language's set: the whole set, and one per course week as the catalogue assigns.

Extended M3U in UTF-8 (``.m3u8``), paths relative to the playlist (it sits beside the tracks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..catalog import Catalog

__all__ = ["PlaylistTrack", "m3u8_text", "week_playlists"]


@dataclass(frozen=True)
class PlaylistTrack:
    number: int
    title: str
    file: str
    duration_s: float


def m3u8_text(tracks: Sequence[PlaylistTrack], name: str) -> str:
    lines = ["#EXTM3U", f"#PLAYLIST:{name}"]
    for t in tracks:
        lines += [f"#EXTINF:{int(round(t.duration_s))},{t.title}", t.file]
    return "\n".join(lines) + "\n"


#: Playlist names per language: (week N, the silent day).
WEEK_NAMES = {
    "nl": ("week {n}", "stiltedag"),
    "en": ("week {n}", "silent day"),
    "de": ("Woche {n}", "Tag der Stille"),
}


def week_playlists(catalog: Catalog, tracks: Sequence[PlaylistTrack], language: str) -> dict[str, list[PlaylistTrack]]:
    """``{playlist name: tracks}`` for weeks 1-8 and the silent day, in course order (track
    number), listing only tracks the set has; a week without any built track gets no playlist."""
    week, silent = WEEK_NAMES.get(language.split("-")[0], WEEK_NAMES["en"])
    by_number = {t.number: t for t in sorted(tracks, key=lambda t: t.number)}
    playlists: dict[str, list[PlaylistTrack]] = {}
    for n in range(1, 9):
        listed = [by_number[i.number] for i in catalog if n in i.weeks and i.number in by_number]
        if listed:
            playlists[week.format(n=n)] = listed
    listed = [by_number[i.number] for i in catalog if i.silent_day and i.number in by_number]
    if listed:
        playlists[silent] = listed
    return playlists
