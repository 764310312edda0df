"""Options shared by several commands, declared once, and the parsers of comma-separated values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import click

from ..errors import MbclError
from ..export.formats import check_formats
from ..units import parse_duration_s
from ..vocab import BELL_PLACES, LENGTH_ENDS, BellPlace, LengthEnd

__all__ = [
    "FORMAT_OPTION",
    "MUSIC_OPTION",
    "OUT_OPTION",
    "SCRIPTS_OPTION",
    "TAKES_VOICE_OPTION",
    "VOICES_OPTION",
    "parse_bell",
    "parse_languages",
    "parse_length",
    "parse_lengths",
    "parse_track_numbers",
]


def _folder_option(flag: str, name: str, default: str, help_text: str) -> Callable[[Callable[..., Any]], Any]:
    """A ``--flag DIRECTORY`` option whose value is a :class:`~pathlib.Path`, shown with its default."""
    return click.option(
        flag, name, type=click.Path(file_okay=False, path_type=Path), default=Path(default),
        show_default=True, help=help_text,
    )


VOICES_OPTION = _folder_option("--voices", "voices_dir", "voices", "Folder of voice profiles (<id>/voice.toml).")
MUSIC_OPTION = _folder_option("--music", "music_dir", "music", "Folder of user beds.")
OUT_OPTION = _folder_option("--out", "out_dir", "output", "Folder the built set is written to.")
SCRIPTS_OPTION = _folder_option(
    "--scripts", "scripts_dir", "scripts", "Folder with one sub-folder of scripts per language."
)


def parse_formats(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...] | None:
    """``("mp3,opus", "m4a")`` -> ``("mp3", "opus", "m4a")`` (MP3 always first; ``--format`` may be
    given more than once); an unknown format or m4a without ffmpeg is a usage error."""
    if not value:
        return None
    try:
        return check_formats([f for v in value for f in v.split(",")])
    except MbclError as err:
        raise click.BadParameter(str(err)) from None


FORMAT_OPTION = click.option(
    "--format", "formats", metavar="FORMATS", callback=parse_formats, multiple=True,
    help="Comma-separated delivery formats: mp3 (always made), opus, m4a (needs ffmpeg). Default: mp3, or the project file's.",
)
TAKES_VOICE_OPTION = click.option("--voice", required=True, metavar="VOICE", help="Id of a takes voice profile.")


def parse_languages(value: str | None) -> list[str] | None:
    """``"nl, en"`` -> ``["nl", "en"]``; nothing given -> ``None`` (every language)."""
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def parse_track_numbers(ctx: click.Context, param: click.Parameter, value: str | None) -> list[int] | None:
    """``"1-9"``, ``"3"`` or ``"1,4,10-12"`` -> the track numbers; nothing given -> ``None`` (every track)."""
    if not value:
        return None
    numbers: list[int] = []
    for part in (p.strip() for p in value.split(",")):
        first, dash, last = part.partition("-")
        if not (first.isdigit() and (not dash or last.isdigit())):
            raise click.BadParameter(f"{part!r} is not a track number or a range such as 1-9", ctx, param)
        low, high = int(first), int(last) if dash else int(first)
        if low > high:
            raise click.BadParameter(f"{part!r}: the range runs backwards (write {high}-{low})", ctx, param)
        numbers.extend(n for n in range(low, high + 1) if n not in numbers)
    return numbers


def parse_lengths(ctx: click.Context, param: click.Parameter, value: str | None) -> list[float | LengthEnd] | None:
    """``"5m,10m,max"`` -> ``[300.0, 600.0, "max"]`` (``min``/``max``: the script's reachable ends)."""
    if value is None:
        return None
    try:
        lengths = [
            v.strip().lower() if v.strip().lower() in LENGTH_ENDS else parse_duration_s(v)
            for v in value.split(",")
            if v.strip()
        ]
    except ValueError as exc:
        raise click.BadParameter(f"{exc}, or min / max") from exc
    if not lengths:
        # An empty list is a typo, not "the default length": building that silently would hide it.
        raise click.BadParameter(f"{value!r} names no length: give one or more, e.g. 5m or 5m,10m,max")
    return lengths


def parse_length(ctx: click.Context, param: click.Parameter, value: str | None) -> float | LengthEnd | None:
    """One length as :func:`parse_lengths` reads it: seconds, ``"min"`` or ``"max"``."""
    lengths = parse_lengths(ctx, param, value)
    if lengths is not None and len(lengths) != 1:
        raise click.BadParameter("give one length here, e.g. 5m")
    return lengths[0] if lengths else None


def parse_bell(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[BellPlace, ...] | None:
    """``"start,end"`` -> ``("start", "end")``; ``"none"`` -> ``()``."""
    if value is None:
        return None
    places = tuple(v.strip() for v in value.split(",") if v.strip())
    if places == ("none",):
        return ()
    unknown = [p for p in places if p not in BELL_PLACES]
    if unknown or not places:
        raise click.BadParameter(f"give places from {', '.join(BELL_PLACES)} (comma-separated), or none")
    return cast(tuple[BellPlace, ...], places)
