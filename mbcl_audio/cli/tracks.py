"""``mbcl-audio tracks``: the catalogue's 27 tracks beside the scripts each language has."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import click

from ..catalog import Catalog
from ..tracks import FLAGS, ScriptStatus, TrackRow, track_overview
from ..units import format_duration, format_minutes
from .boundary import BoundaryCommand
from .options import SCRIPTS_OPTION, parse_languages

__all__ = ["tracks"]


def _cell(status: ScriptStatus) -> str:
    if status.path is None or status.reachable_min_s is None:
        return "-" if "missing" in status.flags else "! " + FLAGS[status.flags[0]]
    reach = f"{format_duration(status.reachable_min_s, 'up')}-{format_duration(status.reachable_max_s, 'down')}"
    return ("! " if status.flags else "") + reach


def _table(rows: list[TrackRow], languages: list[str]) -> list[str]:
    title_language = languages[0] if languages else "en"
    header = ["#", f"title ({title_language})", "session", "default", "range", *[f"{lang} reaches" for lang in languages]]
    body = [
        [
            str(row.info.number),
            row.info.title(title_language) or row.info.title("en") or "",
            row.info.session_label,
            f"{format_minutes(row.info.default_s)} min",
            f"{format_minutes(row.info.min_s)}-{format_minutes(row.info.max_s)} min",
            *[_cell(row.scripts[lang]) for lang in languages],
        ]
        for row in rows
    ]
    widths = [max(len(line[k]) for line in [header, *body]) for k in range(len(header))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip() for line in [header, *body]]


def _summary(catalog: Catalog, rows: list[TrackRow], languages: list[str]) -> list[str]:
    lines = []
    for lang in languages:
        scripted = [r for r in rows if r.scripts[lang].path is not None]
        covering = [r for r in scripted if not r.scripts[lang].flags]
        lines.append(
            f"{lang}: {len(scripted)} of {len(catalog)} tracks scripted, "
            f"{len(covering)} of them agree with the catalogue and cover its range"
        )
    problems = [
        f"  track {row.info.number} {lang}: {FLAGS[flag]}"
        + (f" ({status.error})" if status.error and flag in ("invalid", "several") else "")
        for row in rows
        for lang, status in row.scripts.items()
        for flag in status.flags
        if flag != "missing"
    ]
    if problems:
        lines += ["flagged:", *problems]
    return lines


def _as_dict(catalog: Catalog, rows: list[TrackRow]) -> dict:
    return {
        "catalog": str(catalog.path),
        "tracks": [
            {
                "number": row.info.number,
                "titles": row.info.titles,
                "session": row.info.session,
                "silent_day": row.info.silent_day,
                "weeks": list(row.info.weeks),
                "posture": row.info.posture,
                "default_s": row.info.default_s,
                "range_s": [row.info.min_s, row.info.max_s],
                "pacing": row.info.pacing,
                "pacing_note": row.info.pacing_note,
                "scripts": {
                    lang: {
                        "path": str(s.path) if s.path else None,
                        "title": s.title,
                        "reachable_s": None if s.reachable_min_s is None else [s.reachable_min_s, s.reachable_max_s],
                        "flags": list(s.flags),
                        "error": s.error or None,
                    }
                    for lang, s in row.scripts.items()
                },
                "flagged": row.flagged,
            }
            for row in rows
        ],
    }


@click.command(
    cls=BoundaryCommand,
    epilog="""Examples:

\b
  mbcl-audio tracks
  mbcl-audio tracks --lang nl,en
  mbcl-audio tracks --json > tracks.json""",
)
@click.option("--lang", "languages", metavar="LANGS", help="Comma-separated languages (default: every language folder).")
@click.option("--json", "as_json", is_flag=True, help="Print the catalogue and the scripts' state as JSON.")
@SCRIPTS_OPTION
def tracks(languages: Optional[str], as_json: bool, scripts_dir: Path) -> None:
    """List the 27 tracks of the set and the scripts each language has for them.

    One row per track of the catalogue (scripts/catalog.toml): number, title,
    session, default length and range, and per language the length range its
    script can reach (from estimated speech durations, as plan shows). A cell
    starting with '!' is flagged: the script's title differs from the
    catalogue, its reachable range does not cover the catalogue range, or it
    has errors; '-' means no script yet.
    """
    wanted = parse_languages(languages)
    catalog, rows = track_overview(scripts_dir, wanted)
    shown = wanted or sorted({lang for row in rows for lang in row.scripts})
    if as_json:
        click.echo(json.dumps(_as_dict(catalog, rows), ensure_ascii=False, indent=2))
        return
    for line in _table(rows, shown) + [""] + _summary(catalog, rows, shown):
        click.echo(line)
