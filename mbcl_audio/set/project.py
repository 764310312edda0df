"""A trainer's pack in the project file: the ``[set]`` and ``[lengths]`` tables of ``mbcl-audio.toml``.

.. code-block:: toml

    [set]
    languages = ["nl", "en"]        # default: every language folder
    lengths = "default"             # or "short" / "long": the catalogue's minimum / maximum
    bed = "warm-pad"                # for every track (default: each script's)
    jobs = 2                        # cores to use (default: every core)
    album = "Compassievol leven"    # the tags' album and artist (default: each script's)
    artist = "Anna de Vries"
    publisher = "A training centre" # the tags' publisher and year (default: not written)
    year = 2026
    formats = ["mp3", "opus"]       # mp3 always; opus, and m4a where ffmpeg is installed

    [set.voices]                    # the voice per language (default: each script's)
    nl = "espeak"
    en = "piper-joe"

    [lengths]                       # per track, overriding lengths above
    3 = "20m"
    9 = "15m"

Options on the command line win over the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from ..errors import MbclError
from ..export.formats import check_formats
from ..master.profiles import PROJECT_CONFIG, read_toml
from ..schema import Field, FieldError, check_table, is_whole_number
from ..script.values import check_duration, check_text

__all__ = ["SetConfig", "load_set_config"]

LENGTH_CHOICES = ("default", "short", "long")


@dataclass(frozen=True)
class SetConfig:
    """What the project file says about the set (everything optional)."""

    path: Optional[Path] = None
    languages: Optional[tuple[str, ...]] = None
    lengths: Optional[str] = None
    bed: Optional[str] = None
    jobs: Optional[int] = None
    album: Optional[str] = None
    artist: Optional[str] = None
    publisher: Optional[str] = None
    year: Optional[int] = None
    formats: Optional[tuple[str, ...]] = None
    voices: dict[str, str] = field(default_factory=dict)
    #: Per track number, seconds.
    track_lengths: dict[int, float] = field(default_factory=dict)


def _languages(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise FieldError('languages must be a list of language codes, e.g. languages = ["nl", "en"]')
    return tuple(value)


def _choice(value: Any, key: str) -> str:
    if value not in LENGTH_CHOICES:
        raise FieldError(f"lengths must be one of {', '.join(LENGTH_CHOICES)}, got {value!r}")
    return value


def _jobs(value: Any, key: str) -> int:
    if not is_whole_number(value) or not 1 <= value <= 64:
        raise FieldError(f"jobs must be a whole number from 1 to 64, got {value!r}")
    return value


def _year(value: Any, key: str) -> int:
    if not is_whole_number(value) or not 1900 <= value <= 2999:
        raise FieldError(f"year must be a year such as 2026, got {value!r}")
    return value


def _formats(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
        raise FieldError('formats must be a list of formats, e.g. formats = ["mp3", "opus"]')
    try:
        # Names only: whether ffmpeg is there is checked when a build asks for m4a (the command line may drop it).
        return check_formats(value, programs=False)
    except MbclError as err:
        raise FieldError(str(err)) from None


def _voices(value: Any, key: str) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(v, str) and v for v in value.values()):
        raise FieldError('voices must be a table of language = "voice", e.g. [set.voices] then nl = "espeak"')
    return dict(value)


SET_FIELDS = {
    "languages": Field(_languages),
    "lengths": Field(_choice),
    "bed": Field(check_text(True, 'bed = "warm-pad"')),
    "jobs": Field(_jobs),
    "album": Field(check_text(True, 'album = "Compassievol leven"')),
    "artist": Field(check_text(True, 'artist = "Anna de Vries"')),
    "publisher": Field(check_text(True, 'publisher = "A training centre"')),
    "year": Field(_year),
    "formats": Field(_formats),
    "voices": Field(_voices),
}


def load_set_config(folder: Path = Path(".")) -> SetConfig:
    """The ``[set]`` and ``[lengths]`` tables of ``<folder>/mbcl-audio.toml``; empty without the file.

    Raises:
        MbclError: naming the file, the table and the setting that is wrong.
    """
    path = Path(folder) / PROJECT_CONFIG
    if not path.is_file():
        return SetConfig()
    data = read_toml(path)
    table = data.get("set", {})
    if not isinstance(table, dict):
        raise MbclError(f"{path}: set must be a table: write [set] on its own line")
    problems: list[str] = []
    values = check_table(table, SET_FIELDS, lambda err: problems.append(err.message))
    if problems:
        raise MbclError(f"{path}: [set] {problems[0]}")
    lengths = data.get("lengths", {})
    if not isinstance(lengths, dict):
        raise MbclError(f'{path}: lengths must be a table: write [lengths] on its own line, then 3 = "20m"')
    track_lengths: dict[int, float] = {}
    for key, value in lengths.items():
        if not key.isdigit() or not 1 <= int(key) <= 27:
            raise MbclError(f"{path}: [lengths] {key!r} is not a track number from 1 to 27")
        try:
            track_lengths[int(key)] = check_duration(False, '"20m"')(value, f"[lengths] {key}")
        except FieldError as err:
            raise MbclError(f"{path}: {err.message}") from None
    return SetConfig(path=path, track_lengths=track_lengths, **values)
