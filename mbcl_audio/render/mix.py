"""The mix: placed utterances, pacing tone and bed as one block-readable stereo source.

Nothing is rendered ahead: :meth:`TrackMix.read` builds any block on demand
from the plan, so a long track costs memory for its utterances only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np

from ..measure.loudness import array_loudness
from ..plan.model import Plan
from ..vocab import BellPlace
from .bed import LOOP_LUFS, BedLayer, bed_loop
from .bell import bell_strike, bell_times
from .pacing import PacingLayer

#: Stereo loudness of a centred mono signal is its mono loudness plus 10*log10(2) LU.
CENTRED_MONO_GAIN_LU = 3.0103


@dataclass(frozen=True)
class MixSettings:
    """Levels of the layers, relative to the voice (LU), and how they move."""

    #: Loudness the utterances were prepared at (mono LUFS).
    speech_lufs: float = -20.0
    #: Pacing tone relative to the voice: soft and always below it.
    pacing_level_lu: float = -16.0
    #: How far the pacing tone dips under speech (dB; not under breath-locked halves, which it guides).
    pacing_duck_db: float = 6.0
    #: How far it dips through a breath-locked phrase, as a whole (dB): the halves start where the
    #: tone swells, and this keeps them 16 LU or more above it while the breath stays audible.
    pacing_phrase_duck_db: float = 3.0
    #: Bed relative to the voice in the pauses (before ducking).
    bed_level_lu: float = -22.0
    #: How far the bed dips under speech (dB).
    duck_db: float = 12.0
    #: Bed ducking: starts this long before speech, recovers over this long after it (s).
    duck_attack_s: float = 0.4
    duck_release_s: float = 1.5
    #: Practice silences at least this long lift the bed by ``swell_db`` (s, dB).
    swell_min_s: float = 20.0
    swell_db: float = 3.0
    #: Bell strike (whole strike, mono) relative to the voice.
    bell_level_lu: float = -6.0


def _phrase_spans(plan: Plan) -> list[tuple[int, int]]:
    return [(e.start_sample, e.stop_sample) for e in plan.events if e.kind == "phrase"]


class TrackMix:
    """Stereo mix of one planned track; implements :class:`mbcl_audio.audio.Source`.

    Args:
        plan: the timeline.
        utterances: one np.ndarray [shape=(n_i,)], float32 mono, per utterance of the script, at ``settings.speech_lufs``.
        bed: a generated bed name, a file in ``music_dir``, or ``None`` / ``"none"``.
        pacing: whether the pacing tone sounds where the plan has it.
        bell: where a bell strikes: any of ``"start"``, ``"end"``, ``"sections"``.
        loop_cache: a folder where a generated bed's loop is kept between builds.
    """

    n_channels = 2
    #: Every block is a pure function of the plan and the sample index (no state between reads),
    #: so blocks may be rendered on several threads at once.
    parallel_reads = True

    def __init__(
        self,
        plan: Plan,
        utterances: Sequence[np.ndarray],
        bed: Optional[str] = "warm-pad",
        pacing: bool = True,
        settings: MixSettings = MixSettings(),
        bell: Sequence[BellPlace] = (),
        music_dir: Path = Path("music"),
        loop_cache: Optional[Path] = None,
    ):
        self.plan = plan
        self.sample_rate = plan.sample_rate
        self.n_samples = plan.length_samples
        self.settings = settings
        speech = plan.voice
        self._speech_starts = np.array([e.start_sample for e in speech], dtype=np.int64)
        self._speech = [(e.start_sample, np.asarray(utterances[e.utterance], dtype=np.float32)) for e in speech]
        self._longest = max((len(a) for _, a in self._speech), default=0)
        speech_spans = [(e.start_sample, e.stop_sample) for e in speech]
        last_speech_end = max((b for _, b in speech_spans), default=0)

        self.pacing: Optional[PacingLayer] = None
        if pacing and plan.pacing:
            phrases = _phrase_spans(plan)
            unguided = [(a, b) for a, b in speech_spans if not any(p <= a and b <= q for p, q in phrases)]
            self.pacing = PacingLayer(
                plan.pacing,
                self.sample_rate,
                settings.speech_lufs + settings.pacing_level_lu,
                speech_spans=unguided,
                duck_db=settings.pacing_duck_db,
                phrase_spans=phrases,
                phrase_duck_db=settings.pacing_phrase_duck_db,
            )

        self.bed: Optional[BedLayer] = None
        if bed and bed != "none":
            target = settings.speech_lufs + CENTRED_MONO_GAIN_LU + settings.bed_level_lu
            swell_min = int(round(settings.swell_min_s * self.sample_rate))
            swells = [
                (e.start_sample, e.stop_sample)
                for e in plan.events
                if e.kind in ("silence", "pause") and e.duration_samples >= swell_min
            ]
            self.bed = BedLayer(
                bed_loop(bed, self.sample_rate, music_dir, cache_dir=loop_cache),
                self.n_samples,
                self.sample_rate,
                speech_spans,
                gain_db=target - LOOP_LUFS,
                duck_db=settings.duck_db,
                attack_s=settings.duck_attack_s,
                release_s=settings.duck_release_s,
                last_speech_end=last_speech_end if speech_spans else None,
                swell_spans=swells,
                swell_db=settings.swell_db,
            )

        self._bell: Optional[np.ndarray] = None
        self.bell_starts: tuple[int, ...] = ()
        if bell:
            strike = bell_strike(self.sample_rate)
            gain_db = settings.speech_lufs + settings.bell_level_lu - array_loudness(strike, self.sample_rate)
            self._bell = strike * np.float32(10 ** (gain_db / 20))
            chapter_starts = [c.start_sample for c in plan.chapters] or [0]
            self.bell_starts = tuple(
                bell_times(bell, chapter_starts, last_speech_end, self.n_samples, len(strike), self.sample_rate)
            )

    def sound_span(self) -> tuple[int, int]:
        """``(first, stop)``: where any layer can sound, from the plan (no audio is read).

        Delivery formats that want a measured amount of room tone before the
        first and after the last sound (ACX) trim to this span.
        """
        spans = [(at, at + len(clip)) for at, clip in self._speech]
        if self.pacing is not None:
            spans += [st.span for st in self.pacing.stretches]
        if self._bell is not None:
            spans += [(at, min(self.n_samples, at + len(self._bell))) for at in self.bell_starts]
        if self.bed is not None:
            spans.append((0, self.bed.fade_out_stop))
        if not spans:
            return (0, self.n_samples)
        return (max(0, min(a for a, _ in spans)), min(self.n_samples, max(b for _, b in spans)))

    def speech_spans(self) -> tuple[tuple[int, int], ...]:
        """``(start, stop)`` samples of every placed utterance, in time order: where the voice speaks.

        Mastering measures the voice level over these (speech-gated loudness).
        """
        return tuple(sorted((at, min(at + len(clip), self.n_samples)) for at, clip in self._speech if at < self.n_samples))

    def voice(self, start: int, stop: int) -> np.ndarray:
        """The placed utterances for ``[start, stop)``: ``np.ndarray [shape=(stop - start,)]`` float32 mono."""
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
        if self._bell is not None:
            for at in self.bell_starts:
                a, b = max(lo, at), min(hi, at + len(self._bell))
                if b > a:
                    mono[a - lo : b - lo] += self._bell[a - at : b - at]
        block = out[lo - start : hi - start]
        block += mono[:, None]
        if self.bed is not None:
            block += self.bed.read(lo, hi)
        return out
