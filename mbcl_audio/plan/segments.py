"""The script as the solver sees it: segments between anchors, and the lengths they reach.

Each anchor (see :mod:`mbcl_audio.plan.fit`) starts a :class:`Segment` on the
grid. :func:`lay_out` turns the chosen items into segments with every duration
in samples and every anchored span in beats; :meth:`Layout.reach` says which
lengths they can take, and :meth:`Layout.natural_length` how long they are with
every pause at its preferred length.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence, Union

from ..script.model import Breathe, BreathPhrase, Item, PacingChange, Pause, Script, Section, Speech
from ..units import format_duration, seconds_to_samples
from .errors import PlanError
from .grid import ceil_div, grid_samples, step_samples


@dataclass(frozen=True)
class Elastic:
    """One pause (or a phrase's fill) as the solver sees it."""

    min_samples: int
    preferred_samples: int
    max_samples: int
    weight: float = 1.0


@dataclass(frozen=True)
class Spoken:
    """An utterance in a segment's free part."""

    speech: Speech
    duration_samples: int


@dataclass(frozen=True)
class Paused:
    """A pause or silence in a segment's free part, with the range the solver may give it."""

    pause: Pause
    elastic: Elastic


@dataclass(frozen=True)
class Marked:
    """A heading or pacing change: no length, only a place on the timeline."""

    mark: Union[Section, PacingChange]


SegmentItem = Union[Spoken, Paused, Marked]

#: What may start a segment on the grid.
Lead = Union[Breathe, BreathPhrase, Speech]


@dataclass
class Segment:
    """Everything from one anchor up to the next (every segment but the last spans whole beats)."""

    #: The anchored unit the segment starts with (``None`` for the first segment).
    lead: Optional[Lead] = None
    #: Lead length in beats: a breathe block's is fixed, a fill phrase's a range.
    lead_min_beats: int = 0
    lead_max_beats: int = 0
    lead_preferred_beats: int = 0
    #: Duration of an utterance lead (``[on-beat]`` or re-entry after a silence).
    lead_samples: int = 0
    #: What follows the lead, in order.
    items: list[SegmentItem] = field(default_factory=list)
    #: Speech (including an on-beat lead utterance) plus every pause at its minimum.
    fixed_samples: int = 0
    pauses: list[Elastic] = field(default_factory=list)

    @property
    def to_preferred_samples(self) -> int:
        return sum(p.preferred_samples - p.min_samples for p in self.pauses)

    @property
    def stretch_samples(self) -> int:
        return sum(p.max_samples - p.min_samples for p in self.pauses)

    def free_beats(self, beat_samples: int) -> tuple[int, int]:
        """Fewest and most whole beats the part after a beat-long lead may span."""
        return (
            ceil_div(self.fixed_samples, beat_samples),
            ceil_div(self.fixed_samples + self.stretch_samples, beat_samples),
        )

    def beats(self, beat_samples: int) -> tuple[int, int]:
        """Smallest and largest number of whole beats an anchored segment may span."""
        free_min, free_max = self.free_beats(beat_samples)
        return self.lead_min_beats + free_min, self.lead_max_beats + free_max


@dataclass(frozen=True)
class Reach:
    """Which lengths a layout can take: ``beat * j + tail``.

    ``j`` (beats of every anchored segment, plus the tail's lead) is any whole
    number in ``[min_beats, max_beats]``, because each part's choices are a run
    of consecutive beat counts; ``tail`` is any length in
    ``[tail_min_samples, tail_max_samples]``. When the tail's range is narrower
    than one beat, the reachable lengths have gaps.
    """

    beat_samples: int
    min_beats: int
    max_beats: int
    tail_min_samples: int
    tail_max_samples: int

    @property
    def min_samples(self) -> int:
        return self.beat_samples * self.min_beats + self.tail_min_samples

    @property
    def max_samples(self) -> int:
        return self.beat_samples * self.max_beats + self.tail_max_samples

    def beats_for(self, target_samples: int) -> tuple[int, int]:
        """The range of ``j`` that reaches ``target_samples`` (empty when first > last)."""
        first = max(self.min_beats, ceil_div(target_samples - self.tail_max_samples, self.beat_samples))
        last = min(self.max_beats, (target_samples - self.tail_min_samples) // self.beat_samples)
        return first, last

    def reaches(self, target_samples: int) -> bool:
        first, last = self.beats_for(target_samples)
        return first <= last

    def nearest(self, target_samples: int) -> tuple[Optional[int], Optional[int]]:
        """The closest reachable lengths at or below and at or above ``target_samples``."""
        beat, below, above = self.beat_samples, None, None
        j = min(self.max_beats, (target_samples - self.tail_min_samples) // beat)
        if j >= self.min_beats:
            below = beat * j + min(self.tail_max_samples, target_samples - beat * j)
        j = max(self.min_beats, ceil_div(target_samples - self.tail_max_samples, beat))
        if j <= self.max_beats:
            above = beat * j + max(self.tail_min_samples, target_samples - beat * j)
        return below, above


@dataclass
class Layout:
    segments: list[Segment]
    #: One breath cycle, or one stride on a step grid; a breath-locked repetition takes one.
    beat_samples: int
    #: Offset of the second half within a repetition.
    half_offset_samples: int

    def reach(self) -> Reach:
        *anchored, tail = self.segments
        beat = self.beat_samples
        return Reach(
            beat_samples=beat,
            min_beats=sum(s.beats(beat)[0] for s in anchored) + tail.lead_min_beats,
            max_beats=sum(s.beats(beat)[1] for s in anchored) + tail.lead_max_beats,
            tail_min_samples=tail.fixed_samples,
            tail_max_samples=tail.fixed_samples + tail.stretch_samples,
        )

    def natural_length(self) -> int:
        """Length (samples) with every pause at its preferred value and fill phrases at their middle."""
        beat = self.beat_samples
        *anchored, tail = self.segments
        total = 0
        for seg in anchored:
            total += seg.lead_preferred_beats * beat + ceil_div(seg.fixed_samples + seg.to_preferred_samples, beat) * beat
        return total + tail.lead_preferred_beats * beat + tail.fixed_samples + tail.to_preferred_samples


def utterance_index(script: Script) -> dict[int, int]:
    """``id(Speech) -> index`` in ``script.utterances`` (a text may occur twice)."""
    return {id(u): k for k, u in enumerate(script.utterances)}


def selected_items(script: Script, passages: frozenset[int]) -> list[Item]:
    """The items of the chosen passages, in order.

    The parser puts a pause between any two utterances; leaving out a passage
    can remove it (``A`` / optional: ``X [pause]`` / ``B``), so two utterances
    that end up side by side get the script's paragraph pause between them.
    """
    out: list[Item] = []
    last_spoken: Optional[Item] = None
    for item in script.items:
        if item.passage is not None and item.passage not in passages:
            continue
        if isinstance(item, Speech) and isinstance(last_spoken, Speech):
            gap = script.front.paragraph_pause_s
            out.append(Pause(gap, gap, item.pos, passage=item.passage))
        out.append(item)
        if not isinstance(item, (Section, PacingChange)):
            last_spoken = item
    return out


def _phrase_beats(phrase: BreathPhrase, beat_samples: int, sample_rate: int) -> tuple[int, int]:
    """Fewest and most repetitions (one beat each) a breath-locked phrase may take."""
    if phrase.repeats is not None:
        return phrase.repeats, phrase.repeats
    lo = max(1, ceil_div(seconds_to_samples(phrase.min_s, sample_rate), beat_samples))
    hi = seconds_to_samples(phrase.max_s, sample_rate) // beat_samples
    if hi < lo:
        raise PlanError(
            phrase.pos,
            f"a breath-locked span of {format_duration(phrase.min_s)} to "
            f"{format_duration(phrase.max_s)} holds no whole breath cycle "
            f"({format_duration(beat_samples / sample_rate)}); widen the span",
        )
    return lo, hi


def lay_out(script: Script, speech_samples: Sequence[int], sample_rate: int, passages: frozenset[int]) -> Layout:
    """Split the items of the chosen ``passages`` into segments, with every duration in samples."""
    front = script.front
    beat = grid_samples(script, sample_rate)
    if front.grid == "steps":
        half_offset = step_samples(script, sample_rate)
    else:
        half_offset = int(round(front.in_fraction * beat))
    index = utterance_index(script)
    pacing_on = front.pacing == "on"
    after_silence = False
    segments = [Segment()]

    def start(lead: Lead, min_beats: int, max_beats: int, preferred_beats: int, speech: int = 0) -> None:
        segments.append(
            Segment(
                lead=lead, lead_min_beats=min_beats, lead_max_beats=max_beats, lead_preferred_beats=preferred_beats,
                lead_samples=speech, fixed_samples=speech,
            )
        )

    for item in selected_items(script, passages):
        if isinstance(item, Breathe):
            start(item, item.cycles, item.cycles, item.cycles)
            after_silence = False
        elif isinstance(item, BreathPhrase):
            lo, hi = _phrase_beats(item, beat, sample_rate)
            start(item, lo, hi, (lo + hi) // 2)
            after_silence = False
        elif isinstance(item, Speech):
            duration = speech_samples[index[id(item)]]
            if item.on_beat or (after_silence and pacing_on):
                start(item, 0, 0, 0, speech=duration)
            else:
                segments[-1].items.append(Spoken(item, duration))
                segments[-1].fixed_samples += duration
            after_silence = False
        elif isinstance(item, Pause):
            lo = seconds_to_samples(item.min_s, sample_rate)
            hi = seconds_to_samples(item.max_s, sample_rate)
            pref = min(hi, max(lo, seconds_to_samples(item.preferred, sample_rate)))
            elastic = Elastic(lo, pref, hi, item.weight)
            segments[-1].items.append(Paused(item, elastic))
            segments[-1].pauses.append(elastic)
            segments[-1].fixed_samples += lo
            after_silence = after_silence or item.silence
        elif isinstance(item, PacingChange):
            # Speech re-enters on the script's grid: only while the tone runs on that grid.
            own_grid = item.rate in (None, front.breaths_per_minute) and item.in_fraction in (None, front.in_fraction)
            pacing_on = item.mode == "on" and own_grid
            segments[-1].items.append(Marked(item))
        elif isinstance(item, Section):
            segments[-1].items.append(Marked(item))
    return Layout(segments, beat, half_offset)
