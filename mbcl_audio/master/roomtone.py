"""Room tone at the head and tail of a track, for delivery formats that ask for it (ACX).

Audiobook platforms want a little quiet "room" before the first word and
after the last, and reject digital silence there as a sign of gating. The
room tone here is generated: soft pink noise at ``level_db`` RMS from a fixed
seed, so builds stay byte-identical. It is added after mastering, outside the
mastered track, so the limiter and the loudness gain never touch it.
"""

from __future__ import annotations

import numpy as np

from ..audio import Source

#: RMS of the room tone (dB re full scale): well under ACX's -60 dB noise-floor limit, not digital silence.
ROOM_TONE_DB = -70.0


def room_tone(n_samples: int, n_channels: int, sample_rate: int, level_db: float = ROOM_TONE_DB, seed: int = 0) -> np.ndarray:
    """Pink-ish noise, ``np.ndarray [shape=(n_samples, n_channels)]`` float32, at ``level_db`` RMS per channel."""
    if n_samples <= 0:
        return np.zeros((0, n_channels), dtype=np.float32)
    rng = np.random.default_rng(20261127 + seed)
    white = rng.standard_normal((n_samples, n_channels))
    freqs = np.fft.rfftfreq(n_samples, 1.0 / sample_rate)
    # 1/f power above 40 Hz, rolled off above 8 kHz: the hush of a quiet room, no rumble, no hiss.
    shape = np.where(freqs > 40.0, 1.0 / np.sqrt(np.maximum(freqs, 1.0)), 0.0) / (1 + (freqs / 8000.0) ** 2)
    noise = np.fft.irfft(np.fft.rfft(white, axis=0) * shape[:, None], n_samples, axis=0)
    rms = np.sqrt(np.mean(noise**2, axis=0))
    rms[rms == 0] = 1.0
    return (noise / rms * 10 ** (level_db / 20)).astype(np.float32)


def quiet_edges(source: Source, threshold_db: float, window_samples: int, search_samples: int) -> tuple[int, int]:
    """How long ``source`` stays below ``threshold_db`` (10 ms-style window RMS, loudest channel)
    at its start and at its end, looking at most ``search_samples`` in from each edge.

    A bed fading in or out is quiet for a moment before it is heard; room tone
    padding counts that moment, so the room tone a listener (or ACX) measures
    is the one asked for.
    """
    n = source.n_samples
    span = min(search_samples, n) // window_samples * window_samples
    if span == 0:
        return 0, 0
    limit = 10 ** (threshold_db / 10)

    def loud(block: np.ndarray) -> np.ndarray:
        frames = block.astype(np.float64).reshape(-1, window_samples, block.shape[1])
        return (frames**2).mean(axis=1).max(axis=1) > limit

    head = loud(source.read(0, span))
    tail = loud(source.read(n - span, n))
    lead = int(np.argmax(head)) * window_samples if head.any() else span
    trail = (len(tail) - 1 - int(np.flatnonzero(tail)[-1])) * window_samples if tail.any() else span
    return lead, trail


class RoomTonePadded:
    """``source`` with ``head_samples`` of room tone before it and ``tail_samples`` after it (a Source)."""

    def __init__(self, source: Source, head_samples: int, tail_samples: int, level_db: float = ROOM_TONE_DB):
        self.source = source
        self.sample_rate = source.sample_rate
        self.n_channels = source.n_channels
        self.head_samples = int(head_samples)
        self.tail_samples = int(tail_samples)
        self.n_samples = self.head_samples + source.n_samples + self.tail_samples
        self._head = room_tone(self.head_samples, self.n_channels, self.sample_rate, level_db, seed=1)
        self._tail = room_tone(self.tail_samples, self.n_channels, self.sample_rate, level_db, seed=2)

    def read(self, start: int, stop: int) -> np.ndarray:
        out = np.zeros((stop - start, self.n_channels), dtype=np.float32)
        body_start, body_stop = self.head_samples, self.head_samples + self.source.n_samples
        for lo, hi, fill in (
            (0, body_start, lambda a, b: self._head[a:b]),
            (body_start, body_stop, lambda a, b: self.source.read(a - body_start, b - body_start)),
            (body_stop, self.n_samples, lambda a, b: self._tail[a - body_stop : b - body_stop]),
        ):
            a, b = max(start, lo), min(stop, hi)
            if b > a:
                out[a - start : b - start] = fill(a, b)
        return out
