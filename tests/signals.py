"""Synthetic test signals and SR, the sample rate the tests work at (a plain module: ``from signals import ...``)."""

from __future__ import annotations

import numpy as np

SR = 44_100


def sparse_speech(seconds: float = 30.0, sr: int = SR, seed: int = 0) -> np.ndarray:
    """Speech-like sparse track, float32 ``(n, 2)``.

    Short harmonic bursts (syllable envelopes, random f0) with sharp clicks
    (strong transients, ~-1 dBFS), a quiet pad under everything and long
    pauses of 3-10 s: a high peak-to-loudness ratio like guided meditation.
    """
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    t = np.arange(n) / sr
    pad = 0.003 * np.sin(2 * np.pi * 110 * t) * (1 + 0.5 * np.sin(2 * np.pi * 0.1 * t))
    x = np.repeat(pad[:, None], 2, axis=1)
    pos = int(0.5 * sr)
    while pos < n - sr:
        dur = int(rng.uniform(1.0, 3.0) * sr)
        st = np.arange(dur) / sr
        f0 = rng.uniform(90, 200)
        voiced = sum(np.sin(2 * np.pi * f0 * h * st + rng.uniform(0, 2 * np.pi)) / h for h in range(1, 25))
        burst = 0.2 * voiced * np.abs(np.sin(np.pi * st * rng.uniform(3, 5))) ** 2
        for c in rng.choice(dur - 40, 6):
            burst[c : c + 30] += rng.choice([-1.0, 1.0]) * 0.9 * np.exp(-np.arange(30) / 5)
        hi = min(n, pos + dur)
        x[pos:hi, 0] += burst[: hi - pos]
        x[pos:hi, 1] += 0.8 * burst[: hi - pos]
        pos = hi + int(rng.uniform(3, 10) * sr)
    return x.astype(np.float32)


def faded_sine(freq: float, seconds: float, amp: float, phase: float = 0.0, sr: int = SR) -> np.ndarray:
    """Mono float64 sine with 50 ms raised-cosine fades (no edge transients)."""
    n = int(seconds * sr)
    x = amp * np.sin(2 * np.pi * freq * np.arange(n) / sr + phase)
    f = int(0.05 * sr)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(f) / f)
    x[:f] *= ramp
    x[n - f :] *= ramp[::-1]
    return x
