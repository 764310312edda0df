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

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..script.model import Breathe, Pause, Script, Section, Speech
from ..units import format_duration, seconds_to_samples
from .model import Chapter, Event, Plan


class LengthError(ValueError):
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


def reachable_range(
    script: Script, speech_samples: Sequence[int], sample_rate: int
) -> tuple[int, int]:
    """Shortest and longest length (samples) the script can be planned at."""
    cycle = cycle_samples(script.front.breaths_per_minute, sample_rate)
    segments, breathes = _segments(script, speech_samples, sample_rate, cycle)
    fixed_breathe = sum(b.cycles for b in breathes) * cycle
    lo = sum(s.choices(cycle)[0] for s in segments) + fixed_breathe
    hi = sum(s.choices(cycle)[1] for s in segments) + fixed_breathe
    return lo, hi


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


def _choose_spans(segments: list[_Segment], cycle: int, target: int, breathe_total: int) -> list[int]:
    """Pick each segment's span so the spans plus breathe blocks add up to ``target``.

    Anchored segments take whole cycles; the final segment takes the rest.
    Start from the spans that stretch every pause by the same fraction, round
    anchored spans to the grid, then move single cycles where needed.
    """
    total_lo = sum(s.fixed for s in segments)
    total_hi = sum(s.fixed + s.hi for s in segments)
    free = target - breathe_total
    frac = 0.0 if total_hi == total_lo else min(1.0, max(0.0, (free - total_lo) / (total_hi - total_lo)))
    *anchored, last = segments
    spans = []
    for seg in anchored:
        first, final = seg.choices(cycle)
        ideal = seg.fixed + frac * seg.hi
        spans.append(int(min(final, max(first, round(ideal / cycle) * cycle))))
    last_lo, last_hi = last.choices(cycle)
    # Move whole cycles between anchored segments and the free tail until the tail fits.
    for _ in range(10_000):
        rest = free - sum(spans)
        if last_lo <= rest <= last_hi:
            return spans + [rest]
        step = cycle if rest > last_hi else -cycle
        best, best_cost = None, math.inf
        for i, seg in enumerate(anchored):
            first, final = seg.choices(cycle)
            if first <= spans[i] + step <= final:
                cost = abs(spans[i] + step - (seg.fixed + frac * seg.hi))
                if cost < best_cost:
                    best, best_cost = i, cost
        if best is None:
            break
        spans[best] += step
    raise ValueError("no combination of pacing-aligned spans reaches this length")


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
    lo, hi = reachable_range(script, speech_samples, sample_rate)
    if not lo <= target_samples <= hi:
        raise LengthError(
            f"{script.path}: a length of {format_duration(target_samples / sample_rate)} "
            f"cannot be reached: this script with this voice can be planned from "
            f"{format_duration(lo / sample_rate)} to {format_duration(hi / sample_rate)} "
            f"(min:sec); choose a length in that range or change the script's pauses",
            lo,
            hi,
            sample_rate,
        )
    breathe_total = sum(b.cycles for b in breathes) * cycle
    try:
        spans = _choose_spans(segments, cycle, target_samples, breathe_total)
    except ValueError as exc:
        raise LengthError(
            f"{script.path}: a length of {format_duration(target_samples / sample_rate)} "
            f"falls between two pacing-aligned lengths; try a length a few seconds longer or shorter",
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
