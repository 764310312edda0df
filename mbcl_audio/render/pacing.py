"""The pacing tone: a soft glide that rises through the in-breath and falls through the out-breath.

Sample-exactness comes from construction, not from care in the mixer: one
breath cycle is rendered once as a table whose total phase is a whole number
of turns, and the tone at any sample ``n`` of the track is ``table[n % cycle]``.
The grid therefore never drifts over any length, reads the same in any block
size, and every cycle starts at an envelope minimum of exactly zero at the
in-breath onset (multiples of ``cycle_samples`` from the start of the track).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

from ..audio import raised_cosine


@dataclass(frozen=True)
class PacingSound:
    """How one breath cycle sounds."""

    low_hz: float = 196.0  # G3 at the turn from out- to in-breath
    high_hz: float = 294.0  # D4 at the top of the in-breath
    in_fraction: float = 0.5  # 5 s : 5 s at 6/min
    #: Relative amplitudes of harmonics 1, 2, 3: mostly fundamental, a little warmth.
    harmonics: tuple[float, ...] = (1.0, 0.25, 0.08)


def cycle_table(cycle_samples: int, sample_rate: int, sound: PacingSound = PacingSound()) -> np.ndarray:
    """One breath cycle of the tone, float32, shape ``(cycle_samples,)``, peak 1.0.

    The in-breath occupies the first ``in_fraction`` of the cycle: loudness and
    pitch rise; on the out-breath both fall. The amplitude envelope is zero at
    sample 0 (the in-breath onset) and the phase completes a whole number of
    turns per cycle, so repeating the table is seamless.
    """
    return _cycle_table(int(cycle_samples), int(sample_rate), sound).copy()


@lru_cache(maxsize=4)
def _cycle_table(cycle_samples: int, sample_rate: int, sound: PacingSound) -> np.ndarray:
    phi = np.arange(cycle_samples, dtype=np.float64) / cycle_samples
    r = sound.in_fraction
    inhale = phi < r
    # Rising half: 0 -> 1 over the in-breath; falling half: 1 -> 0 over the out-breath.
    rise = np.where(inhale, np.sin(0.5 * np.pi * phi / r) ** 2, np.cos(0.5 * np.pi * (phi - r) / (1 - r)) ** 2)
    envelope = rise
    freq = sound.low_hz + (sound.high_hz - sound.low_hz) * rise
    turns = np.cumsum(freq) / sample_rate
    # Stretch the glide by a hair so a cycle holds a whole number of turns: seamless repeats.
    whole = np.round(turns[-1])
    phase = np.concatenate(([0.0], turns[:-1])) * (whole / turns[-1])
    wave = np.zeros(cycle_samples)
    for k, amp in enumerate(sound.harmonics, start=1):
        wave += amp * np.sin(2 * np.pi * k * phase)
    out = envelope * wave
    out /= np.abs(out).max()
    return out.astype(np.float32)


def span_gain(
    start: int, stop: int, spans: Sequence[tuple[int, int]], fade_samples: int
) -> np.ndarray:
    """Gain ``(stop - start,)`` that is 1 inside each span, with raised-cosine fades inside its edges."""
    n = np.arange(start, stop, dtype=np.int64)
    gain = np.zeros(stop - start, dtype=np.float32)
    for a, b in spans:
        if b <= start or a >= stop:
            continue
        fade = max(1, min(fade_samples, (b - a) // 2))
        up = np.clip((n - a) / fade, 0.0, 1.0)
        down = np.clip((b - n) / fade, 0.0, 1.0)
        g = raised_cosine(np.minimum(up, down))
        g[(n < a) | (n >= b)] = 0.0
        np.maximum(gain, g, out=gain)
    return gain


class PacingLayer:
    """The tone on the global grid, audible only inside ``spans`` (mono, peak ``amplitude``)."""

    def __init__(
        self,
        cycle_samples: int,
        sample_rate: int,
        spans: Sequence[tuple[int, int]],
        amplitude: float = 0.1,
        fade_s: float = 1.5,
        sound: PacingSound = PacingSound(),
    ):
        self.cycle_samples = int(cycle_samples)
        self.sample_rate = int(sample_rate)
        self.spans = tuple(spans)
        self.amplitude = float(amplitude)
        self.fade_samples = int(round(fade_s * sample_rate))
        self.table = _cycle_table(self.cycle_samples, self.sample_rate, sound)

    def tone(self, start: int, stop: int) -> np.ndarray:
        """The ungated tone for samples ``[start, stop)``, shape ``(stop - start,)``."""
        idx = np.arange(start, stop, dtype=np.int64) % self.cycle_samples
        return self.table[idx] * np.float32(self.amplitude)

    def read(self, start: int, stop: int) -> np.ndarray:
        """The gated tone for ``[start, stop)``, float32 mono ``(stop - start,)``."""
        gain = span_gain(start, stop, self.spans, self.fade_samples)
        if not gain.any():
            return np.zeros(stop - start, dtype=np.float32)
        return self.tone(start, stop) * gain
