"""Turn a parsed script into a timeline of exactly the requested length.

Why the fitting is done per *segment*: a ``[breathe N]`` block must start on
an in-breath onset of the pacing grid (a multiple of the cycle length, counted
from sample 0), so that the listener hears whole breaths. Since a breathe block
lasts whole cycles, it also *ends* on the grid. The script therefore splits
into independent segments: the stretch before each breathe block must span a
whole number of cycles, and only the final stretch (after the last breathe
block) may take any length. Each segment's elastic pauses then share its slack.

When a segment's pauses cannot reach the next grid onset even at their maxima,
an ``align`` event (silence shorter than one cycle) fills the gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Sequence

import numpy as np

from ..errors import MbclError
from ..script.model import Breathe, Pause, Script, Section, Speech
from ..units import format_duration, seconds_to_samples
from .model import Chapter, Event, Plan


class LengthError(MbclError, ValueError):
    """The requested length lies outside what the script can reach."""

    def __init__(self, message: str, min_samples: int, max_samples: int, sample_rate: int):
        self.min_samples = min_samples
        self.max_samples = max_samples
        self.sample_rate = sample_rate
        super().__init__(message)


@dataclass
class _Segment:
    """Items between two pacing anchors; ``anchored`` if a breathe block follows."""

    items: list = field(default_factory=list)
    #: Speech plus every pause at its minimum (samples).
    fixed: int = 0
    #: Total stretch the elastic pauses allow above their minima (samples).
    hi: int = 0
    anchored: bool = False

    def choices(self, cycle: int) -> tuple[int, int]:
        """Smallest and largest span this segment may take (samples)."""
        if not self.anchored:
            return self.fixed, self.fixed + self.hi
        first = _ceil_to(self.fixed, cycle)
        last = _ceil_to(self.fixed + self.hi, cycle)
        return first, last


def _ceil_to(n: int, step: int) -> int:
    return -(-n // step) * step


def cycle_samples(breaths_per_minute: float, sample_rate: int) -> int:
    """Length of one pacing cycle in samples (6/min at 44.1 kHz: 441,000)."""
    return int(round(sample_rate * 60.0 / breaths_per_minute))


def _segments(script: Script, speech_samples: Sequence[int], sample_rate: int, cycle: int):
    """Split the script into segments, converting durations to samples."""
    segments = [_Segment()]
    breathes: list[Breathe] = []
    k = 0
    for item in script.items:
        seg = segments[-1]
        if isinstance(item, Speech):
            seg.items.append((item, speech_samples[k], k))
            seg.fixed += speech_samples[k]
            k += 1
        elif isinstance(item, Pause):
            lo = seconds_to_samples(item.min_s, sample_rate)
            hi = seconds_to_samples(item.max_s, sample_rate)
            seg.items.append((item, lo, hi))
            seg.fixed += lo
            seg.hi += hi - lo
        elif isinstance(item, Section):
            seg.items.append((item,))
        elif isinstance(item, Breathe):
            seg.anchored = True
            breathes.append(item)
            segments.append(_Segment())
    if k != len(speech_samples):
        raise ValueError(f"{len(speech_samples)} speech durations given for {k} utterances")
    return segments, breathes


@dataclass(frozen=True)
class _Reach:
    """Which lengths a script can take: ``breathe + cycle * j + tail``.

    ``j`` (the cycles the anchored segments span together) is any whole number
    in ``[cycles_lo, cycles_hi]``, because each anchored segment's choices are a
    run of consecutive cycle counts; ``tail`` is any length in
    ``[tail_lo, tail_hi]``. When the tail's range is narrower than one cycle,
    the reachable lengths have gaps.
    """

    cycle: int
    breathe: int
    cycles_lo: int
    cycles_hi: int
    tail_lo: int
    tail_hi: int

    @property
    def min_samples(self) -> int:
        return self.breathe + self.cycle * self.cycles_lo + self.tail_lo

    @property
    def max_samples(self) -> int:
        return self.breathe + self.cycle * self.cycles_hi + self.tail_hi

    def cycles_for(self, target: int) -> tuple[int, int]:
        """The range of ``j`` that reaches ``target`` (empty when first > last)."""
        rest = target - self.breathe
        first = max(self.cycles_lo, -(-(rest - self.tail_hi) // self.cycle))
        last = min(self.cycles_hi, (rest - self.tail_lo) // self.cycle)
        return first, last

    def nearest(self, target: int) -> tuple[Optional[int], Optional[int]]:
        """The closest reachable lengths at or below and at or above ``target``."""
        rest = target - self.breathe
        below = above = None
        j = min(self.cycles_hi, (rest - self.tail_lo) // self.cycle)
        if j >= self.cycles_lo:
            below = self.breathe + self.cycle * j + min(self.tail_hi, rest - self.cycle * j)
        j = max(self.cycles_lo, -(-(rest - self.tail_hi) // self.cycle))
        if j <= self.cycles_hi:
            above = self.breathe + self.cycle * j + max(self.tail_lo, rest - self.cycle * j)
        return below, above


def _reach(segments: list[_Segment], breathes: list[Breathe], cycle: int) -> _Reach:
    *anchored, tail = segments
    return _Reach(
        cycle=cycle,
        breathe=sum(b.cycles for b in breathes) * cycle,
        cycles_lo=sum(seg.choices(cycle)[0] for seg in anchored) // cycle,
        cycles_hi=sum(seg.choices(cycle)[1] for seg in anchored) // cycle,
        tail_lo=tail.fixed,
        tail_hi=tail.fixed + tail.hi,
    )


def reachable_range(
    script: Script, speech_samples: Sequence[int], sample_rate: int
) -> tuple[int, int]:
    """Shortest and longest length (samples) the script can be planned at.

    Lengths in between are reachable except, when the last breathe block is
    followed by less than one cycle of elastic pause, in gaps between
    pacing-aligned lengths (:func:`fit` names the nearest ones).
    """
    cycle = cycle_samples(script.front.breaths_per_minute, sample_rate)
    reach = _reach(*_segments(script, speech_samples, sample_rate, cycle), cycle)
    return reach.min_samples, reach.max_samples


def _share_slack(ranges: np.ndarray, weights: np.ndarray, slack: int) -> np.ndarray:
    """Split ``slack`` samples over pauses with the given ranges, in whole samples.

    Each pause gets ``min(range, f * weight * range)`` for one common ``f``
    (water-filling), so equal weights stretch every pause by the same fraction
    of its range. Rounding remainders go to the largest fractional parts, so
    the shares add up to ``slack`` exactly.
    """
    ranges = ranges.astype(np.int64)
    if slack <= 0 or ranges.sum() == 0:
        return np.zeros_like(ranges)
    if slack >= ranges.sum():
        return ranges.copy()
    want = weights * ranges

    def total(f: float) -> float:
        return float(np.minimum(ranges, f * want).sum())

    lo_f, hi_f = 0.0, 1.0
    while total(hi_f) < slack:
        hi_f *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo_f + hi_f)
        if total(mid) < slack:
            lo_f = mid
        else:
            hi_f = mid
    exact = np.minimum(ranges.astype(float), hi_f * want)
    shares = np.minimum(np.floor(exact).astype(np.int64), ranges)
    remainder = slack - int(shares.sum())
    order = np.argsort(-(exact - shares), kind="stable")
    for i in order:
        if remainder <= 0:
            break
        if shares[i] < ranges[i]:
            shares[i] += 1
            remainder -= 1
    if remainder > 0:  # pragma: no cover - slack <= sum(ranges) guarantees room
        raise AssertionError("slack could not be placed")
    if remainder < 0:
        for i in order[::-1]:
            if remainder >= 0:
                break
            if shares[i] > 0:
                shares[i] -= 1
                remainder += 1
    return shares


def _choose_spans(segments: list[_Segment], reach: _Reach, target: int) -> list[int]:
    """Pick each segment's span so the spans plus breathe blocks add up to ``target``.

    Anchored segments take whole cycles; the tail takes the rest. The total
    number of anchored cycles is the feasible one closest to stretching every
    pause by the same fraction; cycles then go, one at a time, to the anchored
    segment whose span stays closest to that ideal.
    """
    cycle = reach.cycle
    total_lo = sum(s.fixed for s in segments)
    total_hi = sum(s.fixed + s.hi for s in segments)
    free = target - reach.breathe
    frac = 0.0 if total_hi == total_lo else min(1.0, max(0.0, (free - total_lo) / (total_hi - total_lo)))
    *anchored, _ = segments
    ideal = [seg.fixed + frac * seg.hi for seg in anchored]
    bounds = [seg.choices(cycle) for seg in anchored]
    spans = [int(min(hi, max(lo, round(x / cycle) * cycle))) for x, (lo, hi) in zip(ideal, bounds)]
    first, last = reach.cycles_for(target)
    if first > last:
        raise ValueError("no pacing-aligned combination reaches this length")
    want = min(last, max(first, sum(spans) // cycle)) * cycle
    while sum(spans) != want:
        step = cycle if sum(spans) < want else -cycle
        movable = [i for i, (lo, hi) in enumerate(bounds) if lo <= spans[i] + step <= hi]
        best = min(movable, key=lambda i: (abs(spans[i] + step - ideal[i]), i))
        spans[best] += step
    return spans + [free - want]


def fit(
    script: Script,
    speech_samples: Sequence[int],
    target_samples: int,
    sample_rate: int,
) -> Plan:
    """Plan ``script`` to last exactly ``target_samples``.

    Parameters
    ----------
    script : the parsed script.
    speech_samples : duration of each utterance (``script.utterances``) in samples,
        estimated or measured from synthesized audio.
    target_samples : requested track length in samples.
    sample_rate : the rate all sample counts refer to (Hz).

    Raises :class:`LengthError` naming the reachable minimum and maximum when
    the target is outside them.
    """
    cycle = cycle_samples(script.front.breaths_per_minute, sample_rate)
    segments, breathes = _segments(script, speech_samples, sample_rate, cycle)
    reach = _reach(segments, breathes, cycle)
    lo, hi = reach.min_samples, reach.max_samples

    def seconds(samples: int, rounding: str = "nearest") -> str:
        return format_duration(samples / sample_rate, rounding)

    if not lo <= target_samples <= hi:
        raise LengthError(
            f"{script.path}: a length of {seconds(target_samples)} cannot be reached: this "
            f"script with this voice can be planned from {seconds(lo, 'up')} to "
            f"{seconds(hi, 'down')} (min:sec); choose a length in that range or change the "
            f"script's pauses",
            lo,
            hi,
            sample_rate,
        )
    try:
        spans = _choose_spans(segments, reach, target_samples)
    except ValueError as exc:
        below, above = reach.nearest(target_samples)
        raise LengthError(
            f"{script.path}: a length of {seconds(target_samples)} falls between two "
            f"pacing-aligned lengths: the nearest reachable are {seconds(below, 'down')} and "
            f"{seconds(above, 'up')} (min:sec). To reach any length, give the pause after the "
            f"last [breathe] block a range of at least one breath cycle",
            lo,
            hi,
            sample_rate,
        ) from exc

    events: list[Event] = []
    section_marks: list[tuple[str, int]] = []
    pos = 0
    for i, seg in enumerate(segments):
        pause_ranges = np.array(
            [it[2] - it[1] for it in seg.items if isinstance(it[0], Pause)], dtype=np.int64
        )
        weights = np.array(
            [it[0].weight for it in seg.items if isinstance(it[0], Pause)], dtype=float
        )
        slack = spans[i] - seg.fixed
        shares = _share_slack(pause_ranges, weights, min(slack, seg.hi))
        align = slack - int(shares.sum())
        p = 0
        for it in seg.items:
            item = it[0]
            if isinstance(item, Section):
                section_marks.append((item.title, pos))
            elif isinstance(item, Speech):
                events.append(Event("speech", pos, it[1], item.text, it[2], item.pos))
                pos += it[1]
            else:
                duration = it[1] + int(shares[p])
                events.append(
                    Event("pause", pos, duration, source=item.pos, min_samples=it[1], max_samples=it[2])
                )
                pos += duration
                p += 1
        if align > 0:
            # A heading right before the breathe block belongs after the alignment silence.
            section_marks[:] = [(t, at + align if at == pos else at) for t, at in section_marks]
            events.append(Event("align", pos, align))
            pos += align
        if seg.anchored:
            b = breathes[i]
            events.append(Event("breathe", pos, b.cycles * cycle, source=b.pos))
            pos += b.cycles * cycle
    assert pos == target_samples, (pos, target_samples)
    return Plan(
        sample_rate=sample_rate,
        length_samples=target_samples,
        events=tuple(events),
        chapters=_chapters(section_marks, target_samples),
        cycle_samples=cycle,
        min_length_samples=lo,
        max_length_samples=hi,
    )


def _chapters(marks: list[tuple[str, int]], length: int) -> tuple[Chapter, ...]:
    chapters = []
    for j, (title, start) in enumerate(marks):
        stop = marks[j + 1][1] if j + 1 < len(marks) else length
        if j == 0:
            start = 0  # the first chapter covers the whole lead-in
        chapters.append(Chapter(title, start, stop))
    return tuple(c for c in chapters if c.stop_sample > c.start_sample)
