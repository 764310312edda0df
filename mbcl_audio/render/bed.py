"""Background beds: project-generated loops, ducked under speech.

Every default bed is synthesized here from a fixed recipe and seed, so it is
deterministic and the project owns it outright (see ``music/README.md`` for
its licence). Each loop is periodic by construction: every partial and every
slow modulation completes a whole number of cycles per loop, and the noise is
shaped in the frequency domain (a circular operation), so looping needs no
crossfade and has no seam.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np

from ..audio import raised_cosine
from ..errors import MbclError
from ..master.loudness import array_loudness

#: Loudness every generated loop is normalized to (LUFS); the mixer sets the final level.
LOOP_LUFS = -30.0
LOOP_S = 64.0

BED_NAMES = ("warm-pad",)


class BedError(MbclError, ValueError):
    pass


def bed_loop(name: str, sample_rate: int) -> np.ndarray:
    """The named bed's loop, float32 stereo ``(n, 2)`` at ``LOOP_LUFS``."""
    if name not in BED_NAMES:
        raise BedError(f"unknown bed {name!r}: choose one of {', '.join(BED_NAMES)} or 'none'")
    return _warm_pad(int(sample_rate)).copy()


@lru_cache(maxsize=2)
def _warm_pad(sample_rate: int) -> np.ndarray:
    """A slow, warm drone on D: open fifths with a soft major third and a breath of air."""
    n = int(LOOP_S * sample_rate)
    index = np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(20261127)
    partials = [  # (frequency Hz, amplitude)
        (73.42, 0.55),
        (110.0, 0.45),
        (146.83, 0.40),
        (220.0, 0.22),
        (293.66, 0.12),
        (369.99, 0.06),
    ]

    def turns(cycles: int) -> np.ndarray:
        """Loop position times ``cycles``, wrapped to [0, 1): exact integer arithmetic, so the
        waveform is periodic over the loop to the last sample."""
        return ((cycles * index) % n / n).astype(np.float32)

    out = np.zeros((n, 2), dtype=np.float32)
    two_pi = np.float32(2 * np.pi)
    for ch in range(2):
        for f, amp in partials:
            cycles = round(f * LOOP_S) + ch  # one extra turn per loop on the right: a slow, wide beat
            swell_cycles = int(rng.integers(1, 4))
            swell_phase = np.float32(rng.uniform(0, 2 * np.pi))
            swell = 0.65 + 0.35 * np.sin(two_pi * turns(swell_cycles) + swell_phase)
            phase = np.float32(rng.uniform(0, 2 * np.pi))
            out[:, ch] += np.float32(amp) * swell * np.sin(two_pi * turns(cycles) + phase)
    # Air: pink-ish noise low-passed at ~900 Hz, shaped circularly so it loops seamlessly.
    freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
    shape = np.where(freqs > 20, 1.0 / np.sqrt(np.maximum(freqs, 1.0)), 0.0) / (1 + (freqs / 900.0) ** 4)
    for ch in range(2):
        air = np.fft.irfft(np.fft.rfft(rng.standard_normal(n)) * shape, n)
        out[:, ch] += (0.08 * air / np.sqrt(np.mean(air**2))).astype(np.float32)
    gain_db = LOOP_LUFS - array_loudness(out, sample_rate)
    out *= np.float32(10 ** (gain_db / 20))
    return out


def merge_spans(spans: Sequence[tuple[int, int]], min_gap: int) -> list[tuple[int, int]]:
    """Join spans separated by less than ``min_gap`` samples (so the bed does not pump between sentences)."""
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a - merged[-1][1] < min_gap:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return [(a, b) for a, b in merged]


def duck_amount(
    start: int, stop: int, spans: Sequence[tuple[int, int]], attack: int, release: int
) -> np.ndarray:
    """How far the bed is ducked at each sample of ``[start, stop)``: 0 (open) to 1 (fully ducked).

    Speech times are known in advance, so the duck begins ``attack`` samples
    *before* each span (the voice never enters over a full bed) and recovers
    over ``release`` samples after it, along raised-cosine curves.
    """
    n = np.arange(start, stop, dtype=np.int64)
    amount = np.zeros(stop - start)
    for a, b in spans:
        if b + release <= start or a - attack >= stop:
            continue
        before = np.clip((n - (a - attack)) / max(attack, 1), 0.0, 1.0)
        after = np.clip(((b + release) - n) / max(release, 1), 0.0, 1.0)
        shape = raised_cosine(np.minimum(before, after))
        np.maximum(amount, shape, out=amount)
    return amount


class BedLayer:
    """A looped bed for a track of ``n_samples``: level, ducking and start/end fades."""

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
        self.fade_out = max(1, int(fade_out_s * sample_rate))

    def gain_curve(self, start: int, stop: int) -> np.ndarray:
        """Linear gain ``(stop - start,)``: level, duck and fades together."""
        n = np.arange(start, stop, dtype=np.int64)
        duck = 10 ** (-self.duck_db * duck_amount(start, stop, self.spans, self.attack, self.release) / 20)
        fade = raised_cosine(np.minimum(n / self.fade_in, (self.n_samples - n) / self.fade_out))
        return (self.gain * duck * fade).astype(np.float32)

    def read(self, start: int, stop: int) -> np.ndarray:
        """Stereo bed for ``[start, stop)``, float32 ``(stop - start, 2)``."""
        idx = np.arange(start, stop, dtype=np.int64) % self.loop.shape[0]
        return self.loop[idx] * self.gain_curve(start, stop)[:, None]
