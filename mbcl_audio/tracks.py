"""The state of the set: every catalogue track beside the scripts each language has for it.

``mbcl-audio tracks`` prints :func:`track_overview`. A script's reachable range is planned from
estimated speech durations (no synthesis), as ``mbcl-audio plan`` does, so the overview of all
27 tracks in several languages takes seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Sequence

from . import SAMPLE_RATE
from .catalog import Catalog, TrackInfo, catalog_path, load_catalog, with_default_length
from .errors import MbclError
from .plan import reachable_range
from .plan.estimate import estimate_speech_samples
from .render.bell import framed
from .script import parse_script, track_scripts

__all__ = ["FLAGS", "ScriptStatus", "TrackRow", "script_languages", "track_overview"]

#: Why a row is flagged, with the words the table shows.
FLAGS = {
    "missing": "no script",
    "several": "more than one script",
    "invalid": "script has errors",
    "title": "title differs from the catalogue",
    "range": "reachable range does not cover the catalogue range",
}


@dataclass(frozen=True)
class ScriptStatus:
    """One language's script for a track (``path`` is ``None`` when it has none)."""

    language: str
    path: Optional[Path] = None
    title: Optional[str] = None
    reachable_min_s: Optional[float] = None
    reachable_max_s: Optional[float] = None
    #: Keys of :data:`FLAGS`; empty when the script is complete and agrees with the catalogue.
    flags: tuple[str, ...] = ()
    #: The first error of a script that does not parse or plan.
    error: str = ""


@dataclass(frozen=True)
class TrackRow:
    """A catalogue track and its scripts, by language."""

    info: TrackInfo
    scripts: dict[str, ScriptStatus] = field(default_factory=dict)

    @property
    def flagged(self) -> bool:
        return any(status.flags for status in self.scripts.values())


def script_languages(scripts_dir: Path) -> list[str]:
    """The language folders of a scripts folder (``en``, ``nl``, ...), sorted."""
    return sorted(p.name for p in Path(scripts_dir).iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))


def _status(catalog: Catalog, info: TrackInfo, language: str, folder: Path) -> ScriptStatus:
    paths = track_scripts(folder, info.number) if folder.is_dir() else []
    if not paths:
        return ScriptStatus(language, flags=("missing",))
    if len(paths) > 1:
        return ScriptStatus(language, paths[0], flags=("several",), error=", ".join(p.name for p in paths))
    path = paths[0]
    try:
        script = with_default_length(parse_script(path), catalog)
        planned = framed(script, script.front.bell)
        lo, hi = reachable_range(planned, estimate_speech_samples(planned, SAMPLE_RATE), SAMPLE_RATE)
    except MbclError as exc:
        return ScriptStatus(language, path, flags=("invalid",), error=str(exc))
    flags = []
    if script.front.title != info.title(language):
        flags.append("title")
    if lo > round(info.min_s * SAMPLE_RATE) or hi < round(info.max_s * SAMPLE_RATE):
        flags.append("range")
    return ScriptStatus(language, path, script.front.title, lo / SAMPLE_RATE, hi / SAMPLE_RATE, tuple(flags))


def track_overview(scripts_dir: Path, languages: Optional[Sequence[str]] = None) -> tuple[Catalog, list[TrackRow]]:
    """Every track of the catalogue in ``scripts_dir`` with the status of its script per language.

    ``languages`` defaults to every language folder in ``scripts_dir``. Raises
    :class:`~mbcl_audio.catalog.CatalogError` when the catalogue is missing or broken.
    """
    scripts_dir = Path(scripts_dir)
    catalog = load_catalog(catalog_path(scripts_dir))
    languages = list(languages) if languages else script_languages(scripts_dir)
    rows = [TrackRow(info, {lang: _status(catalog, info, lang, scripts_dir / lang) for lang in languages}) for info in catalog]
    return catalog, rows
