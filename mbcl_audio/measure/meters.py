"""All the meters a QA report needs, from one streaming read plus the true-peak read.

:func:`measure` returns a :class:`Measurement`:

* **Integrated loudness** (LUFS): ITU-R BS.1770-4 with EBU R 128 gating, the
  same numbers as :func:`mbcl_audio.measure.integrated_loudness` (it calls the
  same :func:`~mbcl_audio.measure.loudness.subblock_energies` and
  :func:`~mbcl_audio.measure.loudness.gated_loudness`).
* **Momentary / short-term maxima** (LUFS): the loudest 400 ms and 3 s
  windows, stepped by 100 ms, built from the same 100 ms K-weighted
  sub-block energies (4 and 30 sub-blocks per window). Only windows that lie
  wholly on the gating grid count (no zero-padded start-up windows), so a track
  shorter than 3 s has no short-term value (``-inf``).
* **Loudness range** (LU), EBU Tech 3342: the short-term values (3 s, hop
  100 ms) above the -70 LUFS absolute gate; a relative gate 20 LU below the
  power mean of those; LRA = 95th minus 10th percentile of what is left
  (numpy's linear-interpolated percentiles). 0.0 when nothing passes.
* **True peak** (dBTP): :func:`~mbcl_audio.measure.truepeak.true_peak_source`
  (4x oversampling). It needs samples of context around every block, so it is
  a second read of the source; everything else comes from the loudness pass.
* **Sample peak** (dBFS), **RMS** (dB, unweighted, all channels, whole track:
  a full-scale sine reads -3.01 dB, as in Audacity/ACX) and **noise floor**
  (dB, the same RMS) over the given pause spans, or without spans over the
  quietest 10 % (at least one) of the 400 ms blocks that lie inside the track
  (hop 100 ms).

:func:`measure_with_series` also returns the short-term values themselves
(:class:`LoudnessSeries`, for plots), from the same passes; :func:`short_term_series`
gives them alone.

pyloudnorm (0.2.x) covers only integrated loudness, and the tests use it as
the reference for that; the K-weighting and gating here come from ``loudness.py``.

Every result is independent of the read block size, bit for bit: per-sample
quantities are first reduced per 100 ms sub-block and the per-sub-block tables
are summed once at the end, so the summation order never depends on where a
block starts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from mbcl_audio.audio import BLOCK_SAMPLES, Source, span_mask
from mbcl_audio.measure.loudness import (
    ABSOLUTE_GATE_LUFS,
    GATE_STEP_S,
    channel_weights,
    gated_loudness,
    power_to_lufs,
    speech_gated_loudness,
    subblock_energies,
    window_mean_squares,
)
from mbcl_audio.measure.truepeak import true_peak_source

#: Window lengths in 100 ms sub-blocks: momentary 400 ms, short-term 3 s.
MOMENTARY_SUBBLOCKS = 4
SHORT_TERM_SUBBLOCKS = 30
#: EBU Tech 3342 relative gate (LU below the absolute-gated short-term mean) and percentiles.
LRA_RELATIVE_GATE_LU = -20.0
LRA_PERCENTILES = (10.0, 95.0)
#: Share of 400 ms blocks taken as the noise floor when no pause spans are given.
NOISE_FLOOR_QUANTILE = 0.10


@dataclass(frozen=True)
class Measurement:
    """Meter readings of one track. Levels are ``-inf`` where there is no signal."""

    integrated_lufs: float
    loudness_range_lu: float
    momentary_max_lufs: float
    short_term_max_lufs: float
    true_peak_dbtp: float
    sample_peak_dbfs: float
    rms_db: float
    noise_floor_db: float
    duration_s: float
    #: Loudness of the speech alone (LUFS, :func:`~mbcl_audio.measure.loudness.speech_gated_loudness`);
    #: ``None`` when nobody said where the speech is.
    voice_lufs: float | None = None


def power_db(mean_square: float) -> float:
    """A mean square as dB (``-inf`` for 0)."""
    return 10.0 * math.log10(mean_square) if mean_square > 0 else -math.inf


def loudness_range(short_term_lufs: np.ndarray) -> float:
    """EBU Tech 3342 loudness range (LU) from short-term loudness values (LUFS)."""
    st = np.asarray(short_term_lufs, dtype=np.float64)
    st = st[st > ABSOLUTE_GATE_LUFS]
    if st.size == 0:
        return 0.0
    mean_power = float(np.mean(10.0 ** (st / 10.0)))  # the offset cancels in the gate
    gate = 10.0 * math.log10(mean_power) + LRA_RELATIVE_GATE_LU
    st = st[st > gate]
    if st.size < 2:
        return 0.0
    lo, hi = np.percentile(st, LRA_PERCENTILES)
    return float(hi - lo)


@dataclass(frozen=True, eq=False)
class LoudnessSeries:
    """Short-term loudness (LUFS) over time: 3 s windows stepped by ``hop_s``.

    Value ``i`` covers ``[i * hop_s, i * hop_s + window_s)`` seconds; as on a
    loudness meter it is usually drawn at the window's end (:meth:`end_times_s`).
    Only windows wholly on the gating grid are listed (none for a track
    shorter than 3 s). ``-inf`` where a window is digital silence.
    """

    hop_s: float
    window_s: float
    short_term_lufs: np.ndarray

    def end_times_s(self) -> np.ndarray:
        """The end of each window (s): where a meter shows its value."""
        return np.arange(self.short_term_lufs.size) * self.hop_s + self.window_s


def short_term_lufs(energy: np.ndarray, hop: int) -> np.ndarray:
    """Short-term loudness (LUFS) of every 3 s window (hop 100 ms) from sub-block energies."""
    return power_to_lufs(window_mean_squares(energy, hop, SHORT_TERM_SUBBLOCKS) @ channel_weights(energy.shape[1]))


def short_term_series(source: Source, block_samples: int = BLOCK_SAMPLES) -> LoudnessSeries:
    """Short-term loudness of ``source`` over time (one streaming pass).

    The same values :func:`measure` takes its short-term maximum and loudness
    range from.
    """
    energy, hop = subblock_energies(source, block_samples)
    return _series(short_term_lufs(energy, hop), hop, int(source.sample_rate))


def _series(short_term: np.ndarray, hop: int, sample_rate: int) -> LoudnessSeries:
    hop_s = hop / sample_rate if sample_rate else GATE_STEP_S
    return LoudnessSeries(hop_s=hop_s, window_s=SHORT_TERM_SUBBLOCKS * hop_s, short_term_lufs=short_term)


def measure(
    source: Source,
    pause_spans: Iterable[tuple[float, float]] | None = None,
    block_samples: int = BLOCK_SAMPLES,
    speech_spans: Iterable[tuple[int, int]] | None = None,
) -> Measurement:
    """Measure ``source`` (streamed in blocks of about ``block_samples``).

    ``pause_spans``: ``(start_s, end_s)`` pairs in seconds, clipped to the
    track; the noise floor is the RMS over exactly those samples. ``None`` or
    spans that cover no sample fall back to the quietest 10 % of 400 ms blocks.
    ``speech_spans``: ``(start_sample, stop_sample)`` pairs where the voice
    speaks; with them the voice level (``voice_lufs``) is measured too.
    """
    return measure_with_series(source, pause_spans, block_samples, speech_spans=speech_spans)[0]


def measure_with_series(
    source: Source,
    pause_spans: Iterable[tuple[float, float]] | None = None,
    block_samples: int = BLOCK_SAMPLES,
    on_chunk: Callable[[int, np.ndarray], None] | None = None,
    speech_spans: Iterable[tuple[int, int]] | None = None,
) -> tuple[Measurement, LoudnessSeries]:
    """:func:`measure`, plus the short-term loudness series, from the same passes.

    ``on_chunk(start, x)``, if given, sees every raw chunk of the loudness
    pass (as :func:`~mbcl_audio.measure.loudness.subblock_energies` hands them
    out: ``np.ndarray [shape=(stop - start, n_channels)]`` float64, whole 100 ms sub-blocks, zeros past the end), so a caller
    can take its own per-sample statistics without decoding the file again.
    """
    sr = int(source.sample_rate)
    n = int(source.n_samples)
    n_ch = int(source.n_channels)
    spans = []
    for a, b in pause_spans or ():
        lo, hi = max(int(round(a * sr)), 0), min(int(round(b * sr)), n)
        if hi > lo:
            spans.append((lo, hi))

    hop = int(round(GATE_STEP_S * sr))  # the sub-block length subblock_energies uses
    raw_chunks: list[tuple[int, np.ndarray]] = []  # per-sub-block sums of squares (all channels)
    pause_chunks: list[tuple[int, np.ndarray]] = []
    peak = 0.0

    def observe(start: int, x: np.ndarray) -> None:
        nonlocal peak
        if x.size:
            peak = max(peak, float(np.abs(x).max()))
        sq = np.square(x)
        raw_chunks.append((start // hop, sq.reshape(-1, hop, n_ch).sum(axis=(1, 2))))
        if spans:
            sq *= span_mask(spans, start, x.shape[0])[:, None]
            pause_chunks.append((start // hop, sq.reshape(-1, hop, n_ch).sum(axis=(1, 2))))
        if on_chunk is not None:
            on_chunk(start, x)

    energy, hop_used = subblock_energies(source, block_samples, on_chunk=observe)
    assert hop_used == hop

    def table(chunks: list[tuple[int, np.ndarray]]) -> np.ndarray:
        size = max((i + len(v) for i, v in chunks), default=0)
        out = np.zeros(size, dtype=np.float64)
        for i, v in chunks:
            out[i : i + len(v)] = v
        return out

    raw = table(raw_chunks)
    weights = channel_weights(n_ch)
    integrated = gated_loudness(energy, hop)
    momentary = power_to_lufs(window_mean_squares(energy, hop, MOMENTARY_SUBBLOCKS) @ weights)
    short_term = short_term_lufs(energy, hop)

    total_count = n * n_ch
    rms_db = power_db(float(raw.sum()) / total_count) if total_count else -math.inf

    if spans:
        count = sum(b - a for a, b in spans) * n_ch
        noise_db = power_db(float(table(pause_chunks).sum()) / count)
    elif total_count:
        # 400 ms blocks wholly inside the track (one shorter block for a short track).
        whole = n // hop
        width = min(MOMENTARY_SUBBLOCKS, max(whole, 1))
        sums = raw[: max(whole, 1)]
        blocks = np.lib.stride_tricks.sliding_window_view(sums, width).sum(axis=-1)
        block_ms = blocks / (min(width * hop, n) * n_ch)
        k = max(1, int(math.ceil(NOISE_FLOOR_QUANTILE * block_ms.size)))
        noise_db = power_db(float(np.sort(block_ms)[:k].mean()))
    else:
        noise_db = -math.inf

    measurement = Measurement(
        integrated_lufs=float(integrated),
        loudness_range_lu=loudness_range(short_term),
        momentary_max_lufs=float(momentary.max()) if momentary.size else -math.inf,
        short_term_max_lufs=float(short_term.max()) if short_term.size else -math.inf,
        true_peak_dbtp=true_peak_source(source, block_samples, floor=peak) if n else -math.inf,
        sample_peak_dbfs=20.0 * math.log10(peak) if peak > 0 else -math.inf,
        rms_db=rms_db,
        noise_floor_db=noise_db,
        duration_s=n / sr if sr else 0.0,
        voice_lufs=None if speech_spans is None else float(speech_gated_loudness(energy, hop, speech_spans)),
    )
    return measurement, _series(short_term, hop, sr)
