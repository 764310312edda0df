"""Where each pacing cycle lies: steady stretches and tempo ramps, in whole samples.

A :class:`PacingStretch` is one stretch of the track where the tone sounds,
with its own cycle length, in-breath length, tone family and an optional
ramp. Its cycles are laid out from one sample counter: a steady stretch has
onsets at ``start + k * cycle_samples``; a ramp fits a whole number of
cycles into a whole number of target cycles, so the onset that ends the ramp
is exactly where the steady grid would have put it, and the tone never
drifts. The renderer (:mod:`mbcl_audio.render.pacing`) plays these cycles;
it makes no timing decisions of its own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Optional

from ..vocab import ToneFamily


@dataclass(frozen=True)
class Cycle:
    """One breath cycle: in-breath ``[start, start + in_samples)``, then the out-breath."""

    start_sample: int
    in_samples: int
    cycle_samples: int

    @property
    def stop_sample(self) -> int:
        return self.start_sample + self.cycle_samples


def ramp_onsets(from_cycle_samples: int, to_cycle_samples: int, ramp_samples: int) -> list[int]:
    """Cycle onsets (offsets from the ramp's start) of a tempo ramp, the first at 0.

    The breathing rate moves linearly in time from about ``1/from_cycle_samples``
    to exactly ``1/to_cycle_samples`` cycles per sample over ``ramp_samples``.
    The start rate is adjusted by the smallest amount that makes a whole number
    of cycles fit, so the ramp ends on an onset at ``ramp_samples`` and the rate
    there equals the steady rate that follows: the tempo is continuous and the
    grid after the ramp is the steady grid, to the sample.
    """
    if ramp_samples <= 0:
        return []
    total = float(ramp_samples)
    r1 = 1.0 / to_cycle_samples
    wanted = 0.5 * total * (1.0 / from_cycle_samples + r1)
    # r0 must stay positive: more than half the ramp's target cycles.
    count = max(1, round(wanted), math.floor(0.5 * total * r1) + 1)
    r0 = 2.0 * count / total - r1
    # phase(t) = r0 t + (r1 - r0) t^2 / (2T); onset k is where phase(t) = k.
    a = (r1 - r0) / (2.0 * total)
    onsets = []
    for k in range(count):
        if abs(a) < 1e-18:
            t = k / r0
        else:
            t = (-r0 + math.sqrt(r0 * r0 + 4.0 * a * k)) / (2.0 * a)
        onsets.append(int(round(t)))
    return onsets


@dataclass(frozen=True)
class PacingStretch:
    """A stretch ``[start_sample, stop_sample)`` where the pacing tone sounds, and how."""

    start_sample: int
    stop_sample: int
    cycle_samples: int
    in_samples: int
    #: Tone family (:data:`mbcl_audio.vocab.TONE_FAMILIES`).
    sound: ToneFamily = "glide"
    #: Cycle length the stretch starts at when it ramps (0: no ramp).
    ramp_from_samples: int = 0
    #: Length of the ramp: a whole number of ``cycle_samples``.
    ramp_samples: int = 0
    #: Where a ``[pacing fade N]`` starts lowering the tone (the onset of the first of its N
    #: cycles); it reaches silence at ``stop_sample``. ``None``: no fade.
    fade_from_sample: Optional[int] = None

    @property
    def in_fraction(self) -> float:
        return self.in_samples / self.cycle_samples

    @property
    def span(self) -> tuple[int, int]:
        return (self.start_sample, self.stop_sample)

    @property
    def fade_span(self) -> Optional[tuple[int, int]]:
        """``(start, stop)`` samples over which the tone fades to silence, or ``None``."""
        if self.fade_from_sample is None or not self.start_sample <= self.fade_from_sample < self.stop_sample:
            return None
        return (self.fade_from_sample, self.stop_sample)

    def onsets(self, stop_sample: int | None = None) -> list[int]:
        """Every cycle onset from the stretch's start up to (not including) ``stop_sample``
        (default: the stretch's stop)."""
        stop = self.stop_sample if stop_sample is None else stop_sample
        out = [self.start_sample + t for t in self._ramp]
        steady = self.start_sample + (self.ramp_samples if self._ramp else 0)
        out = [t for t in out if t < stop]
        if steady < stop:
            out.extend(range(steady, stop, self.cycle_samples))
        return out

    @cached_property
    def _ramp(self) -> tuple[int, ...]:
        if not self.ramp_from_samples or not self.ramp_samples:
            return ()
        return tuple(ramp_onsets(self.ramp_from_samples, self.cycle_samples, self.ramp_samples))

    def cycles(self) -> list[Cycle]:
        """Every cycle that starts inside the stretch (the last may run past its stop)."""
        onsets = self.onsets()
        ramp = [self.start_sample + t for t in self._ramp]
        ramp_end = self.start_sample + (self.ramp_samples if self._ramp else 0)
        out = []
        for k, t in enumerate(onsets):
            if t < ramp_end:
                # The ramp's own next onset, whether or not the stretch still runs then.
                length = (ramp[k + 1] if k + 1 < len(ramp) else ramp_end) - t
            else:
                length = self.cycle_samples
            out.append(Cycle(t, max(1, int(round(self.in_fraction * length))), length))
        return out

    def next_onset(self, sample: int) -> int:
        """The first cycle onset at or after ``sample`` on this stretch's grid (it may lie past the stop)."""
        for t in self._ramp:
            if self.start_sample + t >= sample:
                return self.start_sample + t
        steady = self.start_sample + (self.ramp_samples if self._ramp else 0)
        if sample <= steady:
            return steady
        return steady + -(-(sample - steady) // self.cycle_samples) * self.cycle_samples
