"""A bed placed under a track: level, ducking under speech, swells in long silences, fades.

Every curve here is a pure function of the absolute sample index, so a block
of the bed is the same whatever block size the mixer reads with.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from ...audio import raised_cosine


def merge_spans(spans: Sequence[tuple[int, int]], min_gap: int) -> list[tuple[int, int]]:
    """Join spans separated by less than ``min_gap`` samples (so the bed does not pump between sentences)."""
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a - merged[-1][1] < min_gap:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def subtract_spans(spans: Sequence[tuple[int, int]], holes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of ``spans`` outside every span in ``holes`` (half-open sample ranges; empty parts dropped)."""
    out: list[tuple[int, int]] = []
    holes = sorted(holes)
    for a, b in sorted(spans):
        for h0, h1 in holes:
            if h1 <= a or h0 >= b:
                continue
            if h0 > a:
                out.append((a, h0))
            a = max(a, h1)
            if a >= b:
                break
        if b > a:
            out.append((a, b))
    return out


def duck_amount(
    start: int, stop: int, spans: Sequence[tuple[int, int]], attack: int, release: int
) -> np.ndarray:
    """How far the bed is ducked at each sample of ``[start, stop)``: 0 (open) to 1 (fully ducked).

    Speech times are known in advance, so the duck begins ``attack`` samples
    *before* each span (the voice never enters over a full bed) and recovers
    over ``release`` samples after it, along raised-cosine curves.
    """
    amount = np.zeros(stop - start)
    for a, b in spans:
        # Outside [a - attack, b + release) the shape is 0 and leaves the amount as it is.
        lo, hi = max(start, a - attack), min(stop, b + release)
        if hi <= lo:
            continue
        n = np.arange(lo, hi, dtype=np.int64)
        before = np.clip((n - (a - attack)) / max(attack, 1), 0.0, 1.0)
        after = np.clip(((b + release) - n) / max(release, 1), 0.0, 1.0)
        shape = raised_cosine(np.minimum(before, after))
        part = amount[lo - start : hi - start]
        np.maximum(part, shape, out=part)
    return amount


def swell_amount(start: int, stop: int, spans: Sequence[tuple[int, int]], ramp: int) -> np.ndarray:
    """How far the bed has swelled at each sample of ``[start, stop)``: 0 (not) to 1 (full swell).

    Inside each span the swell rises over ``ramp`` samples from the span's
    start and falls over ``ramp`` samples to its end, along raised cosines;
    the ramps stay inside the span (shortened to half of a short span), so
    the swell is 0 at and outside the span edges.
    """
    amount = np.zeros(stop - start)
    for a, b in spans:
        lo, hi = max(start, a), min(stop, b)  # outside its span a swell is 0
        if hi <= lo:
            continue
        n = np.arange(lo, hi, dtype=np.int64)
        r = max(1, min(int(ramp), (b - a) // 2))
        shape = raised_cosine(np.minimum((n - a) / r, (b - n) / r))
        part = amount[lo - start : hi - start]
        np.maximum(part, shape, out=part)
    return amount


def fade_out_window(
    n_samples: int, sample_rate: int, fade_out_s: float, last_speech_end: Optional[int] = None
) -> tuple[int, int]:
    """Where the closing fade runs: ``(start, stop)`` samples, the bed silent from ``stop`` on.

    Without ``last_speech_end`` the fade covers the last ``fade_out_s`` of the
    track. With it, the fade starts as the last utterance ends and lasts
    ``fade_out_s`` or up to the track end, whichever is shorter; if less than
    1 s would remain, it starts earlier so it still lasts ``min(1 s, track)``
    and ends at the track end (the bed never stops abruptly).
    """
    fade = max(1, int(fade_out_s * sample_rate))
    if last_speech_end is None:
        return n_samples - fade, n_samples
    start = int(np.clip(last_speech_end, 0, n_samples))
    if n_samples - start < int(1.0 * sample_rate):
        length = max(1, min(int(1.0 * sample_rate), n_samples))
        return n_samples - length, n_samples
    return start, start + min(fade, n_samples - start)


class BedLayer:
    """A looped bed for a track of ``n_samples``: level, ducking, swells and start/end fades.

    Parameters
    ----------
    loop : np.ndarray [shape=(m, 2)], float32
        The bed loop (see :func:`mbcl_audio.render.bed.bed_loop`); track sample ``i`` plays ``loop[i % m]``.
    n_samples, sample_rate : int
        Track length (samples) and rate (Hz).
    speech_spans : sequence of (start, stop) samples
        Utterances; the bed ducks under them (spans closer than ``merge_gap_s`` count as one).
    gain_db : float
        Level of the bed (before ducking and swells).
    duck_db, attack_s, release_s : float
        Duck depth under speech; it starts ``attack_s`` before each span and recovers over ``release_s``.
    fade_in_s, fade_out_s : float
        Raised-cosine fade from the track start, and the closing fade (see ``last_speech_end``).
    last_speech_end : int, optional
        End of the last utterance (samples): the closing fade starts there (see :func:`fade_out_window`).
    swell_spans : sequence of (start, stop) samples
        Long silences where the bed rises by ``swell_db`` over ``swell_ramp_s`` ramps; parts overlapping
        speech are dropped, and ducking still applies (gain in dB is swell minus duck).
    """

    def __init__(
        self,
        loop: np.ndarray,
        n_samples: int,
        sample_rate: int,
        speech_spans: Sequence[tuple[int, int]],
        gain_db: float = 0.0,
        duck_db: float = 12.0,
        attack_s: float = 0.4,
        release_s: float = 1.5,
        merge_gap_s: float = 3.0,
        fade_in_s: float = 4.0,
        fade_out_s: float = 6.0,
        last_speech_end: Optional[int] = None,
        swell_spans: Sequence[tuple[int, int]] = (),
        swell_db: float = 3.0,
        swell_ramp_s: float = 4.0,
    ):
        self.loop = np.asarray(loop, dtype=np.float32)
        self.n_samples = int(n_samples)
        self.sample_rate = int(sample_rate)
        self.gain = 10 ** (gain_db / 20)
        self.duck_db = float(duck_db)
        self.attack = int(attack_s * sample_rate)
        self.release = int(release_s * sample_rate)
        self.spans = merge_spans(speech_spans, int(merge_gap_s * sample_rate))
        self.fade_in = max(1, int(fade_in_s * sample_rate))
        fade_start, self.fade_out_stop = fade_out_window(self.n_samples, self.sample_rate, fade_out_s, last_speech_end)
        self.fade_out = max(1, self.fade_out_stop - fade_start)
        self.swell_db = float(swell_db)
        self.swell_ramp = max(1, int(swell_ramp_s * sample_rate))
        # Swell only in silence: drop any part of a swell span that overlaps (merged) speech.
        clipped = [(max(int(a), 0), min(int(b), self.n_samples)) for a, b in swell_spans]
        self.swell_spans = subtract_spans([(a, b) for a, b in clipped if b > a], self.spans)

    def level_db(self, start: int, stop: int) -> np.ndarray:
        """Swell minus duck (dB) for ``[start, stop)``, ``np.ndarray [shape=(stop - start,)]`` float64; level and fades excluded."""
        db = -self.duck_db * duck_amount(start, stop, self.spans, self.attack, self.release)
        if self.swell_spans and self.swell_db:
            db += self.swell_db * swell_amount(start, stop, self.swell_spans, self.swell_ramp)
        return db

    def fade_curve(self, start: int, stop: int) -> np.ndarray:
        """Fade-in times closing fade, 0..1, ``np.ndarray [shape=(stop - start,)]`` float64."""
        n = np.arange(start, stop, dtype=np.int64)
        return raised_cosine(np.minimum(n / self.fade_in, (self.fade_out_stop - n) / self.fade_out))

    def gain_curve(self, start: int, stop: int) -> np.ndarray:
        """Linear gain, ``np.ndarray [shape=(stop - start,)]`` float32: level, duck, swell and fades together."""
        db = self.level_db(start, stop)
        linear = np.ones_like(db)  # 10 ** 0 is exactly 1: only where the level moves is a power taken
        moved = db != 0.0
        linear[moved] = 10 ** (db[moved] / 20)
        return (self.gain * linear * self.fade_curve(start, stop)).astype(np.float32)

    def read(self, start: int, stop: int) -> np.ndarray:
        """Stereo bed for ``[start, stop)``: ``np.ndarray [shape=(stop - start, 2)]`` float32."""
        m = self.loop.shape[0]
        looped = np.empty((stop - start, self.loop.shape[1]), dtype=np.float32)
        at = start
        while at < stop:  # the loop's samples in whole runs: track sample i plays loop[i % m]
            offset = at % m
            take = min(stop - at, m - offset)
            looped[at - start : at - start + take] = self.loop[offset : offset + take]
            at += take
        return looped * self.gain_curve(start, stop)[:, None]
