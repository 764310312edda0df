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
    """Pink-ish noise ``(n_samples, n_channels)`` float32 at ``level_db`` RMS per channel."""
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


class RoomTonePadded:
    """``source[body_start:body_stop]`` with ``head_samples`` of room tone before it and
    ``tail_samples`` after it (a Source). The body defaults to the whole source."""

    def __init__(
        self,
        source: Source,
        head_samples: int,
        tail_samples: int,
        level_db: float = ROOM_TONE_DB,
        body: tuple[int, int] | None = None,
    ):
        self.source = source
        self.sample_rate = source.sample_rate
        self.n_channels = source.n_channels
        self.head_samples = int(head_samples)
        self.tail_samples = int(tail_samples)
        self.body_start, self.body_stop = body if body is not None else (0, source.n_samples)
        self.n_samples = self.head_samples + (self.body_stop - self.body_start) + self.tail_samples
        self._head = room_tone(self.head_samples, self.n_channels, self.sample_rate, level_db, seed=1)
        self._tail = room_tone(self.tail_samples, self.n_channels, self.sample_rate, level_db, seed=2)

    def read(self, start: int, stop: int) -> np.ndarray:
        out = np.zeros((stop - start, self.n_channels), dtype=np.float32)
        body_start = self.head_samples
        body_stop = body_start + self.body_stop - self.body_start
        offset = self.body_start - body_start
        for lo, hi, fill in (
            (0, body_start, lambda a, b: self._head[a:b]),
            (body_start, body_stop, lambda a, b: self.source.read(a + offset, b + offset)),
            (body_stop, self.n_samples, lambda a, b: self._tail[a - body_stop : b - body_stop]),
        ):
            a, b = max(start, lo), min(stop, hi)
            if b > a:
                out[a - start : b - start] = fill(a, b)
        return out
