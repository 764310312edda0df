"""Look-ahead true-peak limiter as a block-readable :class:`Source`.

Mastering is offline, so look-ahead costs nothing but a read margin. The gain
curve is built from the 4x-oversampled peak envelope of the gained input
(:func:`~mbcl_audio.measure.truepeak.oversampled_peak_envelope`) in three
vectorised steps, every one of which is a function of a fixed neighbourhood
of samples, so any block of output equals the same samples of a whole-track
run (bit for bit):

1. required gain ``g_req[n] = min(1, c / env[n])`` with ``c`` the ceiling
   lowered by ``SAFETY_MARGIN_DB``;
2. fast stage: look-ahead running minimum over ``K`` samples,
   ``a[n] = min(g_req[n : n + K])``, then a causal Hann-weighted average of
   length ``K``, ``s[n] = sum_i w[i] * a[n - i]`` (``w >= 0``, ``sum w = 1``).
   Attack and fast release each take ``K`` samples (``LOOKAHEAD_MS``).
3. release stage: ``r[n]`` = causal moving average of ``a`` over ``R``
   samples (``RELEASE_MS``); the gain is ``g = min(s, r)``. An isolated
   transient barely moves ``r`` (a dip of ``K / R`` of its depth), so it
   releases fast; sustained limiting pulls ``r`` down and the gain then
   recovers over ``R``, which avoids pumping/distortion in dense passages.

Why the gain at a peak never exceeds what the peak needs: for a peak at
``p`` and every ``i`` in ``[0, K)``, the window of ``a[p - i]`` is
``[p - i, p - i + K)``, which contains ``p``; so ``a[p - i] <= g_req[p]``.
``s[p]`` is a convex combination of those ``K`` values (weights nonnegative,
summing to one), hence ``s[p] <= g_req[p]``, and ``g[p] <= s[p]``.
Since ``env[n]`` covers every oversampled instant in ``(n - 1, n + 1)``,
both samples around any instant carry a gain small enough for it.

What the proof does not cover: the interpolated output is not exactly
``g(t) * x(t)`` because ``g`` varies within the interpolation filter's span,
so the limited output can overshoot by a few hundredths of a dB.
``SAFETY_MARGIN_DB`` absorbs that; tests check the output with the
independent meter (and with ffmpeg's ``ebur128``).

Exactness across block sizes: the minimum is exact; the Hann average is a
direct (non-FFT) correlation whose per-sample sum does not depend on the
block; the long moving average uses *integer* (fixed-point) cumulative sums,
whose differences are exact wherever the block starts. Where no limiting is
needed the gain is exactly 1.0 (``s`` and ``r`` are computed as ``1 - ...``
of a zero deficit), so the output there is bit-identical to gain only:
``float32(float64(x) * 10 ** (gain_db / 20))``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence

import numpy as np
from scipy import ndimage

from mbcl_audio.audio import Source, span_mask
from mbcl_audio.measure.truepeak import ENVELOPE_MARGIN, oversampled_peak_envelope

#: Look-ahead / attack / fast-release length (ms).
LOOKAHEAD_MS = 5.0
#: Slow release stage: moving-average length (ms).
RELEASE_MS = 100.0
#: The limiter aims this far below the ceiling (dB) to absorb the overshoot
#: that gain changes themselves create between samples.
SAFETY_MARGIN_DB = 0.1
#: Fixed-point scale of the release stage's integer running sums.
_FIXED_ONE = float(1 << 40)


def hann_weights(k: int) -> np.ndarray:
    """Strictly positive Hann weights summing to 1: ``np.ndarray [shape=(k,)]`` float64."""
    w = np.sin(np.pi * np.arange(1, k + 1) / (k + 1)) ** 2
    return w / w.sum()


def _valid_min(g: np.ndarray, k: int) -> np.ndarray:
    """``out[j] = min(g[j : j + k])`` for ``j`` in ``[0, len(g) - k]`` (length ``len(g) - k + 1``)."""
    full = ndimage.minimum_filter1d(g, k, mode="nearest")  # window [c - k//2, c - k//2 + k)
    return full[k // 2 : k // 2 + len(g) - k + 1]


def _valid_correlate(d: np.ndarray, w: np.ndarray) -> np.ndarray:
    """``out[j] = sum_i w[i] * d[j + i]`` for ``j`` in ``[0, len(d) - len(w)]``.

    Computed only over stretches where ``d`` is nonzero (sparse speech is
    mostly unlimited): zero stretches contribute exact zeros, so the result
    is bit-identical to a full direct correlation.
    """
    k = len(w)
    n_out = len(d) - k + 1
    out = np.zeros(n_out, dtype=np.float64)
    nz = d != 0
    if not nz.any():
        return out
    # Outputs touched by a nonzero d[m] are j in [m - k + 1, m]. Group the
    # nonzero samples into runs (gaps up to k merge) and widen each run by
    # k - 1 to the left.
    idx = np.flatnonzero(nz)
    breaks = np.flatnonzero(np.diff(idx) > k) + 1
    run_lo = idx[np.r_[0, breaks]]
    run_hi = idx[np.r_[breaks - 1, len(idx) - 1]] + 1
    for lo, hi in zip(run_lo, run_hi):
        j_lo, j_hi = max(lo - k + 1, 0), min(hi, n_out)
        if j_hi <= j_lo:
            continue
        seg = d[j_lo : j_hi + k - 1]
        full = ndimage.correlate1d(seg, w, mode="constant", cval=0.0)
        out[j_lo:j_hi] = full[k // 2 : k // 2 + (j_hi - j_lo)]
    return out


def _reduction_db(gain: float) -> float:
    return 0.0 - 20.0 * math.log10(gain) if gain > 0 else math.inf


class TruePeakLimiter:
    """A :class:`Source` that applies ``gain_db`` and limits the true peak to ``ceiling_dbtp``.

    ``read(start, stop)`` returns ``np.ndarray [shape=(stop - start, n_channels)]`` float32 and
    reads the wrapped source with a margin of ``left_margin`` samples before
    and ``right_margin`` after, so the output does not depend on how a
    caller splits the track into blocks. ``max_reduction_db`` records the
    deepest gain reduction (dB, >= 0) over everything read so far, and
    ``max_speech_reduction_db`` the deepest inside ``speech_spans``. Each block depends only on
    the samples around it (see the module docstring), so blocks may be read on several threads
    at once (``parallel_reads``) when the wrapped source allows it.
    """

    def __init__(
        self,
        source: Source,
        gain_db: float = 0.0,
        ceiling_dbtp: float = -1.0,
        lookahead_ms: float = LOOKAHEAD_MS,
        release_ms: float = RELEASE_MS,
        safety_margin_db: float = SAFETY_MARGIN_DB,
        speech_spans: Sequence[tuple[int, int]] = (),
    ):
        self.source = source
        #: Blocks may be read on several threads when the source's may (a spool's may).
        self.parallel_reads = bool(getattr(source, "parallel_reads", False))
        #: ``(start, stop)`` samples where the voice speaks: :attr:`max_speech_reduction_db` watches those.
        self.speech_spans = tuple(speech_spans)
        self.sample_rate = int(source.sample_rate)
        self.n_samples = int(source.n_samples)
        self.n_channels = int(source.n_channels)
        self.gain_db = float(gain_db)
        self.ceiling_dbtp = float(ceiling_dbtp)
        self.gain_lin = 10.0 ** (self.gain_db / 20.0)
        #: Threshold the gain curve aims for (linear full scale).
        self.threshold = 10.0 ** ((self.ceiling_dbtp - safety_margin_db) / 20.0)
        self.k = max(1, int(round(lookahead_ms * 1e-3 * self.sample_rate)))
        self.r = max(self.k, int(round(release_ms * 1e-3 * self.sample_rate)))
        self.window = hann_weights(self.k)
        # a[j] for j in [n - R + 1, n] needs g_req up to j + K - 1 and env
        # needs ENVELOPE_MARGIN samples of input around each g_req.
        self.left_margin = self.r - 1 + ENVELOPE_MARGIN
        self.right_margin = self.k - 1 + ENVELOPE_MARGIN
        self.min_gain = 1.0
        self.min_speech_gain = 1.0
        self._lock = threading.Lock()

    @property
    def max_reduction_db(self) -> float:
        """Deepest gain reduction applied in any read so far (dB, >= 0)."""
        return _reduction_db(self.min_gain)

    @property
    def max_speech_reduction_db(self) -> float:
        """Deepest gain reduction inside :attr:`speech_spans` in any read so far (dB, >= 0)."""
        return _reduction_db(self.min_speech_gain)

    def gain_curve(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        """Limiter gain for samples ``[start, stop)`` and the gained input.

        Returns ``(g, xg)``: ``g``, ``np.ndarray [shape=(stop - start,)]`` float64 in ``(0, 1]``
        (excluding ``gain_db``), and ``xg``, ``np.ndarray [shape=(stop - start, ch)]`` float64,
        the input times ``10 ** (gain_db / 20)``.
        """
        k, r, m = self.k, self.r, ENVELOPE_MARGIN
        lo, hi = start - self.left_margin, stop + self.right_margin
        x = np.asarray(self.source.read(lo, hi), dtype=np.float64) * self.gain_lin
        # Only where the envelope may reach the threshold does it change the gain: elsewhere it
        # reads lower, and the gain there is 1 either way.
        env = oversampled_peak_envelope(x.astype(np.float32), self.threshold)[m : len(x) - m]  # samples [lo+m, hi-m)
        with np.errstate(divide="ignore"):
            g_req = np.minimum(1.0, self.threshold / env.astype(np.float64))
        a = _valid_min(g_req, k)  # a[j] for j in [lo + m, stop): first index start - r + 1
        deficit = 1.0 - a  # >= 0, exactly 0 where no limiting is needed
        # Fast stage: s[n] = 1 - sum_i w[i] * deficit[n - i]  (w symmetric).
        s = 1.0 - _valid_correlate(deficit, self.window)  # n in [start - r + k, stop)
        # Release stage: r[n] = 1 - mean(deficit[n - R + 1 .. n]) with exact integer sums.
        q = np.rint(deficit * _FIXED_ONE).astype(np.int64)
        cs = np.concatenate(([0], np.cumsum(q)))
        rel = 1.0 - (cs[r:] - cs[:-r]).astype(np.float64) / (r * _FIXED_ONE)  # n in [start, stop)
        g = np.minimum(s[len(s) - (stop - start) :], rel)
        np.clip(g, 0.0, 1.0, out=g)
        return g, x[self.left_margin : self.left_margin + (stop - start)]

    def read(self, start: int, stop: int) -> np.ndarray:
        """Limited samples ``[start, stop)``: ``np.ndarray [shape=(stop - start, n_channels)]`` float32."""
        if stop <= start:
            return np.zeros((0, self.n_channels), dtype=np.float32)
        g, xg = self.gain_curve(start, stop)
        lo, hi = max(start, 0), min(stop, self.n_samples)
        if hi > lo:
            inside = g[lo - start : hi - start]
            lowest = float(inside.min())
            speech_lowest = 1.0
            if self.speech_spans and lowest < 1.0:
                speech = inside[span_mask(self.speech_spans, lo, hi - lo)]
                if speech.size:
                    speech_lowest = float(speech.min())
            with self._lock:  # blocks may be read on several threads at once
                self.min_gain = min(self.min_gain, lowest)
                self.min_speech_gain = min(self.min_speech_gain, speech_lowest)
        # Where g == 1.0 this is exactly float32(float64(x) * gain_lin): gain only.
        return (xg * g[:, None]).astype(np.float32)
