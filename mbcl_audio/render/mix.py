"""The mix: placed utterances, pacing tone and bed as one block-readable stereo source.

Nothing is rendered ahead: :meth:`TrackMix.read` builds any block on demand
from the plan, so a long track costs memory for its utterances only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

from ..master.loudness import array_loudness
from ..plan.model import Plan
from .bed import BedLayer, bed_loop, LOOP_LUFS
from .pacing import PacingLayer, PacingSound, cycle_table

#: Stereo loudness of a centred mono signal is its mono loudness plus 10*log10(2) LU.
CENTRED_MONO_GAIN_LU = 3.0103


@dataclass(frozen=True)
class MixSettings:
    """Levels of the layers, relative to the voice (LU)."""

    #: Loudness the utterances were prepared at (mono LUFS).
    speech_lufs: float = -20.0
    #: Pacing tone relative to the voice: soft and always below it.
    pacing_level_lu: float = -16.0
    #: Bed relative to the voice in the pauses (before ducking).
    bed_level_lu: float = -22.0
    #: How far the bed dips under speech (dB).
    duck_db: float = 12.0


def _tone_loudness(cycle: int, sample_rate: int, sound: PacingSound = PacingSound()) -> float:
    """Loudness (mono LUFS) of the pacing tone at amplitude 1 over whole cycles."""
    table = cycle_table(cycle, sample_rate, sound)
    return array_loudness(np.tile(table, 2), sample_rate)


class TrackMix:
    """Stereo mix of one planned track; implements :class:`mbcl_audio.audio.Source`."""

    n_channels = 2

    def __init__(
        self,
        plan: Plan,
        utterances: Sequence[np.ndarray],
        bed: Optional[str] = "warm-pad",
        pacing: bool = True,
        settings: MixSettings = MixSettings(),
    ):
        self.plan = plan
        self.sample_rate = plan.sample_rate
        self.n_samples = plan.length_samples
        self.settings = settings
        speech = plan.voice
        self._speech_starts = np.array([e.start_sample for e in speech], dtype=np.int64)
        self._speech = [(e.start_sample, np.asarray(utterances[e.utterance], dtype=np.float32)) for e in speech]
        self._longest = max((len(a) for _, a in self._speech), default=0)

        self.pacing: Optional[PacingLayer] = None
        if pacing and plan.pacing_spans:
            sound = PacingSound(in_fraction=plan.in_samples / plan.cycle_samples if plan.grid == "breath" else 0.5)
            tone_lufs = _tone_loudness(plan.cycle_samples, self.sample_rate, sound)
            amplitude = 10 ** ((settings.speech_lufs + settings.pacing_level_lu - tone_lufs) / 20)
            self.pacing = PacingLayer(plan.cycle_samples, self.sample_rate, plan.pacing_spans, amplitude, sound=sound)

        self.bed: Optional[BedLayer] = None
        if bed and bed != "none":
            target = settings.speech_lufs + CENTRED_MONO_GAIN_LU + settings.bed_level_lu
            self.bed = BedLayer(
                bed_loop(bed, self.sample_rate),
                self.n_samples,
                self.sample_rate,
                [(e.start_sample, e.stop_sample) for e in plan.voice],
                gain_db=target - LOOP_LUFS,
                duck_db=settings.duck_db,
            )

    def voice(self, start: int, stop: int) -> np.ndarray:
        """The placed utterances for ``[start, stop)``, mono float32."""
        out = np.zeros(stop - start, dtype=np.float32)
        first = np.searchsorted(self._speech_starts, start - self._longest, side="left")
        last = np.searchsorted(self._speech_starts, stop, side="left")
        for at, audio in self._speech[first:last]:
            lo, hi = max(start, at), min(stop, at + len(audio))
            if hi > lo:
                out[lo - start : hi - start] += audio[lo - at : hi - at]
        return out

    def read(self, start: int, stop: int) -> np.ndarray:
        lo, hi = max(start, 0), min(stop, self.n_samples)
        out = np.zeros((stop - start, 2), dtype=np.float32)
        if hi <= lo:
            return out
        mono = self.voice(lo, hi)
        if self.pacing is not None:
            mono += self.pacing.read(lo, hi)
        block = out[lo - start : hi - start]
        block += mono[:, None]
        if self.bed is not None:
            block += self.bed.read(lo, hi)
        return out
