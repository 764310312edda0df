"""Per-sample statistics QA takes from the decoded audio, in the meters' own read.

:class:`ChunkStats` is handed every raw chunk of the loudness pass
(:func:`mbcl_audio.measure.meters.measure_with_series`), so a file is decoded
once for loudness and these together, and once more for the true peak. It keeps
only small tables, whatever the track length (45 minutes at 44.1 kHz: about
270,000 10 ms levels, 27,000 band energies and a fixed-width waveform
envelope):

* the mean square of every 10 ms window (all channels), for the room tone at
  head and tail;
* runs of consecutive clipped frames (any channel at ``|x| >= 0.999``);
* the min / max sample of every waveform column (a fixed number of columns
  over the whole track, so the plot never sees millions of points);
* the energy of the mono low band (100-700 Hz) per 100 ms, where the pacing
  tone lives, so a plot can show the tone following the breath cycles.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import scipy.signal

from ..measure.loudness import flush_tiny_state

#: A frame is clipped when any channel reaches this magnitude (decoded full scale).
CLIP_LEVEL = 0.999
#: A clip is a run of at least this many consecutive clipped frames (one full-scale sample is legal).
CLIP_RUN_FRAMES = 3
#: 10 ms windows per 100 ms sub-block (the meters' read granularity).
WINDOWS_PER_SUBBLOCK = 10
#: Pass band (Hz) of the low-band envelope: the pacing tone's fundamental glides 196-294 Hz.
BAND_HZ = (100.0, 700.0)
#: Waveform envelope columns over the whole track (about one per plotted pixel).
WAVEFORM_COLUMNS = 1000


@dataclass(frozen=True, eq=False)
class ScanResult:
    """What :class:`ChunkStats` found. Times in samples of ``sample_rate`` (Hz)."""

    sample_rate: int
    n_samples: int
    #: Mean square (all channels) of each whole 10 ms window, and each window's start sample.
    window_ms: np.ndarray
    window_starts: np.ndarray
    window_stops: np.ndarray
    clip_runs: int
    #: Start of the first clipped run (samples), or None.
    first_clip_sample: int | None
    #: Per waveform column: lowest and highest sample (over channels); NaN for an empty column.
    wave_min: np.ndarray
    wave_max: np.ndarray
    #: Low-band energy per 100 ms step (sum of squares of the mono mix), and the step (samples).
    band_energy: np.ndarray
    band_hop: int


class _ClipRuns:
    """Counts runs of at least :data:`CLIP_RUN_FRAMES` clipped frames, across chunk borders."""

    def __init__(self) -> None:
        self.count = 0
        self.first_start: int | None = None
        self._open = 0  # length of a run still open at the end of the last chunk
        self._open_start = 0

    def _close(self, start: int, length: int) -> None:
        if length >= CLIP_RUN_FRAMES:
            self.count += 1
            if self.first_start is None:
                self.first_start = start

    def feed(self, start: int, hot: np.ndarray) -> None:
        edges = np.diff(np.concatenate(([0], hot.astype(np.int8), [0])))
        starts = np.flatnonzero(edges == 1)
        stops = np.flatnonzero(edges == -1)
        run_starts = [start + int(s) for s in starts]
        lengths = [int(b - a) for a, b in zip(starts, stops)]
        if self._open:
            if lengths and starts[0] == 0:  # the open run goes on
                run_starts[0] = self._open_start
                lengths[0] += self._open
            else:
                self._close(self._open_start, self._open)
            self._open = 0
        if lengths and stops[-1] == hot.size:  # still open at the chunk's end
            self._open_start, self._open = run_starts.pop(), lengths.pop()
        for s, n in zip(run_starts, lengths):
            self._close(s, n)

    def finish(self) -> None:
        if self._open:
            self._close(self._open_start, self._open)
            self._open = 0


class ChunkStats:
    """Collects the QA statistics from raw chunks; call as ``stats(start, x)`` then :meth:`result`.

    Chunks must come in order, start on 100 ms sub-block boundaries (``hop``
    samples) and be whole sub-blocks long, as the meters' loudness pass hands
    them out; samples at and past ``n_samples`` are ignored.
    """

    def __init__(self, sample_rate: int, n_samples: int, hop: int):
        self.sample_rate = int(sample_rate)
        self.n_samples = int(n_samples)
        self.hop = int(hop)
        # Window edges inside one sub-block (equal to the sample when hop divides by 10).
        self._edges = np.round(np.linspace(0, self.hop, WINDOWS_PER_SUBBLOCK + 1)).astype(np.int64)
        self._windows: list[np.ndarray] = []
        self._clips = _ClipRuns()
        self._wave_min = np.full(WAVEFORM_COLUMNS, np.inf)
        self._wave_max = np.full(WAVEFORM_COLUMNS, -np.inf)
        nyquist = 0.5 * self.sample_rate
        lo, hi = BAND_HZ[0], min(BAND_HZ[1], 0.9 * nyquist)
        self._sos = scipy.signal.butter(2, [lo, hi], btype="bandpass", fs=self.sample_rate, output="sos")
        self._zi: np.ndarray | None = None
        self._band: list[np.ndarray] = []

    def __call__(self, start: int, x: np.ndarray) -> None:
        length, n_ch = x.shape
        if length == 0:
            return
        # Per-frame reductions over channels column by column: numpy's reductions
        # along a short last axis are several times slower for long blocks.
        columns = [x[:, c] for c in range(n_ch)]
        # 10 ms window mean squares (all channels), whole sub-blocks at a time.
        sq = sum(np.square(c) for c in columns).reshape(-1, self.hop)
        widths = np.diff(self._edges) * n_ch
        self._windows.append((np.add.reduceat(sq, self._edges[:-1], axis=1) / widths).ravel())

        # Band energy per sub-block; the filter state runs on across chunks.
        mono = sum(columns[1:], columns[0]) / n_ch if n_ch > 1 else columns[0]
        if self._zi is None:
            self._zi = np.zeros((self._sos.shape[0], 2))
        band, self._zi = scipy.signal.sosfilt(self._sos, mono, zi=self._zi)
        flush_tiny_state(self._zi)  # long silences would otherwise run on subnormals
        self._band.append(np.square(band).reshape(-1, self.hop).sum(axis=1))

        inside = max(0, min(length, self.n_samples - start))
        if inside == 0:
            return
        lo = functools.reduce(np.minimum, (c[:inside] for c in columns))
        hi = functools.reduce(np.maximum, (c[:inside] for c in columns))
        self._clips.feed(start, (hi >= CLIP_LEVEL) | (lo <= -CLIP_LEVEL))
        self._envelope(start, lo, hi)

    def _envelope(self, start: int, lo: np.ndarray, hi: np.ndarray) -> None:
        positions = np.arange(start, start + lo.size, dtype=np.int64)
        column = positions * WAVEFORM_COLUMNS // self.n_samples
        cuts = np.concatenate(([0], np.flatnonzero(np.diff(column)) + 1))
        cols = column[cuts]
        np.minimum.at(self._wave_min, cols, np.minimum.reduceat(lo, cuts))
        np.maximum.at(self._wave_max, cols, np.maximum.reduceat(hi, cuts))

    def result(self) -> ScanResult:
        self._clips.finish()
        per_sub = WINDOWS_PER_SUBBLOCK
        window_ms = np.concatenate(self._windows) if self._windows else np.zeros(0)
        index = np.arange(window_ms.size)
        starts = (index // per_sub) * self.hop + self._edges[index % per_sub]
        stops = (index // per_sub) * self.hop + self._edges[index % per_sub + 1]
        whole = stops <= self.n_samples  # windows reaching past the end are partly zeros
        n_band = -(-self.n_samples // self.hop) if self.hop else 0
        band = np.concatenate(self._band)[:n_band] if self._band else np.zeros(0)
        empty = ~np.isfinite(self._wave_min)
        wave_min, wave_max = self._wave_min.copy(), self._wave_max.copy()
        wave_min[empty] = np.nan
        wave_max[empty] = np.nan
        return ScanResult(
            sample_rate=self.sample_rate,
            n_samples=self.n_samples,
            window_ms=window_ms[whole],
            window_starts=starts[whole],
            window_stops=stops[whole],
            clip_runs=self._clips.count,
            first_clip_sample=self._clips.first_start,
            wave_min=wave_min,
            wave_max=wave_max,
            band_energy=band,
            band_hop=self.hop,
        )
