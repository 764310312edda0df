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
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Optional, Sequence

import numpy as np

from ..errors import MbclError
from ..script.model import Breathe, BreathPhrase, PacingChange, Pause, Script, ScriptError, Section, Speech
from ..units import format_duration, seconds_to_samples
from .model import Chapter, Event, Plan
from .pacing import PacingStretch


class LengthError(MbclError, ValueError):
    """The requested length lies outside what the script can reach."""

    def __init__(self, message: str, min_samples: int, max_samples: int, sample_rate: int):
        self.min_samples = min_samples
        self.max_samples = max_samples
        self.sample_rate = sample_rate
        super().__init__(message)


class PlanError(ScriptError):
    """A script construct that cannot be placed (e.g. a breath-locked span holding no whole breath)."""


def cycle_samples(breaths_per_minute: float, sample_rate: int) -> int:
    """Length of one pacing cycle in samples (6/min at 44.1 kHz: 441,000)."""
    return int(round(sample_rate * 60.0 / breaths_per_minute))


def step_samples(script: Script, sample_rate: int) -> int:
    """One step of a walking script (samples)."""
    return cycle_samples(script.front.steps_per_minute, sample_rate)


def grid_samples(script: Script, sample_rate: int) -> int:
    """The grid beat of a script: a breath cycle, or a stride of two steps when ``grid = "steps"``.

    On a step grid the steps take the place of the breath: a breath-locked
    phrase puts its first half on one step and its second on the next, so one
    repetition is a stride, and cues land on the first step of a stride.
    """
    if script.front.grid == "steps":
        return 2 * step_samples(script, sample_rate)
    return cycle_samples(script.front.breaths_per_minute, sample_rate)


def _ceil_div(n: int, d: int) -> int:
    return -(-n // d)


# --- the script as segments ------------------------------------------------------------------


@dataclass
class _Elastic:
    """One pause (or a phrase's fill) as the solver sees it, in samples."""

    lo: int
    pref: int
    hi: int
    weight: float = 1.0


@dataclass
class _Segment:
    """Everything from one anchor up to the next."""

    #: The anchored unit the segment starts with (``None`` for the first segment).
    lead: object = None
    #: Lead length in beats: ``lead_lo..lead_hi`` (a breathe block: fixed; a fill phrase: a range).
    lead_lo: int = 0
    lead_hi: int = 0
    lead_pref: int = 0
    #: Duration of an utterance lead (``[on-beat]`` or re-entry after a silence), samples.
    lead_samples: int = 0
    #: ``(item, ...)`` entries after the lead, in order.
    items: list = field(default_factory=list)
    #: Speech (including an on-beat lead utterance) plus every pause at its minimum (samples).
    fixed: int = 0
    pauses: list = field(default_factory=list)
    anchored: bool = False

    @property
    def to_pref(self) -> int:
        return sum(p.pref - p.lo for p in self.pauses)

    @property
    def stretch(self) -> int:
        return sum(p.hi - p.lo for p in self.pauses)

    def beats(self, beat: int) -> tuple[int, int]:
        """Smallest and largest number of whole beats an anchored segment may span."""
        return (
            self.lead_lo + _ceil_div(self.fixed, beat),
            self.lead_hi + _ceil_div(self.fixed + self.stretch, beat),
        )


@dataclass
class _Layout:
    segments: list[_Segment]
    #: One breath cycle, or one stride on a step grid; a breath-locked repetition takes one.
    beat: int
    #: Offset of the second half within a repetition (samples).
    half_offset: int


def _selected(script: Script, passages: frozenset[int]) -> list:
    """The items of the chosen passages, in order.

    The parser puts a pause between any two utterances; leaving out a passage
    can remove it (``A`` / optional: ``X [pause]`` / ``B``), so two utterances
    that end up side by side get the script's paragraph pause between them.
    """
    out: list = []
    last_spoken = None
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


def _layout(
    script: Script, speech_samples: Sequence[int], sample_rate: int, passages: frozenset[int]
) -> _Layout:
    """Split the selected items into segments, with every duration in samples."""
    front = script.front
    beat = grid_samples(script, sample_rate)
    if front.grid == "steps":
        half_offset = step_samples(script, sample_rate)
    else:
        half_offset = int(round(front.in_fraction * beat))
    index = _utterance_index(script)
    pacing_on = front.pacing == "on"
    after_silence = False
    segments = [_Segment()]

    def start(lead, lo: int, hi: int, pref: int, speech: int = 0) -> _Segment:
        segments[-1].anchored = True
        seg = _Segment(lead=lead, lead_lo=lo, lead_hi=hi, lead_pref=pref, lead_samples=speech, fixed=speech)
        segments.append(seg)
        return seg

    for item in _selected(script, passages):
        if isinstance(item, Breathe):
            start(item, item.cycles, item.cycles, item.cycles)
            after_silence = False
        elif isinstance(item, BreathPhrase):
            rep = beat
            if item.repeats is not None:
                lo = hi = item.repeats
            else:
                lo = max(1, _ceil_div(seconds_to_samples(item.min_s, sample_rate), rep))
                hi = seconds_to_samples(item.max_s, sample_rate) // rep
                if hi < lo:
                    raise PlanError(
                        item.pos,
                        f"a breath-locked span of {format_duration(item.min_s)} to "
                        f"{format_duration(item.max_s)} holds no whole breath cycle "
                        f"({format_duration(rep / sample_rate)}); widen the span",
                    )
            start(item, lo, hi, (lo + hi) // 2)
            after_silence = False
        elif isinstance(item, Speech):
            duration = speech_samples[index[id(item)]]
            if item.on_beat or (after_silence and pacing_on):
                seg = start(item, 0, 0, 0, speech=duration)
            else:
                seg = segments[-1]
                seg.items.append((item, duration))
                seg.fixed += duration
            after_silence = False
        elif isinstance(item, Pause):
            lo = seconds_to_samples(item.min_s, sample_rate)
            hi = seconds_to_samples(item.max_s, sample_rate)
            pref = min(hi, max(lo, seconds_to_samples(item.preferred, sample_rate)))
            elastic = _Elastic(lo, pref, hi, item.weight)
            seg = segments[-1]
            seg.items.append((item, elastic))
            seg.pauses.append(elastic)
            seg.fixed += lo
            after_silence = after_silence or item.silence
        elif isinstance(item, PacingChange):
            # Speech re-enters on the script's grid: only while the tone runs on that grid.
            own_grid = item.rate in (None, front.breaths_per_minute) and item.in_fraction in (None, front.in_fraction)
            pacing_on = item.mode == "on" and own_grid
            segments[-1].items.append((item,))
        elif isinstance(item, Section):
            segments[-1].items.append((item,))
    return _Layout(segments, beat, half_offset)


def _utterance_index(script: Script) -> dict[int, int]:
    """``id(Speech) -> index`` in ``script.utterances`` (a text may occur twice)."""
    return {id(u): k for k, u in enumerate(script.utterances)}


@dataclass(frozen=True)
class _Reach:
    """Which lengths a layout can take: ``beat * j + tail``.

    ``j`` (beats of every anchored segment, plus the tail's lead) is any whole
    number in ``[beats_lo, beats_hi]``, because each part's choices are a run
    of consecutive beat counts; ``tail`` is any length in ``[tail_lo,
    tail_hi]``. When the tail's range is narrower than one beat, the reachable
    lengths have gaps.
    """

    beat: int
    beats_lo: int
    beats_hi: int
    tail_lo: int
    tail_hi: int

    @property
    def min_samples(self) -> int:
        return self.beat * self.beats_lo + self.tail_lo

    @property
    def max_samples(self) -> int:
        return self.beat * self.beats_hi + self.tail_hi

    def beats_for(self, target: int) -> tuple[int, int]:
        """The range of ``j`` that reaches ``target`` (empty when first > last)."""
        first = max(self.beats_lo, _ceil_div(target - self.tail_hi, self.beat))
        last = min(self.beats_hi, (target - self.tail_lo) // self.beat)
        return first, last

    def nearest(self, target: int) -> tuple[Optional[int], Optional[int]]:
        """The closest reachable lengths at or below and at or above ``target``."""
        below = above = None
        j = min(self.beats_hi, (target - self.tail_lo) // self.beat)
        if j >= self.beats_lo:
            below = self.beat * j + min(self.tail_hi, target - self.beat * j)
        j = max(self.beats_lo, _ceil_div(target - self.tail_hi, self.beat))
        if j <= self.beats_hi:
            above = self.beat * j + max(self.tail_lo, target - self.beat * j)
        return below, above


def _reach(layout: _Layout) -> _Reach:
    *anchored, tail = layout.segments
    beat = layout.beat
    return _Reach(
        beat=beat,
        beats_lo=sum(s.beats(beat)[0] for s in anchored) + tail.lead_lo,
        beats_hi=sum(s.beats(beat)[1] for s in anchored) + tail.lead_hi,
        tail_lo=tail.fixed,
        tail_hi=tail.fixed + tail.stretch,
    )


def _natural_length(layout: _Layout) -> int:
    """Length with every pause at its preferred value and fill phrases at their middle."""
    beat = layout.beat
    *anchored, tail = layout.segments
    total = 0
    for seg in anchored:
        total += seg.lead_pref * beat + _ceil_div(seg.fixed + seg.to_pref, beat) * beat
    return total + tail.lead_pref * beat + tail.fixed + tail.to_pref


# --- sharing slack -----------------------------------------------------------------------------


def _share_slack(ranges: np.ndarray, weights: np.ndarray, slack: int) -> np.ndarray:
    """Split ``slack`` samples over elastic parts with the given ranges, in whole samples.

    Each part gets ``min(range, f * weight * range)`` for one common ``f``
    (water-filling), so equal weights stretch every part by the same fraction
    of its range. Rounding remainders go to the largest fractional parts, so
    the shares add up to ``slack`` exactly.
    """
    ranges = np.asarray(ranges, dtype=np.int64)
    if slack <= 0 or ranges.sum() == 0:
        return np.zeros_like(ranges)
    if slack >= ranges.sum():
        return ranges.copy()
    want = np.asarray(weights, dtype=float) * ranges

    def total(f: float) -> float:
        return float(np.minimum(ranges, f * want).sum())

    lo_f, hi_f = 0.0, 1.0
    while total(hi_f) < slack:
        hi_f *= 2.0
    for _ in range(100):
        mid = 0.5 * (lo_f + hi_f)
        if total(mid) < slack:
            lo_f = mid
        else:
            hi_f = mid
    exact = np.minimum(ranges.astype(float), hi_f * want)
    shares = np.minimum(np.floor(exact).astype(np.int64), ranges)
    remainder = slack - int(shares.sum())
    order = np.argsort(-(exact - shares), kind="stable")
    step = 1 if remainder > 0 else -1
    while remainder != 0:
        for i in order if step > 0 else order[::-1]:
            if remainder == 0:
                break
            if 0 <= shares[i] + step <= ranges[i]:
                shares[i] += step
                remainder -= step
    return shares


def _share_towards_preferred(parts: Sequence[_Elastic], slack: int) -> np.ndarray:
    """Slack shares (samples above each minimum): up to the preferred lengths first, then beyond."""
    to_pref = np.array([p.pref - p.lo for p in parts], dtype=np.int64)
    beyond = np.array([p.hi - p.pref for p in parts], dtype=np.int64)
    weights = np.array([p.weight for p in parts], dtype=float)
    first = int(min(slack, to_pref.sum()))
    return _share_slack(to_pref, weights, first) + _share_slack(beyond, weights, slack - first)


# --- choosing spans ----------------------------------------------------------------------------


def _choose_beats(layout: _Layout, reach: _Reach, target: int) -> tuple[list[tuple[int, int]], int]:
    """Beats for each anchored segment as ``(lead beats, free beats)``, and the tail's lead beats.

    Starts from a global, unquantized share of the slack (so every pause in the
    track stretches alike), rounds each part to whole beats, then moves single
    beats to the part that stays closest to that ideal until the total fits.
    """
    beat = layout.beat
    *anchored, tail = layout.segments
    # Global ideal: every pause and every fill phrase as one elastic part.
    parts, owners = [], []
    for k, seg in enumerate(layout.segments):
        if seg.lead_hi > seg.lead_lo:
            parts.append(_Elastic(seg.lead_lo * beat, seg.lead_pref * beat, seg.lead_hi * beat))
            owners.append((k, "lead"))
        for p in seg.pauses:
            parts.append(p)
            owners.append((k, "free"))
    floor_total = sum(s.lead_lo * beat + s.fixed for s in layout.segments)
    shares = _share_towards_preferred(parts, max(0, target - floor_total)) if parts else []
    ideal_lead = [float(s.lead_lo) for s in layout.segments]
    ideal_free = [float(s.fixed) for s in layout.segments]
    for (k, where), share in zip(owners, shares):
        if where == "lead":
            ideal_lead[k] += share / beat
        else:
            ideal_free[k] += share

    # Parts that move in whole beats: each anchored segment, and the tail's lead.
    bounds = [s.beats(beat) for s in anchored] + [(tail.lead_lo, tail.lead_hi)]
    ideal = [ideal_lead[k] + ideal_free[k] / beat for k in range(len(anchored))] + [ideal_lead[-1]]
    # Round the running total, not each part, so rounding never piles up on the tail.
    running = np.round(np.cumsum(ideal)).astype(int)
    chosen = [int(min(hi, max(lo, n))) for n, (lo, hi) in zip(np.diff(running, prepend=0), bounds)]
    first, last = reach.beats_for(target)
    if first > last:
        raise ValueError("no pacing-aligned combination reaches this length")
    want = min(last, max(first, sum(chosen)))
    while sum(chosen) != want:
        step = 1 if sum(chosen) < want else -1
        movable = [i for i, (lo, hi) in enumerate(bounds) if lo <= chosen[i] + step <= hi]
        best = min(movable, key=lambda i: (abs(chosen[i] + step - ideal[i]), i))
        chosen[best] += step

    # Split each anchored segment's beats between its lead and its free part.
    splits = []
    for k, seg in enumerate(anchored):
        free_lo, free_hi = _ceil_div(seg.fixed, beat), _ceil_div(seg.fixed + seg.stretch, beat)
        n = chosen[k]
        lead = int(min(seg.lead_hi, max(seg.lead_lo, round(ideal_lead[k]))))
        lead = min(max(lead, n - free_hi), n - free_lo)
        splits.append((lead, n - lead))
    return splits, chosen[-1]


# --- the plan ----------------------------------------------------------------------------------


def _priority_prefixes(script: Script) -> list[frozenset[int]]:
    """The passage sets a plan may include: none, the first by priority, the first two, ... all.

    Passages join strictly in priority order (then reading order), so a longer
    version of a track keeps every passage a shorter one has.
    """
    order = sorted(range(len(script.passages)), key=lambda k: (script.passages[k].priority, k))
    return [frozenset(order[:n]) for n in range(len(order) + 1)]


def _reaches(reach: _Reach, target: int) -> bool:
    first, last = reach.beats_for(target)
    return first <= last


def _prefix_layouts(
    script: Script, speech_samples: Sequence[int], sample_rate: int
) -> list[tuple[frozenset[int], _Layout]]:
    """The layout of every priority prefix of passages, laid out once for all the questions below."""
    return [(chosen, _layout(script, speech_samples, sample_rate, chosen)) for chosen in _priority_prefixes(script)]


def _select(layouts: list[tuple[frozenset[int], _Layout]], target: int) -> Optional[tuple[frozenset[int], _Layout]]:
    """Among the prefixes that reach ``target`` exactly, the longest whose natural length fits it;
    if none fits naturally, the shortest that reaches it; ``None`` when none reaches it."""
    reaching = [(chosen, layout) for chosen, layout in layouts if _reaches(_reach(layout), target)]
    if not reaching:
        return None
    natural = [pair for pair in reaching if _natural_length(pair[1]) <= target]
    return natural[-1] if natural else reaching[0]


def _range(layouts: list[tuple[frozenset[int], _Layout]]) -> tuple[int, int]:
    """Shortest and longest length over every prefix.

    Usually the first prefix (no passages) is the shortest and the last (all of
    them) the longest, but not always: leaving a passage out can put a
    paragraph pause between two utterances it separated with less.
    """
    reaches = [_reach(layout) for _, layout in layouts]
    return min(r.min_samples for r in reaches), max(r.max_samples for r in reaches)


def select_passages(
    script: Script, speech_samples: Sequence[int], target: int, sample_rate: int
) -> Optional[frozenset[int]]:
    """Which optional passages a target length includes (indices into ``script.passages``).

    Among the priority prefixes that can reach the target exactly, the longest
    one whose *natural* length (every pause at its preferred length) fits the
    target; if none fits naturally, the shortest that reaches it. ``None`` when
    no selection reaches the target.
    """
    selected = _select(_prefix_layouts(script, speech_samples, sample_rate), target)
    return None if selected is None else selected[0]


def reachable_range(script: Script, speech_samples: Sequence[int], sample_rate: int) -> tuple[int, int]:
    """Shortest (usually: no optional passages) and longest (usually: all of them) length in samples.

    Lengths in between are reachable except in gaps: between what one set of
    passages can reach and the next, or between pacing-aligned lengths when an
    anchored block is followed by less than one beat of elastic pause
    (:func:`fit` names the nearest reachable lengths).
    """
    return _range(_prefix_layouts(script, speech_samples, sample_rate))


def _nearest_reachable(layouts: list[tuple[frozenset[int], _Layout]], target: int) -> tuple[Optional[int], Optional[int]]:
    """The reachable lengths closest to ``target`` from below and above, over every prefix."""
    below = above = None
    for _, layout in layouts:
        b, a = _reach(layout).nearest(target)
        if b is not None and b <= target and (below is None or b > below):
            below = b
        if a is not None and a >= target and (above is None or a < above):
            above = a
    return below, above


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
    the target is outside them, or the nearest reachable lengths when it falls
    between two pacing-aligned lengths.
    """
    if len(speech_samples) != len(script.utterances):
        raise ValueError(f"{len(speech_samples)} speech durations given for {len(script.utterances)} utterances")
    layouts = _prefix_layouts(script, speech_samples, sample_rate)
    lo, hi = _range(layouts)

    def shown(samples: int, rounding: str = "nearest") -> str:
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
    splits, tail_lead = _choose_beats(layout, _reach(layout), target_samples)
    return _place(script, speech_samples, layout, splits, tail_lead, target_samples, sample_rate, passages, (lo, hi))


def _place(script, speech_samples, layout, splits, tail_lead, target, sample_rate, passages, reachable) -> Plan:
    """Lay the chosen spans out as events, overlays, chapters and pacing spans."""
    beat = layout.beat
    names = {k: script.passages[k].name for k in range(len(script.passages))}
    index = _utterance_index(script)
    events: list[Event] = []
    overlays: list[Event] = []
    marks: list[tuple[str, int]] = []
    pacing_marks: list[tuple[int, PacingChange]] = []
    warnings: list[tuple[str, str]] = []
    pos = 0
    for k, seg in enumerate(layout.segments):
        last = k == len(layout.segments) - 1
        lead_beats, free_beats = (tail_lead, None) if last else splits[k]
        lead = seg.lead
        if isinstance(lead, Breathe):
            events.append(Event("breathe", pos, lead_beats * beat, source=lead.pos, passage=names.get(lead.passage, "")))
            pos += lead_beats * beat
        elif isinstance(lead, BreathPhrase):
            pos = _place_phrase(lead, lead_beats, pos, layout, index, speech_samples, events, overlays, warnings, names, sample_rate)
        free_start = pos
        # The free part (an on-beat lead utterance counts in it) takes the rest of the segment.
        span = target - pos if last else free_beats * beat
        slack = span - seg.fixed
        shares = _share_towards_preferred(seg.pauses, min(slack, seg.stretch)) if seg.pauses else np.zeros(0)
        align = slack - int(np.sum(shares))
        if isinstance(lead, Speech):
            events.append(
                Event("speech", pos, seg.lead_samples, lead.text, index[id(lead)], lead.pos, passage=names.get(lead.passage, ""))
            )
            pos += seg.lead_samples
        p = 0
        for it in seg.items:
            item = it[0]
            if isinstance(item, Section):
                marks.append((item.title, pos))
            elif isinstance(item, PacingChange):
                pacing_marks.append((pos, item))
            elif isinstance(item, Speech):
                events.append(
                    Event("speech", pos, it[1], item.text, index[id(item)], item.pos, passage=names.get(item.passage, ""))
                )
                pos += it[1]
            else:
                elastic = it[1]
                duration = elastic.lo + int(shares[p])
                p += 1
                kind = "silence" if item.silence else "pause"
                events.append(
                    Event(
                        kind, pos, duration, source=item.pos, min_samples=elastic.lo, max_samples=elastic.hi,
                        preferred_samples=elastic.pref, passage=names.get(item.passage, ""),
                    )
                )
                if item.prompts:
                    _place_prompts(item, pos, duration, index, speech_samples, overlays, sample_rate, names)
                pos += duration
        if align > 0:
            # A heading or pacing change right before the anchor belongs after the alignment silence.
            marks[:] = [(t, at + align if at == pos else at) for t, at in marks]
            pacing_marks[:] = [(at + align if at == pos else at, c) for at, c in pacing_marks]
            events.append(Event("align", pos, align))
            pos += align
        assert last or pos == free_start + free_beats * beat, (pos, free_start, free_beats)
    assert pos == target, (pos, target)
    pacing = _pacing_stretches(script, events, pacing_marks, beat, layout.half_offset, target, sample_rate, warnings)
    return Plan(
        sample_rate=sample_rate,
        length_samples=target,
        events=tuple(events),
        chapters=_chapters(marks, target),
        cycle_samples=beat,
        min_length_samples=reachable[0],
        max_length_samples=reachable[1],
        overlays=tuple(sorted(overlays, key=lambda e: e.start_sample)),
        pacing=pacing,
        in_samples=layout.half_offset,
        grid=script.front.grid,
        included_passages=tuple(
            names[k] for k in sorted(passages, key=lambda k: (script.passages[k].priority, k))
        ),
        all_passages=tuple(p.name for p in script.passages),
        warnings=tuple(warnings),
    )


def _place_phrase(phrase, lead_beats, pos, layout, index, speech_samples, events, overlays, warnings, names, sample_rate) -> int:
    """A breath-locked phrase: one repetition per phrase cycle, halves on their onsets."""
    beat = rep = layout.beat
    repeats = lead_beats
    passage = names.get(phrase.passage, "")
    events.append(
        Event("phrase", pos, lead_beats * beat, f"{phrase.inhale.text} | {phrase.exhale.text}", source=phrase.pos, passage=passage)
    )
    halves = ((phrase.inhale, 0, layout.half_offset), (phrase.exhale, layout.half_offset, rep - layout.half_offset))
    for speech, offset, room in halves:
        k = index[id(speech)]
        duration = speech_samples[k]
        if duration > room:
            warnings.append(
                (
                    str(speech.pos),
                    f"'{speech.text}' lasts {duration / sample_rate:.2f} s, longer than its "
                    f"{room / sample_rate:.2f} s breath phase; shorten it or slow the pacing",
                )
            )
        for r in range(repeats):
            overlays.append(Event("speech", pos + r * rep + offset, duration, speech.text, k, speech.pos, passage=passage))
    return pos + lead_beats * beat


def _place_prompts(silence, start, duration, index, speech_samples, overlays, sample_rate, names) -> None:
    """Re-anchoring prompts at even intervals: one per ``every`` of the silence, none when short."""
    every = seconds_to_samples(silence.prompt_every_s, sample_rate)
    count = max(0, duration // every - 1)
    lengths = [speech_samples[index[id(p)]] for p in silence.prompts]
    # Never let a prompt run into the next one or past the silence.
    while count and max(lengths) > duration // (count + 1):
        count -= 1
    for i in range(1, count + 1):
        prompt = silence.prompts[(i - 1) % len(silence.prompts)]
        k = index[id(prompt)]
        at = start + (i * duration) // (count + 1)
        overlays.append(
            Event("speech", at, lengths[(i - 1) % len(lengths)], prompt.text, k, prompt.pos, passage=names.get(silence.passage, ""))
        )


def _stretch_for(
    change: Optional[PacingChange], script, start: int, beat: int, in_default: int, sample_rate: int, coming_on: bool
) -> PacingStretch:
    """The stretch a ``[pacing on ...]`` (or the front matter, ``change=None``) starts at ``start``.

    The script's default ramp (``pacing_ramp_from``) plays only when the tone
    ``coming_on`` from silence and the change sets no rate or ratio of its
    own; a change while the tone runs ramps only with an explicit ``from=``.
    """
    front = script.front
    rate = change.rate if change is not None and change.rate is not None else None
    fraction = change.in_fraction if change is not None and change.in_fraction is not None else None
    cycle = beat if rate is None else cycle_samples(rate, sample_rate)
    if fraction is None:
        in_samples = in_default if cycle == beat else int(round(in_default / beat * cycle))
    else:
        in_samples = int(round(fraction * cycle))
    in_samples = min(max(1, in_samples), cycle - 1)
    if change is not None and change.ramp_from is not None:
        ramp_from, ramp_s = change.ramp_from, change.ramp_s if change.ramp_s is not None else front.pacing_ramp_s
    elif coming_on and rate is None and fraction is None:
        ramp_from, ramp_s = front.pacing_ramp_from, front.pacing_ramp_s
    else:
        ramp_from, ramp_s = None, 0.0
    ramp_from_samples = ramp_samples = 0
    if ramp_from is not None and cycle_samples(ramp_from, sample_rate) != cycle:
        ramp_from_samples = cycle_samples(ramp_from, sample_rate)
        ramp_samples = max(1, round(seconds_to_samples(ramp_s, sample_rate) / cycle)) * cycle
    sound = change.sound if change is not None and change.sound else front.pacing_sound
    return PacingStretch(start, start, cycle, in_samples, sound, ramp_from_samples, ramp_samples)


def _pacing_stretches(script, events, pacing_marks, beat, in_default, length, sample_rate, warnings) -> tuple[PacingStretch, ...]:
    """Where the tone sounds and how: ``[pacing]`` on/fade stretches, breathe blocks and breath-locked phrases.

    A change takes effect at an in-breath onset, so the tone always starts and
    stops with whole breaths: ``on`` from silence, or a switch to the script's
    own rate and ratio, at the next onset of the script's grid (a stretch at the
    script's rate is always on that grid); a switch to another rate at the
    running stretch's next onset; ``off`` and ``fade N`` at the running
    stretch's next onset (``fade N``: N more whole cycles). Breathe blocks and
    phrases are timed on the script's grid: inside a stretch at another rate
    or ratio, or inside a ramp, they are an error; a stretch that an ``off`` or
    ``fade`` already closed ends where such a block begins.
    """
    front = script.front
    # (stretch, sample of the mark that closed it, or None while it runs or when it ran to the end)
    closed: list[tuple[PacingStretch, Optional[int]]] = []
    running: Optional[PacingStretch] = None
    if front.pacing == "on":
        running = _stretch_for(None, script, 0, beat, in_default, sample_rate, coming_on=True)

    def on_script_grid(st: PacingStretch) -> bool:
        return (st.cycle_samples, st.in_samples) == (beat, in_default)

    def close(stop: int, mark: Optional[int]) -> None:
        nonlocal running
        if running is not None and stop > running.start_sample:
            closed.append((replace(running, stop_sample=min(length, stop)), mark))
        running = None

    for at, change in pacing_marks:
        on_grid = min(length, _ceil_div(at, beat) * beat)
        if change.mode == "on":
            fresh = _stretch_for(change, script, on_grid, beat, in_default, sample_rate, coming_on=running is None)
            if running is None:
                running = fresh
            elif (fresh.cycle_samples, fresh.in_samples, fresh.sound, fresh.ramp_from_samples) != (
                running.cycle_samples, running.in_samples, running.sound, running.ramp_from_samples
            ):
                # Back to the script's breath: on the script's grid, so its anchors meet the tone.
                switch = on_grid if on_script_grid(fresh) and not fresh.ramp_samples else min(length, running.next_onset(at))
                close(switch, None)
                running = replace(fresh, start_sample=switch, stop_sample=switch)
        elif change.mode == "off":
            if running is not None:
                close(running.next_onset(at), at)
        else:  # fade N: N more whole cycles of whatever runs (of the script's grid if nothing does)
            if running is None:
                running = _stretch_for(None, script, on_grid, beat, in_default, sample_rate, coming_on=False)
            first = running.next_onset(at)
            later = [t for t in running.onsets(length + 1) if t > first]
            stop = later[change.cycles - 1] if len(later) >= change.cycles else first + change.cycles * running.cycle_samples
            close(stop, at)
    if running is not None:
        close(length, None)

    stretches = [st for st, _ in closed]
    marks = [mark for _, mark in closed]
    default = replace(
        _stretch_for(None, script, 0, beat, in_default, sample_rate, coming_on=False), ramp_from_samples=0, ramp_samples=0
    )
    for event in (e for e in events if e.kind in ("breathe", "phrase")):
        a, b = event.start_sample, event.stop_sample
        hosts = [k for k, st in enumerate(stretches) if a < st.stop_sample and b > st.start_sample]
        for k in hosts:
            if marks[k] is not None and marks[k] <= a:
                # Closed before the block: its last breath gives way to the block's.
                stretches[k] = replace(stretches[k], stop_sample=a)
        hosts = [k for k in hosts if stretches[k].stop_sample > a]
        if not hosts:
            stretches.append(replace(default, start_sample=a, stop_sample=b))
            marks.append(None)
            continue
        what = "a [breathe] block" if event.kind == "breathe" else "a breath-locked phrase"
        for k in hosts:
            st = stretches[k]
            if not on_script_grid(st):
                raise PlanError(
                    event.source,
                    f"{what} follows the script's breath ({front.breaths_per_minute:g}/min), but the pacing "
                    f"tone here runs at another rate or ratio; end that [pacing on ...] stretch before it",
                )
            if st.ramp_samples and a < st.start_sample + st.ramp_samples:
                raise PlanError(
                    event.source,
                    f"{what} falls inside a pacing ramp (until "
                    f"{format_duration((st.start_sample + st.ramp_samples) / sample_rate)}); shorten the ramp or "
                    f"move the {'block' if event.kind == 'breathe' else 'phrase'} later",
                )
        k = hosts[0]
        stretches[k] = replace(stretches[k], start_sample=min(stretches[k].start_sample, a), stop_sample=max(stretches[k].stop_sample, b))

    merged: list[PacingStretch] = []
    for st in sorted((st for st in stretches if st.stop_sample > st.start_sample), key=lambda st: st.start_sample):
        prev = merged[-1] if merged else None
        same = prev is not None and (prev.cycle_samples, prev.in_samples, prev.sound) == (
            st.cycle_samples, st.in_samples, st.sound
        ) and not st.ramp_samples
        if prev is not None and same and st.start_sample <= prev.stop_sample:
            merged[-1] = replace(prev, stop_sample=max(prev.stop_sample, st.stop_sample))
        elif prev is not None and st.start_sample < prev.stop_sample:
            merged[-1] = replace(prev, stop_sample=st.start_sample)  # the later stretch takes over
            merged.append(st)
        else:
            merged.append(st)
    result = tuple(st for st in merged if st.stop_sample > st.start_sample)
    _warn_reentries_in_ramps(result, events, warnings, sample_rate)
    return result


def _warn_reentries_in_ramps(stretches, events, warnings, sample_rate) -> None:
    """Speech re-entering after a silence is placed on the script's grid; inside a ramp that is
    not the tone's in-breath, so say so."""
    for prev, event in zip(events, events[1:]):
        if event.kind != "speech" or prev.kind not in ("silence", "align"):
            continue
        for st in stretches:
            ramp_end = st.start_sample + st.ramp_samples
            if st.ramp_samples and st.start_sample <= event.start_sample < ramp_end:
                if event.start_sample not in st.onsets(ramp_end):
                    warnings.append(
                        (
                            str(event.source),
                            f"'{event.text}' re-enters at {format_duration(event.start_sample / sample_rate)}, inside "
                            f"the pacing ramp (until {format_duration(ramp_end / sample_rate)}), on the steady "
                            "breath rather than on one of the ramp's in-breaths; end the ramp before this silence",
                        )
                    )


def _chapters(marks: list[tuple[str, int]], length: int) -> tuple[Chapter, ...]:
    chapters = []
    for j, (title, start) in enumerate(marks):
        stop = marks[j + 1][1] if j + 1 < len(marks) else length
        if j == 0:
            start = 0  # the first chapter covers the whole lead-in
        chapters.append(Chapter(title, start, stop))
    return tuple(c for c in chapters if c.stop_sample > c.start_sample)
