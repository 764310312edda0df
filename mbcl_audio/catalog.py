"""The track catalogue: the 27 tracks of the MBCL set, read from ``scripts/catalog.toml``.

One entry per track: its titles per language, the session and weeks it belongs to, its posture,
default length and the range a trainer may ask for, and how much the pacing tone belongs in it.
``build`` takes a track's default length from here when its script gives none, ``check``
holds every script to it, and ``mbcl-audio tracks`` shows it beside the scripts that exist.

>>> catalog = load_catalog(Path("scripts/catalog.toml"))
>>> catalog[5].title("en"), catalog[5].default_s, (catalog[5].min_s, catalog[5].max_s)
('The breathing space with compassion', 360.0, (180.0, 600.0))
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator, Literal, Optional

from .errors import MbclError
from .schema import Field, FieldError, check_table, from_validator, is_whole_number
from .script import Script
from .script.values import check_duration, check_text

__all__ = [
    "CATALOG_FILE",
    "PACING_FITS",
    "TRACK_COUNT",
    "Catalog",
    "CatalogError",
    "TrackInfo",
    "catalog_for_script",
    "catalog_path",
    "load_catalog",
    "with_default_length",
]

#: The catalogue's file name, inside the scripts folder.
CATALOG_FILE = "catalog.toml"
#: The set has this many tracks, numbered from 1.
TRACK_COUNT = 27
#: The languages every entry has a title in.
TITLE_LANGUAGES = ("nl", "en", "de")
PacingFit = Literal["strong", "optional", "none"]
PACING_FITS: tuple[PacingFit, ...] = ("strong", "optional", "none")
SILENT_DAY = "silent day"


class CatalogError(MbclError):
    """The catalogue file is missing, unreadable or breaks a rule; the message names the file and entry."""


@dataclass(frozen=True)
class TrackInfo:
    """One track of the set, as the catalogue describes it."""

    number: int
    titles: dict[str, str]
    #: The course session (1-8) the exercise is introduced in; ``None``: the silent day only.
    session: Optional[int]
    silent_day: bool
    #: The course weeks it is homework in (week N follows session N).
    weeks: tuple[int, ...]
    posture: str
    default_s: float
    min_s: float
    max_s: float
    pacing: PacingFit
    pacing_note: str = ""
    about: str = ""
    needs: str = ""
    #: The catalogue's timing notes: the reflective silence after a question, and the pause at the
    #: end of a paragraph of guidance (seconds, shortest and longest); ``import-text`` places them.
    question_pause: tuple[float, float] = (10.0, 30.0)
    paragraph_pause: tuple[float, float] = (3.0, 5.0)
    #: Line of the entry's ``[[track]]`` header in the catalogue file.
    line: int = 0

    def title(self, language: str) -> Optional[str]:
        """The title in ``language`` (a regional code such as ``en-GB`` falls back to ``en``)."""
        return self.titles.get(language) or self.titles.get(language.split("-")[0].lower())

    @property
    def session_label(self) -> str:
        """``"4"``, ``"4 (+ silent day)"`` or ``"silent day"``, as the course overview writes it."""
        if self.session is None:
            return SILENT_DAY
        return f"{self.session} (+ {SILENT_DAY})" if self.silent_day else str(self.session)

    @property
    def pacing_label(self) -> str:
        return f"{self.pacing} ({self.pacing_note})" if self.pacing_note else self.pacing


@dataclass(frozen=True)
class Catalog:
    """Every track of the set, by number; ``path`` is the file it was read from.

    ``source_language`` is the language the scripts are first written in: the other languages'
    scripts keep its shape.
    """

    path: Path
    tracks: tuple[TrackInfo, ...]
    source_language: str = "nl"

    def __getitem__(self, number: int) -> TrackInfo:
        return self.tracks[number - 1]

    def __iter__(self) -> Iterator[TrackInfo]:
        return iter(self.tracks)

    def __len__(self) -> int:
        return len(self.tracks)

    def get(self, number: int) -> Optional[TrackInfo]:
        """The track with this number, or ``None`` when the set has none."""
        return self.tracks[number - 1] if 1 <= number <= len(self.tracks) else None


def _check_titles(value: Any, key: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise FieldError(f'title must be a table of titles per language, e.g. title = {{ nl = "...", en = "...", de = "..." }}')
    missing = [lang for lang in TITLE_LANGUAGES if lang not in value]
    if missing:
        raise FieldError(f"title has no {', '.join(missing)} title; every track has one in {', '.join(TITLE_LANGUAGES)}")
    empty = [lang for lang, text in value.items() if not isinstance(text, str) or not text.strip()]
    if empty:
        raise FieldError(f"title in {', '.join(empty)} must be non-empty text")
    return dict(value)


def _check_range(value: Any, key: str) -> tuple[float, float]:
    example = '["10m", "20m"]' if key == "range" else '["10s", "20s"]'
    if not isinstance(value, list) or len(value) != 2:
        raise FieldError(f"{key} must be two durations, shortest first, e.g. {key} = {example}")
    low, high = (check_duration(False, '"10m"')(v, key) for v in value)
    if low > high:
        raise FieldError(f"{key} must give the shortest length first, got {value!r}")
    return low, high


def _check_weeks(value: Any, key: str) -> tuple[int, ...]:
    if not isinstance(value, list) or not all(is_whole_number(w) and 1 <= w <= 8 for w in value):
        raise FieldError(f"weeks must be a list of course weeks 1 to 8, e.g. weeks = [2, 3]; got {value!r}")
    return tuple(value)


FIELDS: dict[str, Field] = {
    "number": Field(from_validator(lambda v: None if is_whole_number(v) else "number must be a whole number"), required=True),
    "title": Field(_check_titles, required=True, name="titles"),
    "session": Field(
        from_validator(lambda v: None if is_whole_number(v) and 0 <= v <= 8 else "session must be 1 to 8, or 0 for the silent day"),
        required=True,
    ),
    "silent_day": Field(from_validator(lambda v: None if isinstance(v, bool) else "silent_day must be true or false")),
    "weeks": Field(_check_weeks),
    "posture": Field(check_text(True, 'posture = "sitting"'), required=True),
    "length": Field(check_duration(False, '"15m"'), required=True, name="default_s"),
    "range": Field(_check_range, required=True),
    "pacing": Field(
        from_validator(lambda v: None if v in PACING_FITS else f"pacing must be one of {', '.join(PACING_FITS)}"),
        required=True,
    ),
    "pacing_note": Field(check_text(False, 'pacing_note = "opening"')),
    "question_pause": Field(_check_range),
    "paragraph_pause": Field(_check_range),
    "about": Field(check_text(False, 'about = "..."')),
    "needs": Field(check_text(False, 'needs = "..."')),
}


def catalog_path(scripts_dir: Path) -> Path:
    """Where the catalogue of a scripts folder lives."""
    return Path(scripts_dir) / CATALOG_FILE


def _entry_lines(text: str) -> list[int]:
    """Line number of each ``[[track]]`` header, in order."""
    return [k for k, line in enumerate(text.splitlines(), 1) if re.match(r"\s*\[\[\s*track\s*\]\]", line)]


def _entry(table: dict[str, Any], where: str, line: int) -> TrackInfo:
    problems: list[str] = []

    values = check_table(table, FIELDS, lambda err: problems.append(err.message))
    if problems:
        raise CatalogError(f"{where}: {'; '.join(problems)}")
    low, high = values.pop("range")
    session = values.pop("session") or None
    values.setdefault("silent_day", False)
    if session is None and not values["silent_day"]:
        raise CatalogError(f"{where}: session = 0 means the silent day only, so silent_day must be true")
    info = TrackInfo(session=session, min_s=low, max_s=high, line=line, weeks=values.pop("weeks", ()), **values)
    if not info.min_s <= info.default_s <= info.max_s:
        raise CatalogError(f"{where}: the default length {table['length']} lies outside its range {table['range']}")
    return info


def load_catalog(path: Path) -> Catalog:
    """Read and check the catalogue: ``TRACK_COUNT`` entries numbered 1 to ``TRACK_COUNT`` once each,
    titles in nl, en and de, defaults inside their ranges.

    Raises :class:`CatalogError` naming the file, the entry's line and the rule it breaks.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError(f"{path}: no track catalogue here; the project's is scripts/{CATALOG_FILE}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read the track catalogue: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{path}: the track catalogue is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"track", "source_language"})
    if unknown:
        raise CatalogError(f"{path}: unknown key {unknown[0]!r}: the catalogue holds source_language and [[track]] entries")
    source = data.get("source_language", "nl")
    if not isinstance(source, str) or not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", source):
        raise CatalogError(f'{path}: source_language must be a language code such as "nl", got {source!r}')
    entries = data.get("track", [])
    lines = _entry_lines(text) + [0] * len(entries)
    tracks = [_entry(table, f"{path}:{lines[k]}", lines[k]) for k, table in enumerate(entries)]
    by_number: dict[int, TrackInfo] = {}
    for info in tracks:
        if info.number in by_number:
            raise CatalogError(
                f"{path}:{info.line}: track {info.number} is listed twice (also at line {by_number[info.number].line})"
            )
        by_number[info.number] = info
    expected = set(range(1, TRACK_COUNT + 1))
    if set(by_number) != expected:
        missing, extra = sorted(expected - set(by_number)), sorted(set(by_number) - expected)
        detail = "; ".join(
            part
            for part in (f"missing {', '.join(map(str, missing))}" if missing else "",
                         f"not in the set: {', '.join(map(str, extra))}" if extra else "")
            if part
        )
        raise CatalogError(f"{path}: the catalogue must list tracks 1 to {TRACK_COUNT} once each: {detail}")
    return Catalog(path, tuple(by_number[n] for n in sorted(by_number)), source)


def catalog_for_script(script_path: Path) -> Optional[Catalog]:
    """The catalogue of the scripts folder a script sits in (``scripts/<lang>/NN-x.txt`` ->
    ``scripts/catalog.toml``), or ``None`` when that folder has none."""
    path = catalog_path(Path(script_path).resolve().parent.parent)
    if not path.is_file():
        return None
    try:  # messages name the catalogue as the user would: relative to where they are
        path = path.relative_to(Path.cwd())
    except ValueError:
        pass
    return load_catalog(path)


def with_default_length(script: Script, catalog: Optional[Catalog]) -> Script:
    """``script`` with its length: its own ``length =``, else its track's catalogue default.

    Raises :class:`CatalogError` when it has neither, naming the script.
    """
    if script.front.length_s is not None:
        return script
    info = catalog.get(script.front.track) if catalog is not None else None
    if info is None:
        where = f"no entry for track {script.front.track} in {catalog.path}" if catalog else f"no {CATALOG_FILE} beside its language folder"
        raise CatalogError(
            f"{script.path}: the script has no length = in its front matter and {where} to take the default from; "
            'add e.g. length = "15m"'
        )
    return replace(script, front=replace(script.front, length_s=info.default_s))
