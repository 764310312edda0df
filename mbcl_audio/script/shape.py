"""A script's shape: its timing structure without its words, to compare two languages of a track.

The Dutch and English script of a track must time alike: the same sections, the same sequence
of pauses, silences, breathing, breath-locked phrases, pacing changes and optional passages,
with the same bounds. What the words are, how many paragraphs say them and where an ellipsis
breathes inside them is each language's own: a run of speech (with its paragraph and ellipsis
pauses) is one ``speech`` step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from mbcl_audio.script.model import Breathe, BreathPhrase, PacingChange, Pause, Script, Section, SourcePos, Speech

__all__ = ["Step", "script_shape", "shape_difference"]


@dataclass(frozen=True)
class Step:
    """One step of a shape: what it is (``kind`` and the numbers that time it) and where it is written."""

    kind: str
    timing: tuple
    pos: SourcePos

    def describe(self) -> str:
        return self.kind if not self.timing else f"{self.kind} {' '.join(_fmt(v) for v in self.timing)}"


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return "-" if value is None else str(value)


def _timing(item: object) -> tuple[str, tuple]:
    if isinstance(item, Section):
        return "section", ()
    if isinstance(item, Pause):
        kind = "silence" if item.silence else "pause"
        return kind, (item.min_s, item.max_s, item.preferred_s, item.weight, item.prompt_every_s, len(item.prompts))
    if isinstance(item, Breathe):
        return "breathe", (item.cycles,)
    if isinstance(item, BreathPhrase):
        return "breath-locked", (item.repeats, item.min_s, item.max_s)
    if isinstance(item, PacingChange):
        return f"pacing {item.mode}", (item.cycles, item.rate, item.in_fraction, item.ramp_from, item.ramp_s, item.sound)
    raise TypeError(f"unknown script item {item!r}")


def script_shape(script: Script) -> list[Step]:
    """The steps of ``script`` in reading order (blocks expanded), optional passages as open/close steps."""
    steps: list[Step] = []
    current: Optional[int] = None
    for item in script.items:
        if item.passage != current:
            if current is not None:
                steps.append(Step("end optional", (), item.pos))
            if item.passage is not None:
                passage = script.passages[item.passage]
                steps.append(Step("optional", (passage.priority,), passage.pos))
            current = item.passage
        if isinstance(item, Pause) and item.implicit:
            continue
        if isinstance(item, Speech):
            if not (steps and steps[-1].kind == "speech"):
                steps.append(Step("speech", (), item.pos))
            continue
        kind, timing = _timing(item)
        steps.append(Step(kind, timing, item.pos))
    if current is not None:
        steps.append(Step("end optional", (), script.items[-1].pos))
    return steps


def shape_difference(script: Script, reference: Script) -> Optional[tuple[SourcePos, str]]:
    """Where ``script`` first departs from the shape of ``reference``, and how; None when they match."""
    ours, theirs = script_shape(script), script_shape(reference)
    for k, (a, b) in enumerate(zip(ours, theirs)):
        if (a.kind, a.timing) != (b.kind, b.timing):
            return a.pos, f"step {k + 1} is '{a.describe()}' where {b.pos} has '{b.describe()}'"
    if len(ours) != len(theirs):
        if len(ours) > len(theirs):
            extra = ours[len(theirs)]
            return extra.pos, f"'{extra.describe()}' and what follows has no counterpart: {reference.path} ends its shape before it"
        missing = theirs[len(ours)]
        end = ours[-1].pos if ours else SourcePos(str(script.path), 1, 1)
        return end, f"the shape ends here, but {missing.pos} goes on with '{missing.describe()}'"
    return None
