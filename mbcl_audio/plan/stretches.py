"""Where the pacing tone sounds: :class:`~mbcl_audio.plan.pacing.PacingStretch`es from a placed timeline.

The stretches are built from the ``[pacing]`` marks, the breathe blocks and the
breath-locked phrases once every event has its place; speech that re-enters
inside a tempo ramp is named in a warning.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple, Optional, Sequence

from ..script.model import PacingChange, Script
from ..units import format_duration, seconds_to_samples
from .errors import PlanError
from .grid import ceil_div, cycle_samples
from .model import Event
from .pacing import PacingStretch


class PacingMark(NamedTuple):
    """A ``[pacing ...]`` change and where on the timeline the script puts it."""

    at_sample: int
    change: PacingChange


def stretch_for(
    change: Optional[PacingChange],
    script: Script,
    start_sample: int,
    beat_samples: int,
    in_default_samples: int,
    sample_rate: int,
    coming_on: bool,
) -> PacingStretch:
    """The stretch a ``[pacing on ...]`` (or the front matter, ``change=None``) starts at ``start_sample``.

    The script's default ramp (``pacing_ramp_from``) plays only when the tone
    ``coming_on`` from silence and the change sets no rate or ratio of its
    own; a change while the tone runs ramps only with an explicit ``from=``.
    """
    front = script.front
    beat = beat_samples
    rate = change.rate if change is not None and change.rate is not None else None
    fraction = change.in_fraction if change is not None and change.in_fraction is not None else None
    cycle = beat if rate is None else cycle_samples(rate, sample_rate)
    if fraction is None:
        in_samples = in_default_samples if cycle == beat else int(round(in_default_samples / beat * cycle))
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
    return PacingStretch(start_sample, start_sample, cycle, in_samples, sound, ramp_from_samples, ramp_samples)


def pacing_stretches(
    script: Script,
    events: Sequence[Event],
    pacing_marks: Sequence[PacingMark],
    beat_samples: int,
    in_default_samples: int,
    length_samples: int,
    sample_rate: int,
) -> tuple[PacingStretch, ...]:
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
    beat, in_default, length = beat_samples, in_default_samples, length_samples
    # (stretch, sample of the mark that closed it, or None while it runs or when it ran to the end)
    closed: list[tuple[PacingStretch, Optional[int]]] = []
    running: Optional[PacingStretch] = None
    if front.pacing == "on":
        running = stretch_for(None, script, 0, beat, in_default, sample_rate, coming_on=True)

    def on_script_grid(st: PacingStretch) -> bool:
        return (st.cycle_samples, st.in_samples) == (beat, in_default)

    def close(stop: int, mark: Optional[int], fade_from: Optional[int] = None) -> None:
        nonlocal running
        if running is not None and stop > running.start_sample:
            closed.append((replace(running, stop_sample=min(length, stop), fade_from_sample=fade_from), mark))
        running = None

    for at, change in pacing_marks:
        on_grid = min(length, ceil_div(at, beat) * beat)
        if change.mode == "on":
            fresh = stretch_for(change, script, on_grid, beat, in_default, sample_rate, coming_on=running is None)
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
                running = stretch_for(None, script, on_grid, beat, in_default, sample_rate, coming_on=False)
            first = running.next_onset(at)
            later = [t for t in running.onsets(length + 1) if t > first]
            stop = later[change.cycles - 1] if len(later) >= change.cycles else first + change.cycles * running.cycle_samples
            # The tone sinks to silence over its last N cycles, from the first of them.
            close(stop, at, fade_from=max(first, running.start_sample))
    if running is not None:
        close(length, None)

    stretches = [st for st, _ in closed]
    marks = [mark for _, mark in closed]
    default = replace(
        stretch_for(None, script, 0, beat, in_default, sample_rate, coming_on=False), ramp_from_samples=0, ramp_samples=0
    )
    for event in (e for e in events if e.kind in ("breathe", "phrase")):
        a, b = event.start_sample, event.stop_sample
        hosts = [k for k, st in enumerate(stretches) if a < st.stop_sample and b > st.start_sample]
        for k in hosts:
            if marks[k] is not None and marks[k] <= a:
                # Closed before the block: its last breath gives way to the block's.
                stretches[k] = replace(stretches[k], stop_sample=a)
        hosts = [k for k in hosts if stretches[k].stop_sample > a]
        if not hosts and front.grid == "steps":
            continue  # walking: the feet keep the time; no tone unless a [pacing on] stretch asks for one
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
        host = stretches[k]
        stretches[k] = replace(
            host,
            start_sample=min(host.start_sample, a),
            stop_sample=max(host.stop_sample, b),
            # A block the tone must carry past a fade's end cancels the fade.
            fade_from_sample=host.fade_from_sample if b <= host.stop_sample else None,
        )
    return _merged(stretches)


def _merged(stretches: Sequence[PacingStretch]) -> tuple[PacingStretch, ...]:
    """The stretches in time order, touching ones of the same breath joined, none overlapping."""
    merged: list[PacingStretch] = []
    for st in sorted((st for st in stretches if st.stop_sample > st.start_sample), key=lambda st: st.start_sample):
        prev = merged[-1] if merged else None
        same = prev is not None and (prev.cycle_samples, prev.in_samples, prev.sound) == (
            st.cycle_samples, st.in_samples, st.sound
        ) and not st.ramp_samples
        if prev is not None and same and st.start_sample <= prev.stop_sample:
            # Joined, the tone goes on: only a fade at the joined stretch's end still applies.
            fade = prev.fade_from_sample if prev.stop_sample >= st.stop_sample else st.fade_from_sample
            merged[-1] = replace(prev, stop_sample=max(prev.stop_sample, st.stop_sample), fade_from_sample=fade)
        elif prev is not None and st.start_sample < prev.stop_sample:
            merged[-1] = replace(prev, stop_sample=st.start_sample)  # the later stretch takes over
            merged.append(st)
        else:
            merged.append(st)
    return tuple(st for st in merged if st.stop_sample > st.start_sample)


def reentry_warnings(
    stretches: Sequence[PacingStretch], events: Sequence[Event], sample_rate: int
) -> list[tuple[str, str]]:
    """``(location, message)`` for each utterance re-entering after a silence inside a tempo ramp.

    Such speech is placed on the script's grid, which inside a ramp is not the
    tone's in-breath, so the producer should know.
    """
    warnings: list[tuple[str, str]] = []
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
    return warnings
