"""``mbcl-audio check``: every problem of every script, without rendering a track."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from . import SAMPLE_RATE
from .errors import MbclError
from .plan import fit, reachable_range
from .render.voice import SpeechCache, get_voice
from .render.voice.estimate import estimate_speech_samples
from .script import collect_problems, parse_script
from .script.model import BreathPhrase, Script
from .units import format_duration, seconds_to_samples


@dataclass(frozen=True)
class Problem:
    location: str
    message: str
    severity: str = "error"

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
    if path.parent.name != script.front.language:
        problems.append(
            Problem(str(path), f"the script is in folder '{path.parent.name}' but says language = \"{script.front.language}\"")
        )
    return problems


def _phrase_problems(script: Script, cache: Optional[SpeechCache]) -> list[Problem]:
    """Breath-locked halves longer than their breath phase, measured by synthesizing them."""
    phrases = [i for i in script.items if isinstance(i, BreathPhrase)]
    if not phrases:
        return []
    voice = get_voice(script.front.voice, script.front.language)
    cache = cache if cache is not None else SpeechCache()
    cycle = 60.0 / script.front.breaths_per_minute
    phases = (script.front.in_fraction * cycle, (1 - script.front.in_fraction) * cycle)
    if script.front.grid == "steps":
        phases = (60.0 / script.front.steps_per_minute,) * 2
    from .render.speech import prepare_utterances

    halves = [(half, phase) for p in phrases for half, phase in zip((p.inhale, p.exhale), phases)]
    audio = prepare_utterances([h.text for h, _ in halves], voice, cache, SAMPLE_RATE)
    problems = []
    for (half, phase), clip in zip(halves, audio):
        seconds = len(clip) / SAMPLE_RATE
        if seconds > phase:
            problems.append(
                Problem(
                    str(half.pos),
                    f"'{half.text}' lasts {seconds:.2f} s with voice {voice.name}, longer than its "
                    f"{phase:.2f} s breath phase; shorten it or slow the pacing",
                    "warning",
                )
            )
    return problems


def check_script(path: Path, cache: Optional[SpeechCache] = None) -> list[Problem]:
    """All problems of one script: syntax, front matter, includes, length range, breath-locked halves."""
    path = Path(path)
    errors = collect_problems(path)
    if errors:
        return [Problem(str(e.pos), e.message) for e in errors]
    script = parse_script(path)
    problems = _name_problems(script, path)
    speech = estimate_speech_samples(script, SAMPLE_RATE)
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
        try:
            fit(script, speech, default, SAMPLE_RATE)
        except MbclError as exc:
            message = str(exc).removeprefix(f"{path}: ")
            problems.append(Problem(str(path), message))
    try:
        problems.extend(_phrase_problems(script, cache))
    except MbclError as exc:
        problems.append(Problem(str(path), f"cannot measure breath-locked phrases: {exc}", "warning"))
    return problems
