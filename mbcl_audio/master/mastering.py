"""Mastering: one loudness gain plus a true-peak limiter, measured and corrected.

Sparse guided-meditation speech has a high peak-to-loudness ratio, so a gain
that reaches -16..-18 LUFS pushes its peaks past full scale. :func:`master`
applies one linear gain towards the target and a look-ahead true-peak
limiter; because limiting takes loudness away, it re-measures the limited
output and corrects the gain until the output is within
``TOLERANCE_LU`` of the target.

The target can be the voice itself (speech-gated loudness over where the plan
places speech): then one gain puts the voice at the same level in every
track, whatever bed, tone or bell plays in the pauses and however long they
are, and those layers keep their levels relative to the voice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Callable, Sequence
from typing import Optional

import numpy as np

from mbcl_audio.audio import BLOCK_SAMPLES, Source, Spool
from mbcl_audio.master.limiter import TruePeakLimiter
from mbcl_audio.master.profiles import LoudnessMeasure
from mbcl_audio.measure.loudness import gated_loudness, speech_gated_loudness, subblock_energies
from mbcl_audio.measure.meters import power_db
from mbcl_audio.measure.truepeak import true_peak_source

#: Stop correcting once the output is this close to the target (LU).
TOLERANCE_LU = 0.05
#: Most limiter passes :func:`master` runs (each is a full streaming pass).
MAX_ITERATIONS = 5
#: Bounds on the loudness-per-gain slope used by the secant correction: the
#: limiter never adds loudness faster than the gain (1) and, short of
#: absurd targets, still passes a fair share of it.
_SLOPE_RANGE = (0.2, 1.0)


@dataclass(frozen=True)
class MasterResult:
    """Measured figures of a mastering run (dB, dBTP; loudness in the unit ``measure`` names)."""

    input_loudness: float  #: loudness of the input, as ``measure`` reads it
    gain_db: float  #: linear gain applied before the limiter
    output_loudness: float  #: loudness of the limited output, in the same unit
    true_peak_dbtp: float  #: true peak of the limited output (4x oversampled)
    ceiling_dbtp: float  #: ceiling the limiter ran at (requested ceiling - headroom)
    iterations: int  #: limiter passes measured
    max_reduction_db: float = 0.0  #: deepest limiter gain reduction anywhere (dB, >= 0)
    #: What the loudness figures are: ``"lufs"`` (BS.1770 integrated), ``"voice"`` (speech-gated LUFS) or ``"rms"``.
    measure: LoudnessMeasure = "lufs"
    #: Integrated loudness of the limited output (LUFS).
    integrated_lufs: float = -math.inf
    #: Speech-gated loudness of the limited output (LUFS); ``None`` without speech spans.
    voice_lufs: Optional[float] = None
    #: Deepest limiter gain reduction on the speech (dB, >= 0); ``None`` without speech spans.
    max_speech_reduction_db: Optional[float] = None


@dataclass(frozen=True)
class Levels:
    """One streaming pass of :func:`levels`: every figure :func:`master` can aim at."""

    integrated_lufs: float
    voice_lufs: Optional[float]
    rms_db: float
    #: The largest ``|sample|`` (linear).
    sample_peak: float = 0.0

    def of(self, measure: LoudnessMeasure) -> float:
        """The figure ``measure`` names (``-inf`` for a voice level without speech spans)."""
        if measure == "voice":
            return -math.inf if self.voice_lufs is None else self.voice_lufs
        return self.integrated_lufs if measure == "lufs" else self.rms_db


def levels(
    source: Source, speech_spans: Optional[Sequence[tuple[int, int]]] = None, block_samples: int = BLOCK_SAMPLES
) -> Levels:
    """Integrated loudness, speech-gated voice level and unweighted RMS of ``source``, in one pass.

    RMS is dB re full scale over every sample of every channel (a full-scale
    sine reads -3.01). ``speech_spans`` are ``(start, stop)`` samples.
    """
    n = int(source.n_samples)
    total, peak = 0.0, 0.0

    def add_squares(start: int, x: np.ndarray) -> None:
        nonlocal total, peak
        x = x[: max(0, n - start)]  # the loudness pass reads zeros past the end
        total += float(np.einsum("ij,ij->", x, x))
        if x.size:
            peak = max(peak, float(np.abs(x).max()))

    energy, hop = subblock_energies(source, block_samples, on_chunk=add_squares)
    count = n * int(source.n_channels)
    return Levels(
        integrated_lufs=gated_loudness(energy, hop),
        voice_lufs=None if speech_spans is None else speech_gated_loudness(energy, hop, speech_spans),
        rms_db=power_db(total / count) if count else -math.inf,
        sample_peak=peak,
    )


def master(
    source: Source,
    loudness_target: float = -18.0,
    ceiling_dbtp: float = -1.0,
    headroom_db: float = 1.0,
    block_samples: int = BLOCK_SAMPLES,
    measure: LoudnessMeasure = "lufs",
    speech_spans: Optional[Sequence[tuple[int, int]]] = None,
    on_pass: Optional[Callable[[Source], None]] = None,
) -> tuple[Source, MasterResult]:
    """Normalize ``source`` to ``loudness_target`` with true peak <= ``ceiling_dbtp - headroom_db``.

    ``measure`` says what ``loudness_target`` is: ``"lufs"``, integrated
    loudness; ``"voice"``, the speech-gated loudness over ``speech_spans``
    (``(start, stop)`` samples where the voice speaks), so the voice lands on
    the target whatever plays in the pauses; ``"rms"``, an unweighted RMS in
    dB (ACX). ``input_loudness`` and ``output_loudness`` of the result are in
    the same unit; with ``speech_spans`` the result also reports the voice
    level and the deepest limiting on speech, whatever ``measure`` is.

    ``headroom_db`` (dB) is kept free below the delivery ceiling because lossy
    encoding raises the true peak. Returns the limited source (a lazy
    :class:`TruePeakLimiter`; nothing is rendered until it is read) and the
    figures measured on it. Each iteration is one streaming pass; the gain is
    corrected by a secant step on (gain, output loudness). If the target is
    not reached within ``MAX_ITERATIONS`` passes the last pass is returned,
    ``output_loudness`` says where it landed.

    ``on_pass(limited)``, if given, sees each limiter pass as it starts rendering (before it is
    measured), so a caller can start encoding it; a pass that misses the target is closed, and a
    read of it waiting for samples then raises :class:`~mbcl_audio.audio.SpoolClosed`.

    Raises ``ValueError`` if the source is silent (no 400 ms block above
    -70 LUFS; for ``"voice"``, none in the speech spans), or for ``"voice"``
    without speech spans.
    """
    if measure == "voice" and speech_spans is None:
        raise ValueError("a voice-level target needs the speech spans (where the voice speaks)")
    spans = None if speech_spans is None else tuple(speech_spans)
    input_loudness = levels(source, spans, block_samples).of(measure)
    if not math.isfinite(input_loudness):
        where = " in the speech spans" if measure == "voice" else ""
        raise ValueError(f"source is silent (no 400 ms block above -70 LUFS{where}): nothing to normalize")
    limit_at = ceiling_dbtp - headroom_db
    gain = loudness_target - input_loudness
    history: list[tuple[float, float]] = []
    limited: Optional[Spool] = None
    try:
        for iteration in range(1, MAX_ITERATIONS + 1):
            if limited is not None:
                limited.close()  # the last pass missed: its spooled audio goes
            # Spooled: measuring renders the limited audio once (in the background, while the loudness
            # pass reads what is ready); the true peak and the encoder read it back.
            limiter = TruePeakLimiter(source, gain_db=gain, ceiling_dbtp=limit_at, speech_spans=spans or ())
            limited = Spool(limiter, background=True)
            if on_pass is not None:
                on_pass(limited)
            measured = levels(limited, spans, block_samples)
            output_loudness = measured.of(measure)
            error = loudness_target - output_loudness
            history.append((gain, output_loudness))
            if abs(error) <= TOLERANCE_LU or iteration == MAX_ITERATIONS:
                break
            slope = 1.0
            if len(history) >= 2:
                (g0, l0), (g1, l1) = history[-2], history[-1]
                if g1 != g0:
                    slope = min(max((l1 - l0) / (g1 - g0), _SLOPE_RANGE[0]), _SLOPE_RANGE[1])
            gain += error / slope
        # The loudness pass saw every sample: the true peak is at least the loudest of them.
        true_peak = true_peak_source(limited, block_samples, floor=measured.sample_peak)
    except BaseException:
        if limited is not None:
            limited.close()  # its background render stops too
        raise
    result = MasterResult(
        input_loudness=input_loudness,
        gain_db=gain,
        output_loudness=output_loudness,
        true_peak_dbtp=true_peak,
        ceiling_dbtp=limit_at,
        iterations=iteration,
        max_reduction_db=limited.max_reduction_db,
        measure=measure,
        integrated_lufs=measured.integrated_lufs,
        voice_lufs=measured.voice_lufs,
        max_speech_reduction_db=None if spans is None else limited.max_speech_reduction_db,
    )
    return limited, result
