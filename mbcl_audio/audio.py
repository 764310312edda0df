"""Block-readable audio sources: how audio flows between render, master and export.

A 45-minute stereo track at 44.1 kHz is close to a gigabyte as float32, so
stages never hold a whole track: they pass a :class:`Source` and read it in
blocks. Every read returns ``np.ndarray [shape=(stop - start, n_channels)]`` float32;
samples outside ``[0, n_samples)`` read as zeros, so filters can take context
margins at the track's edges without special cases.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Protocol, runtime_checkable

import numpy as np

#: Default block length for streaming passes (samples; 10 s at 44.1 kHz).
BLOCK_SAMPLES = 441_000


@runtime_checkable
class Source(Protocol):
    """Random-access, block-readable audio."""

    sample_rate: int
    n_samples: int
    n_channels: int

    def read(self, start: int, stop: int) -> np.ndarray:
        """Samples ``[start, stop)``: ``np.ndarray [shape=(stop - start, n_channels)]`` float32."""
        ...


class ArraySource:
    """A :class:`Source` over an in-memory ``np.ndarray [shape=(n,) or (n, channels)]``."""

    def __init__(self, samples: np.ndarray, sample_rate: int):
        samples = np.asarray(samples, dtype=np.float32)
        if samples.ndim == 1:
            samples = samples[:, None]
        self.samples = samples
        self.sample_rate = int(sample_rate)
        self.n_samples = samples.shape[0]
        self.n_channels = samples.shape[1]

    def read(self, start: int, stop: int) -> np.ndarray:
        return read_padded(self.samples, start, stop)


def read_padded(samples: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Slice ``samples[start:stop]`` along axis 0, zero-padding outside the array."""
    n = samples.shape[0]
    out = np.zeros((stop - start,) + samples.shape[1:], dtype=np.float32)
    lo, hi = max(start, 0), min(stop, n)
    if hi > lo:
        out[lo - start : hi - start] = samples[lo:hi]
    return out


#: Audio files the project reads (user beds, takes, QA), in the order a bare name is tried.
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg", ".mp3")


def raised_cosine(position: np.ndarray) -> np.ndarray:
    """The fade curve used everywhere: 0 at ``position`` 0, 1 at 1 (``sin^2``), flat at both ends.

    ``position`` is clipped to ``[0, 1]``; the curve's zero slope at both ends is
    what keeps fades, ducks and gates free of clicks.
    """
    return np.sin(0.5 * np.pi * np.clip(position, 0.0, 1.0)) ** 2


def iter_blocks(n_samples: int, block_samples: int = BLOCK_SAMPLES) -> Iterator[tuple[int, int]]:
    """Yield ``(start, stop)`` pairs that tile ``[0, n_samples)``."""
    for start in range(0, n_samples, block_samples):
        yield start, min(start + block_samples, n_samples)


class SourceSlice:
    """Samples ``[start, stop)`` of ``source`` as a source of their own (a Source)."""

    def __init__(self, source: Source, start: int, stop: int):
        self.source = source
        self.start, self.stop = int(start), int(stop)
        self.sample_rate = source.sample_rate
        self.n_channels = source.n_channels
        self.n_samples = self.stop - self.start

    def read(self, start: int, stop: int) -> np.ndarray:
        out = np.zeros((stop - start, self.n_channels), dtype=np.float32)
        lo, hi = max(start, 0), min(stop, self.n_samples)
        if hi > lo:
            out[lo - start : hi - start] = self.source.read(lo + self.start, hi + self.start)
        return out


def span_mask(spans: Iterable[tuple[int, int]], start: int, length: int) -> np.ndarray:
    """Which of samples ``[start, start + length)`` lie in any ``(start, stop)`` span: ``np.ndarray [shape=(length,)]`` bool."""
    mask = np.zeros(length, dtype=bool)
    for a, b in spans:
        lo, hi = max(a - start, 0), min(b - start, length)
        if hi > lo:
            mask[lo:hi] = True
    return mask


def fade_out_gain(start: int, stop: int, fade_start: int, fade_stop: int) -> np.ndarray:
    """Gain for samples ``[start, stop)``, ``np.ndarray [shape=(stop - start,)]`` float32: 1 before
    ``fade_start``, a raised cosine down to 0 at ``fade_stop``, 0 after it."""
    n = np.arange(start, stop, dtype=np.int64)
    return raised_cosine((fade_stop - n) / max(1, fade_stop - fade_start)).astype(np.float32)


class FadedOut:
    """``source`` faded to digital silence over its last ``fade_samples`` (a raised cosine; a Source).

    So that a track never stops on sound: whatever still rings at the end (a bed, a bell)
    reaches zero with the file.
    """

    def __init__(self, source: Source, fade_samples: int):
        self.source = source
        self.sample_rate = source.sample_rate
        self.n_channels = source.n_channels
        self.n_samples = source.n_samples
        self.fade_samples = max(1, min(int(fade_samples), self.n_samples))

    def read(self, start: int, stop: int) -> np.ndarray:
        out = self.source.read(start, stop)
        last = self.n_samples - 1  # the last sample is exactly 0
        lo = max(start, last - self.fade_samples)
        if stop > lo:
            out[lo - start :] *= fade_out_gain(lo, stop, last - self.fade_samples, last)[:, None]
        return out


def read_all(source: Source) -> np.ndarray:
    """Read a whole source into memory (tests and short tracks only)."""
    return source.read(0, source.n_samples)


@contextmanager
def quiet_stderr() -> Iterator[None]:
    """Send what C libraries write to file descriptor 2 to /dev/null for a while (Python's own errors still raise)."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


class FileSource:
    """A :class:`Source` over an audio file, decoded block by block (any format soundfile reads).

    Reads are cheapest in order; a read elsewhere seeks first.
    """

    def __init__(self, path):
        import soundfile as sf

        self.path = path
        self._file = sf.SoundFile(str(path))
        self.sample_rate = self._file.samplerate
        self.n_samples = self._file.frames
        self.n_channels = self._file.channels
        self._position = 0

    def read(self, start: int, stop: int) -> np.ndarray:
        out = np.zeros((stop - start, self.n_channels), dtype=np.float32)
        lo, hi = max(start, 0), min(stop, self.n_samples)
        if hi > lo:
            if lo != self._position:
                self._file.seek(lo)
            data = self._file.read(hi - lo, dtype="float32", always_2d=True)
            if len(data) < hi - lo:
                raise EOFError(
                    f"the audio ends after {lo + len(data)} of the {self.n_samples} samples its header announces"
                )
            out[lo - start : hi - start] = data
            self._position = hi
        return out

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "FileSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
