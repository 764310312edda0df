"""Turn a parsed script into a timeline of exactly the requested length.

Why the fitting is done per *segment*: some things must start on an onset of
the pacing grid (a multiple of the grid beat, counted from sample 0): a
``[breathe N]`` block, a breath-locked phrase, an ``[on-beat]`` utterance, and
speech that re-enters after a ``[silence]`` while the pacing tone is on. Each
such *anchor* starts a segment; a segment therefore begins on the grid, and
when another anchor follows, it must span a whole number of beats. Only the
last segment (the tail) may take any length. Breathe blocks and breath-locked
phrases last whole beats themselves, so the script's reachable lengths are
``beat * j + tail`` for a run of whole numbers ``j``.

Inside a segment the elastic pauses share its slack: first each grows from its
minimum towards its preferred length (all by the same fraction of that range,
scaled by weight), then beyond it towards its maximum. When the pauses cannot
reach the next onset even at their maxima, an ``align`` event (silence shorter
than one beat) fills the gap.

Optional passages are chosen before fitting: in priority order, a passage is
included when the script with it still fits the target at its *natural* length
(every pause at its preferred length).

The parts: :mod:`~mbcl_audio.plan.segments` lays the script out as segments
and says what they reach, :mod:`~mbcl_audio.plan.slack` shares the slack and
chooses the beats, :mod:`~mbcl_audio.plan.place` lays the result out as a
timeline, and :mod:`~mbcl_audio.plan.stretches` puts the pacing tone on it.
This module picks the passages and answers for the whole.
"""

from __future__ import annotations

from typing import Optional, Sequence

from ..script.model import Script
from ..units import MAX_DURATION_S, Rounding, format_duration, seconds_to_samples
from .errors import LengthError, PlanError
from .grid import cycle_samples, grid_samples, step_samples
from .model import Plan
from .place import place
from .segments import Layout, lay_out
from .slack import choose_beats

#: A set of passages (indices into ``script.passages``) and the script laid out with them.
Prefix = tuple[frozenset[int], Layout]

__all__ = [
    "LengthError", "PlanError", "cycle_samples", "fit", "grid_samples", "reachable_range", "select_passages",
    "step_samples",
]


def _priority_prefixes(script: Script) -> list[frozenset[int]]:
    """The passage sets a plan may include: none, the first by priority, the first two, ... all.

    Passages join strictly in priority order (then reading order), so a longer
    version of a track keeps every passage a shorter one has.
    """
    order = sorted(range(len(script.passages)), key=lambda k: (script.passages[k].priority, k))
    return [frozenset(order[:n]) for n in range(len(order) + 1)]


def _prefix_layouts(script: Script, speech_samples: Sequence[int], sample_rate: int) -> list[Prefix]:
    """The layout of every priority prefix of passages, laid out once for all the questions below."""
    return [(chosen, lay_out(script, speech_samples, sample_rate, chosen)) for chosen in _priority_prefixes(script)]


def _select(layouts: list[Prefix], target_samples: int) -> Optional[Prefix]:
    """Among the prefixes that reach ``target_samples`` exactly, the longest whose natural length fits it;
    if none fits naturally, the shortest that reaches it; ``None`` when none reaches it."""
    reaching = [(chosen, layout) for chosen, layout in layouts if layout.reach().reaches(target_samples)]
    if not reaching:
        return None
    natural = [pair for pair in reaching if pair[1].natural_length() <= target_samples]
    return natural[-1] if natural else reaching[0]


def _range(layouts: list[Prefix]) -> tuple[int, int]:
    """Shortest and longest length over every prefix.

    Usually the first prefix (no passages) is the shortest and the last (all of
    them) the longest, but not always: leaving a passage out can put a
    paragraph pause between two utterances it separated with less.
    """
    reaches = [layout.reach() for _, layout in layouts]
    return min(r.min_samples for r in reaches), max(r.max_samples for r in reaches)


def select_passages(
    script: Script, speech_samples: Sequence[int], target_samples: int, sample_rate: int
) -> Optional[frozenset[int]]:
    """Which optional passages a target length includes (indices into ``script.passages``).

    Among the priority prefixes that can reach the target exactly, the longest
    one whose *natural* length (every pause at its preferred length) fits the
    target; if none fits naturally, the shortest that reaches it. ``None`` when
    no selection reaches the target.
    """
    selected = _select(_prefix_layouts(script, speech_samples, sample_rate), target_samples)
    return None if selected is None else selected[0]


def reachable_range(script: Script, speech_samples: Sequence[int], sample_rate: int) -> tuple[int, int]:
    """Shortest (usually: no optional passages) and longest (usually: all of them) length in samples.

    Lengths in between are reachable except in gaps: between what one set of
    passages can reach and the next, or between pacing-aligned lengths when an
    anchored block is followed by less than one beat of elastic pause
    (:func:`fit` names the nearest reachable lengths). No track is longer than
    :data:`~mbcl_audio.units.MAX_DURATION_S` (24 h): the longest is capped there.
    """
    return _capped(_range(_prefix_layouts(script, speech_samples, sample_rate)), sample_rate)


def _capped(span: tuple[int, int], sample_rate: int) -> tuple[int, int]:
    lo, hi = span
    return lo, min(hi, seconds_to_samples(MAX_DURATION_S, sample_rate))


def _nearest_reachable(layouts: list[Prefix], target_samples: int) -> tuple[Optional[int], Optional[int]]:
    """The reachable lengths closest to ``target_samples`` from below and above, over every prefix."""
    below = above = None
    for _, layout in layouts:
        b, a = layout.reach().nearest(target_samples)
        if b is not None and b <= target_samples and (below is None or b > below):
            below = b
        if a is not None and a >= target_samples and (above is None or a < above):
            above = a
    return below, above


def fit(
    script: Script,
    speech_samples: Sequence[int],
    target_samples: int,
    sample_rate: int,
    speech_lead_samples: Optional[Sequence[int]] = None,
) -> Plan:
    """Plan ``script`` to last exactly ``target_samples``.

    Parameters
    ----------
    script : the parsed script.
    speech_samples : duration of each utterance (``script.utterances``) in samples,
        estimated or measured from synthesized audio.
    target_samples : requested track length in samples.
    sample_rate : the rate all sample counts refer to (Hz).
    speech_lead_samples : for each utterance, the samples from its clip's start to where the
        voice sets in (:func:`mbcl_audio.measure.onset_sample`). The halves of breath-locked
        phrases start that much early, so the voice, not the clip, meets the breath phase.
        ``None``: no lead (clips start with their sound).

    Raises :class:`LengthError` naming the reachable minimum and maximum when
    the target is outside them, or the nearest reachable lengths when it falls
    between two pacing-aligned lengths.
    """
    if len(speech_samples) != len(script.utterances):
        raise ValueError(f"{len(speech_samples)} speech durations given for {len(script.utterances)} utterances")
    leads = [0] * len(speech_samples) if speech_lead_samples is None else list(speech_lead_samples)
    if len(leads) != len(speech_samples):
        raise ValueError(f"{len(leads)} speech leads given for {len(speech_samples)} utterances")
    layouts = _prefix_layouts(script, speech_samples, sample_rate)
    lo, hi = _capped(_range(layouts), sample_rate)

    def shown(samples: int, rounding: Rounding = "nearest") -> str:
        return format_duration(samples / sample_rate, rounding)

    if not lo <= target_samples <= hi:
        raise LengthError(
            f"{script.path}: a length of {shown(target_samples)} cannot be reached: this "
            f"script with this voice can be planned from {shown(lo, 'up')} to "
            f"{shown(hi, 'down')} (min:sec); choose a length in that range or change the "
            f"script's pauses",
            lo,
            hi,
            sample_rate,
        )
    selected = _select(layouts, target_samples)
    if selected is None:
        below, above = _nearest_reachable(layouts, target_samples)
        near = " and ".join(shown(x, r) for x, r in ((below, "down"), (above, "up")) if x is not None)
        raise LengthError(
            f"{script.path}: a length of {shown(target_samples)} falls in a gap of this script's "
            f"reachable lengths: the nearest reachable are {near} (min:sec). Gaps come from "
            f"anchored blocks ([breathe], [breath-locked], [on-beat], speech after a [silence]) "
            f"followed by less than one breath cycle of elastic pause, or from optional passages "
            f"too long to fit; widen the pause after them to reach any length",
            lo,
            hi,
            sample_rate,
        )
    passages, layout = selected
    splits, tail_lead_beats = choose_beats(layout, layout.reach(), target_samples)
    return place(
        script, speech_samples, layout, splits, tail_lead_beats, target_samples, sample_rate, passages, (lo, hi), leads
    )
