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
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Optional, Protocol, runtime_checkable

import numpy as np

#: Default block length for streaming passes (samples; 2 s at 44.1 kHz). A pass's temporaries
#: (a 4x-oversampled block is 2.8 MB) then stay in the CPU's caches and malloc's heap: a 10-minute
#: build took 12 % less CPU than with 10 s blocks, and 2-4 s measured the same (benchmarks/).
BLOCK_SAMPLES = 88_200


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


class Concatenated:
    """Mono clips end to end as one :class:`Source`, without copying them into one array."""

    n_channels = 1

    def __init__(self, clips: Iterable[np.ndarray], sample_rate: int):
        self.clips = [np.asarray(c, dtype=np.float32).reshape(-1) for c in clips]
        self.sample_rate = int(sample_rate)
        self.starts = np.cumsum([0] + [len(c) for c in self.clips])
        self.n_samples = int(self.starts[-1])

    def read(self, start: int, stop: int) -> np.ndarray:
        out = np.zeros((stop - start, 1), dtype=np.float32)
        first = max(0, int(np.searchsorted(self.starts, start, side="right")) - 1)
        for k in range(first, len(self.clips)):
            at = int(self.starts[k])
            if at >= stop:
                break
            lo, hi = max(start, at), min(stop, at + len(self.clips[k]))
            if hi > lo:
                out[lo - start : hi - start, 0] = self.clips[k][lo - at : hi - at]
        return out


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
    # 0 and 1 are their own values (+ 0.0 makes a -0.0 the sine's +0.0): only the ramps need
    # the sine, and a track's gain curves are flat almost everywhere.
    curve = np.clip(position, 0.0, 1.0) + 0.0
    if np.ndim(curve) == 0:
        return np.sin(0.5 * np.pi * curve) ** 2
    ramp = (curve > 0.0) & (curve < 1.0)
    curve[ramp] = np.sin(0.5 * np.pi * curve[ramp]) ** 2
    return curve


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


#: The share of the cores this process has, when something shares them out (the set builder's
#: ``-j``): a function, asked at the start of each pass, as jobs start and finish.
_thread_budget: Optional[Callable[[], int]] = None


def set_thread_budget(budget: Optional[Callable[[], int]]) -> None:
    """Let ``budget()`` say how many threads a pass may use from now on (``None``: the default)."""
    global _thread_budget
    _thread_budget = budget


def worker_threads() -> int:
    """Threads a streaming pass may spread its blocks over (and whether a build has a core to spare
    for encoding beside mastering): ``$MBCL_AUDIO_THREADS``, else the share
    :func:`set_thread_budget` gives, else the cores, at most 2 (numpy and scipy release the GIL in
    the heavy loops; more threads than that bought nothing on the two-core machines the set is
    built on)."""
    given = os.environ.get("MBCL_AUDIO_THREADS", "")
    if given.isdigit() and int(given) > 0:
        return int(given)
    if _thread_budget is not None:
        return max(1, int(_thread_budget()))
    return max(1, min(2, os.cpu_count() or 1))


def block_spans(start: int, stop: int, block_samples: int) -> list[tuple[int, int]]:
    """``[start, stop)`` cut into ``(a, b)`` spans of ``block_samples`` (the last may be shorter)."""
    return [(a, min(stop, a + block_samples)) for a in range(start, stop, block_samples)]


def map_spans(function, spans: list[tuple[int, int]], threads: int) -> Iterator:
    """``function(a, b)`` for each ``(a, b)`` of ``spans``, results in order. With ``threads > 1``
    the calls run on a thread pool, at most ``threads`` in flight, so memory stays bounded;
    ``function`` must then be safe to call from several threads at once."""
    if threads <= 1:
        for a, b in spans:
            yield function(a, b)
        return
    from concurrent.futures import ThreadPoolExecutor  # only a parallel pass needs a pool

    with ThreadPoolExecutor(max_workers=threads) as pool:
        pending = []
        for a, b in spans:
            pending.append(pool.submit(function, a, b))
            if len(pending) >= threads:
                yield pending.pop(0).result()
        for future in pending:
            yield future.result()


class SpoolClosed(RuntimeError):
    """A spool was closed while something still waited to read it (a pass given up)."""


class Spool:
    """A :class:`Source` that renders ``source`` once, in order, into an anonymous temporary file and
    serves every read from there.

    Mastering reads a track several times (its loudness, each limiter pass, the true peak, the
    encoder): spooled, the mix is rendered and the limiter run once each instead of once per read.
    The file has no name (the OS removes it when it is closed, or when the process ends however it
    ends), and reads come back block by block, so memory stays bounded by a block, not the track.
    A source whose blocks do not depend on each other (``parallel_reads``, as a limiter's) renders
    on :func:`worker_threads` threads. Reads are positional, so threads may read a spool at once.
    Attributes the spool does not have are the source's (a limiter's ``max_reduction_db``).

    With ``background`` and more than one :func:`worker_threads`, rendering starts at once on a
    thread of its own and runs to the end while readers take what is ready (a read waits for its
    samples): the reader's work (a loudness filter, an encoder) overlaps the rendering. With one
    thread (``build-set -j 1``: one core) each read renders what it needs first. The render is
    ahead of the readers by at most the file, never by memory. :meth:`close` stops it; a read still waiting then raises
    :class:`SpoolClosed`, and an error of the source reaches every read that waits for its samples.
    """

    parallel_reads = True

    def __init__(self, source: Source, block_samples: int = BLOCK_SAMPLES, background: bool = False):
        self.source = source
        self.sample_rate = source.sample_rate
        self.n_samples = int(source.n_samples)
        self.n_channels = int(source.n_channels)
        self.block_samples = int(block_samples)
        self._file = tempfile.TemporaryFile(prefix="mbcl-spool-")
        self._rendered = 0  # samples [0, _rendered) are in the file
        self._lock = threading.Lock()
        self._ready = threading.Condition()  # signalled as _rendered grows, on an error and on close
        self._error: BaseException | None = None
        self._closed = False
        self._thread: threading.Thread | None = None
        if background and worker_threads() > 1:  # a one-core budget renders in the reader's thread
            self._thread = threading.Thread(target=self._render_all, name="mbcl-spool", daemon=True)
            self._thread.start()

    def __getattr__(self, name: str):
        if name == "source":  # not set yet: no recursion while constructing
            raise AttributeError(name)
        return getattr(self.source, name)

    def _render_all(self) -> None:
        try:
            self._render_to(self.n_samples)
        except BaseException as exc:  # handed to the readers, who raise it
            with self._ready:
                self._error = exc
                self._ready.notify_all()

    def _render_to(self, stop: int) -> None:
        with self._lock:
            if self._rendered >= stop:
                return
            threads = worker_threads() if getattr(self.source, "parallel_reads", False) else 1
            # Render ahead by a block per thread: a pass reading block by block keeps every thread busy.
            blocks = max(-(-(stop - self._rendered) // self.block_samples), threads)
            end = min(self.n_samples, self._rendered + blocks * self.block_samples)
            spans = block_spans(self._rendered, end, self.block_samples)
            frame = 4 * self.n_channels
            for (a, b), block in zip(spans, map_spans(self.source.read, spans, threads)):
                if self._closed:
                    raise SpoolClosed("the spool was closed")
                os.pwrite(self._file.fileno(), np.ascontiguousarray(block, dtype=np.float32).tobytes(), a * frame)
                with self._ready:
                    self._rendered = b
                    self._ready.notify_all()

    def _wait_for(self, stop: int) -> None:
        """Until samples ``[0, stop)`` are in the file (the background render puts them there)."""
        with self._ready:
            while self._rendered < stop and self._error is None and not self._closed:
                self._ready.wait()
            if self._rendered < stop:
                raise self._error if self._error is not None else SpoolClosed("the spool was closed")

    def read(self, start: int, stop: int) -> np.ndarray:
        out = np.zeros((stop - start, self.n_channels), dtype=np.float32)
        lo, hi = max(start, 0), min(stop, self.n_samples)
        if hi > lo:
            if hi > self._rendered:
                self._wait_for(hi) if self._thread is not None else self._render_to(hi)
            frame = 4 * self.n_channels
            data = os.pread(self._file.fileno(), (hi - lo) * frame, lo * frame)
            out[lo - start : hi - start] = np.frombuffer(data, dtype=np.float32).reshape(hi - lo, self.n_channels)
        return out

    def close(self) -> None:
        """Stop a background render (its blocks in flight finish first) and remove the file."""
        with self._ready:
            self._closed = True
            self._ready.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        self._file.close()
