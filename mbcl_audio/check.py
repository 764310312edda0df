"""``mbcl-audio check``: every problem of every script, without rendering a track."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional, Sequence

from . import SAMPLE_RATE
from .catalog import Catalog, CatalogError, TrackInfo, catalog_for_script, with_default_length
from .errors import MbclError
from .master.profiles import get_profile, load_project_config
from .plan import fit, reachable_range
from .plan.estimate import estimate_speech_samples
from .render.bed import BED_NAMES
from .render.bed.user import find_bed_file
from .render.bell import framed
from .render.voice import SpeechCache, get_voice
from .render.voice.speech import prepare_utterances
from .script import ScriptError, collect_problems, parse_script, track_scripts
from .script.frontmatter import front_matter_positions
from .script.model import BreathPhrase, Script, SourcePos
from .script.shape import shape_difference
from .units import format_duration, seconds_to_samples


#: How bad a problem is: an error fails the check; a warning is shown and does not.
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    location: str
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {self.message}"


def script_paths(paths: Sequence[Path]) -> list[Path]:
    """The scripts named, with folders expanded to every ``*.txt`` below them (blocks excluded)."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(
                p for p in sorted(path.rglob("*.txt")) if not any(part.startswith("_") for part in p.relative_to(path).parts)
            )
        else:
            found.append(path)
    return found


def _name_problems(script: Script, path: Path) -> list[Problem]:
    """A script's file name and folder must agree with its front matter (catches copy-paste slips)."""
    problems = []
    match = re.match(r"(\d\d)-", path.name)
    if not match or int(match.group(1)) != script.front.track:
        problems.append(Problem(str(path), f"file name should start with {script.front.track:02d}- (track = {script.front.track})"))
    same_track = [q.name for q in track_scripts(path.parent, script.front.track)]
    if len(same_track) > 1:
        problems.append(Problem(
            str(path),
            f"{len(same_track)} scripts for track {script.front.track} in {path.parent}: {', '.join(same_track)}; "
            "build and the set take exactly one per language, keep one",
        ))
    if path.parent.name != script.front.language:
        problems.append(
            Problem(str(path), f"the script is in folder '{path.parent.name}' but says language = \"{script.front.language}\"")
        )
    if not any(u.passage is None for u in script.utterances):
        problems.append(Problem(str(path), "every utterance is inside an optional passage: the shortest version would be silent"))
    return problems


def _speech_durations(script: Script, cache: Optional[SpeechCache]) -> tuple[list[int], list[Problem]]:
    """Estimated durations, with breath-locked halves measured by synthesizing them (they must fit a breath)."""
    durations = estimate_speech_samples(script, SAMPLE_RATE)
    halves = {id(h) for p in script.items if isinstance(p, BreathPhrase) for h in (p.inhale, p.exhale)}
    if not halves:
        return durations, []
    try:
        voice = get_voice(script.front.voice, script.front.language)
        picked = [k for k, u in enumerate(script.utterances) if id(u) in halves]
        audio = prepare_utterances([script.utterances[k].text for k in picked], voice, cache or SpeechCache(), SAMPLE_RATE)
    except MbclError as exc:
        return durations, [Problem(str(script.path), f"breath-locked halves not measured, estimated instead: {exc}", "warning")]
    for k, clip in zip(picked, audio):
        durations[k] = len(clip)
    return durations, []


def _sound_problems(script: Script, path: Path, music_dir: Path, project_dir: Path) -> list[Problem]:
    """The bed must exist (generated, or a file in ``music_dir``) and the profile must be known."""
    problems = []
    bed = script.front.bed
    if bed != "none" and bed not in BED_NAMES and find_bed_file(bed, music_dir) is None:
        problems.append(
            Problem(str(path), f"bed {bed!r} is neither a generated bed ({', '.join(BED_NAMES)}) nor a file in {music_dir}/")
        )
    try:
        get_profile(script.front.profile or None, load_project_config(project_dir))
    except MbclError as exc:
        problems.append(Problem(str(path), str(exc)))
    return problems


def _key_location(where: dict[str, SourcePos], key: str, path: Path) -> str:
    """Where a front matter key is written (``file:line:col``), else the file's first line."""
    return str(where.get(key, SourcePos(str(path), 1, 1)))


def _catalog_problems(script: Script, path: Path, catalog: Catalog, where: dict[str, SourcePos]) -> list[Problem]:
    """The script's track must be in the catalogue, with its title and (if given) its default length."""
    front = script.front

    def at(key: str) -> str:
        return _key_location(where, key, path)

    info = catalog.get(front.track)
    if info is None:
        return [Problem(at("track"), f"track {front.track} is not in the catalogue {catalog.path} (tracks 1 to {len(catalog)})")]
    problems = []
    expected = info.title(front.language)
    if expected is None:
        problems.append(Problem(
            at("title"),
            f"the catalogue has no {front.language} title for track {front.track}; add it at {catalog.path}:{info.line}",
            "warning",
        ))
    elif front.title != expected:
        problems.append(Problem(
            at("title"),
            f'title "{front.title}" differs from the catalogue\'s {front.language} title "{expected}" '
            f"({catalog.path}:{info.line}); use the catalogue's title",
        ))
    if front.length_s is not None and round(front.length_s, 3) != round(info.default_s, 3):
        problems.append(Problem(
            at("length"),
            f"length = {format_duration(front.length_s)} differs from the catalogue's default "
            f"{format_duration(info.default_s)} for track {front.track} ({catalog.path}:{info.line}); "
            "use the catalogue's default, or leave length out to take it from the catalogue",
        ))
    return problems


def _coverage_problem(
    path: Path, info: TrackInfo, reach: tuple[int, int], catalog: Catalog, where: dict[str, SourcePos]
) -> list[Problem]:
    """The script's reachable lengths (samples) must cover the catalogue's range for its track."""
    lo, hi = reach
    if lo <= seconds_to_samples(info.min_s, SAMPLE_RATE) and hi >= seconds_to_samples(info.max_s, SAMPLE_RATE):
        return []
    return [Problem(
        _key_location(where, "length", path),
        f"the script reaches {format_duration(lo / SAMPLE_RATE, 'up')} to {format_duration(hi / SAMPLE_RATE, 'down')} "
        f"(estimated speech durations), which does not cover the catalogue range "
        f"{format_duration(info.min_s)} to {format_duration(info.max_s)} for track {info.number} "
        f"({catalog.path}:{info.line}); lengthen elastic pauses or add optional passages",
    )]


def _shape_problems(script: Script, path: Path, catalog: Catalog) -> list[Problem]:
    """A script in another language than the catalogue's source keeps the source script's shape."""
    if script.front.language.split("-")[0] == catalog.source_language:
        return []
    sources = track_scripts(path.parent.parent / catalog.source_language, script.front.track)
    if len(sources) != 1:
        return []  # no source script, or several (reported when it is checked)
    try:
        source = parse_script(sources[0])
    except MbclError:
        return []  # its own problems are reported when it is checked
    difference = shape_difference(script, source)
    if difference is None:
        return []
    pos, message = difference
    return [Problem(str(pos), f"the shape differs from the {catalog.source_language} script {sources[0]}: {message}; "
                              "keep the same sections, pauses, silences, breathing and optional passages")]


def check_script(
    path: Path, cache: Optional[SpeechCache] = None, music_dir: Path = Path("music"), project_dir: Path = Path(".")
) -> list[Problem]:
    """All problems of one script: syntax, front matter, includes, bed and loudness profile, the track
    catalogue (title, default length, range covered), shape parity with the source language,
    length range, breath-locked halves, pacing stretches."""
    path = Path(path)
    errors = collect_problems(path)
    if errors:
        return [Problem(str(e.pos), e.message) for e in errors]
    script = parse_script(path)
    problems = _name_problems(script, path) + _sound_problems(script, path, Path(music_dir), Path(project_dir))
    try:
        catalog = catalog_for_script(path)
        script = with_default_length(script, catalog)
    except CatalogError as exc:
        return problems + [Problem(str(path), str(exc).removeprefix(f"{path}: "))]
    info = catalog.get(script.front.track) if catalog else None
    where = front_matter_positions(path.read_text(encoding="utf-8"), str(path))
    if catalog is not None:
        problems += _catalog_problems(script, path, catalog, where) + _shape_problems(script, path, catalog)
    speech, measured = _speech_durations(script, cache)
    script = framed(script, script.front.bell)  # planned as built: with its lead-in and lead-out
    problems.extend(measured)
    try:
        lo, hi = reachable_range(script, speech, SAMPLE_RATE)
        if info is not None:
            problems += _coverage_problem(path, info, (lo, hi), catalog, where)
        default = seconds_to_samples(script.front.length_s, SAMPLE_RATE)
        if not lo <= default <= hi:
            problems.append(
                Problem(
                    str(path),
                    f"the default length {format_duration(script.front.length_s)} is outside the reachable "
                    f"{format_duration(lo / SAMPLE_RATE, 'up')} to {format_duration(hi / SAMPLE_RATE, 'down')} "
                    f"(estimated speech durations); change length = or the pauses",
                )
            )
        else:
            plan = fit(script, speech, default, SAMPLE_RATE)
            problems.extend(Problem(where, what, "warning") for where, what in plan.warnings)
    except ScriptError as exc:
        problems.append(Problem(str(exc.pos), exc.message))
    except MbclError as exc:
        problems.append(Problem(str(path), str(exc).removeprefix(f"{path}: ")))
    return problems
