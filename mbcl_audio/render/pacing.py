"""The pacing layer: plays the breath cycles the plan laid out, in the chosen tone family.

Timing is the plan's (:mod:`mbcl_audio.plan.pacing`): every cycle has a start
sample and a length, counted from one sample counter, so the tone cannot
drift over any length, reads the same in any block size, and runs through
tempo ramps without a restart. Each cycle is one table from
:func:`mbcl_audio.render.tones.breath_cycle`, which starts and ends at zero:
cycles of different lengths join without a click.

The tone is audible only inside its stretches (raised-cosine fades at their
edges, and over the last N cycles of a ``[pacing fade N]``) and dips a few dB
under speech, with the same look-ahead ducking as the bed.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..audio import fade_out_gain, raised_cosine
from ..plan.pacing import Cycle, PacingStretch
from ..vocab import ToneFamily
from .bed import duck_amount, merge_spans
from .tones import breath_cycle, tone_loudness_lufs


def span_gain(
    start: int, stop: int, spans: Sequence[tuple[int, int]], fade_samples: int
) -> np.ndarray:
    """Gain, ``np.ndarray [shape=(stop - start,)]``: 1 inside each span, with raised-cosine fades inside its edges."""
    gain = np.zeros(stop - start, dtype=np.float32)
    for a, b in spans:
        lo, hi = max(start, a), min(stop, b)  # outside its span the gain is 0
        if hi <= lo:
            continue
        n = np.arange(lo, hi, dtype=np.int64)
        fade = max(1, min(fade_samples, (b - a) // 2))
        up = np.clip((n - a) / fade, 0.0, 1.0)
        down = np.clip((b - n) / fade, 0.0, 1.0)
        part = gain[lo - start : hi - start]
        np.maximum(part, raised_cosine(np.minimum(up, down)), out=part)
    return gain


class PacingLayer:
    """The pacing tone of a track: mono float32, each stretch at ``level_lufs`` over whole cycles.

    Args:
        stretches: where and how the tone sounds (from ``Plan.pacing``).
        sample_rate: Hz.
        level_lufs: loudness (mono LUFS) of each stretch's steady tone before
            ducking: every family sounds equally loud.
        speech_spans: ``(start, stop)`` samples the tone dips under.
        duck_db: how far it dips (dB); ``attack_s`` before the speech, ``release_s`` after.
        fade_s: fade at the edges of a stretch (s).
        phrase_spans: ``(start, stop)`` samples of breath-locked phrases, through which the
            tone dips ``phrase_duck_db`` as a whole (it guides their halves, so it does not dip
            under each half).
    """

    def __init__(
        self,
        stretches: Sequence[PacingStretch],
        sample_rate: int,
        level_lufs: float,
        speech_spans: Sequence[tuple[int, int]] = (),
        duck_db: float = 6.0,
        attack_s: float = 0.3,
        release_s: float = 1.0,
        merge_gap_s: float = 3.0,
        fade_s: float = 1.5,
        phrase_spans: Sequence[tuple[int, int]] = (),
        phrase_duck_db: float = 0.0,
    ):
        self.sample_rate = int(sample_rate)
        self.stretches = tuple(stretches)
        self.fade_samples = int(round(fade_s * sample_rate))
        self.duck_db = float(duck_db)
        self.attack = int(round(attack_s * sample_rate))
        self.release = int(round(release_s * sample_rate))
        self.speech_spans = merge_spans(speech_spans, int(round(merge_gap_s * sample_rate)))
        self.phrase_spans = tuple(phrase_spans)
        self.phrase_duck_db = float(phrase_duck_db)
        self.amplitudes = tuple(
            10 ** ((level_lufs - tone_loudness_lufs(st.sound, st.cycle_samples, st.in_samples, sample_rate)) / 20)
            for st in self.stretches
        )
        #: Every cycle of each stretch (the plan's layout; the last may run past its stretch).
        self.cycles = tuple(tuple(st.cycles()) for st in self.stretches)
        self._starts = [np.array([c.start_sample for c in cycles], dtype=np.int64) for cycles in self.cycles]
        # Ramps give every cycle its own length: keep this layer's tables, not just the last few.
        self._tables: dict[tuple[ToneFamily, int, int], np.ndarray] = {}

    def _table(self, sound: ToneFamily, cycle: Cycle) -> np.ndarray:
        key = (sound, cycle.cycle_samples, cycle.in_samples)
        if key not in self._tables:
            self._tables[key] = breath_cycle(sound, cycle.cycle_samples, cycle.in_samples, self.sample_rate)
        return self._tables[key]

    def tone(self, start: int, stop: int) -> np.ndarray:
        """The tone of every stretch, without the stretch fades or ducking, for ``[start, stop)``."""
        out = np.zeros(stop - start, dtype=np.float32)
        for st, cycles, starts, amp in zip(self.stretches, self.cycles, self._starts, self.amplitudes):
            lo, hi = max(start, st.start_sample), min(stop, st.stop_sample)
            if hi <= lo:
                continue
            first = max(0, int(np.searchsorted(starts, lo, side="right")) - 1)
            for cycle in cycles[first:]:
                if cycle.start_sample >= hi:
                    break
                a, b = max(lo, cycle.start_sample), min(hi, cycle.stop_sample)
                if b > a:
                    table = self._table(st.sound, cycle)
                    out[a - start : b - start] += np.float32(amp) * table[a - cycle.start_sample : b - cycle.start_sample]
        return out

    def gain(self, start: int, stop: int) -> np.ndarray:
        """Stretch fades times ducking, ``np.ndarray [shape=(stop - start,)]``."""
        gain = span_gain(start, stop, [st.span for st in self.stretches], self.fade_samples)
        for st in self.stretches:
            # Only the samples of a block inside a fade change: before it the gain is 1, and
            # after it the stretch (and span_gain) has ended.
            fade = st.fade_span
            if fade is not None and start < fade[1] and stop > fade[0]:
                lo, hi = max(start, fade[0]), min(stop, fade[1])
                gain[lo - start : hi - start] *= fade_out_gain(lo, hi, *fade)
        for spans, depth_db in ((self.speech_spans, self.duck_db), (self.phrase_spans, self.phrase_duck_db)):
            if depth_db and spans and gain.any():
                duck = duck_amount(start, stop, spans, self.attack, self.release)
                gain *= (10 ** (-depth_db * duck / 20)).astype(np.float32)
        return gain

    def read(self, start: int, stop: int) -> np.ndarray:
        """The tone for ``[start, stop)``: ``np.ndarray [shape=(stop - start,)]`` float32 mono."""
        gain = self.gain(start, stop)
        if not gain.any():
            return np.zeros(stop - start, dtype=np.float32)
        return self.tone(start, stop) * gain
