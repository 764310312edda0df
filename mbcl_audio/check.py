"""``mbcl-audio check``: every problem of every script, without rendering a track."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Optional, Sequence

from . import SAMPLE_RATE
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
from .script.model import BreathPhrase, Script
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


def check_script(
    path: Path, cache: Optional[SpeechCache] = None, music_dir: Path = Path("music"), project_dir: Path = Path(".")
) -> list[Problem]:
    """All problems of one script: syntax, front matter, includes, bed and loudness profile, length
    range, breath-locked halves, pacing stretches."""
    path = Path(path)
    errors = collect_problems(path)
    if errors:
        return [Problem(str(e.pos), e.message) for e in errors]
    script = parse_script(path)
    problems = _name_problems(script, path) + _sound_problems(script, path, Path(music_dir), Path(project_dir))
    speech, measured = _speech_durations(script, cache)
    script = framed(script, script.front.bell)  # planned as built: with its lead-in and lead-out
    problems.extend(measured)
    try:
        lo, hi = reachable_range(script, speech, SAMPLE_RATE)
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
