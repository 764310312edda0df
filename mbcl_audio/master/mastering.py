"""Mastering: one loudness gain plus a true-peak limiter, measured and corrected.

Sparse guided-meditation speech has a high peak-to-loudness ratio, so a gain
that reaches -16..-18 LUFS pushes its peaks past full scale. :func:`master`
applies one linear gain towards the target and a look-ahead true-peak
limiter; because limiting takes loudness away, it re-measures the limited
output and corrects the gain until the output is within
``TOLERANCE_LU`` of the target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from mbcl_audio.audio import BLOCK_SAMPLES, Source, iter_blocks
from mbcl_audio.master.limiter import TruePeakLimiter
from mbcl_audio.master.profiles import LoudnessMeasure
from mbcl_audio.measure.loudness import integrated_loudness
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

    input_loudness: float  #: loudness of the input: LUFS, or dB RMS when ``measure`` is ``"rms"``
    gain_db: float  #: linear gain applied before the limiter
    output_loudness: float  #: loudness of the limited output, in the same unit
    true_peak_dbtp: float  #: true peak of the limited output (4x oversampled)
    ceiling_dbtp: float  #: ceiling the limiter ran at (requested ceiling - headroom)
    iterations: int  #: limiter passes measured
    max_reduction_db: float = 0.0  #: deepest limiter gain reduction (dB, >= 0)
    measure: LoudnessMeasure = "lufs"  #: what the loudness figures are: ``"lufs"`` (BS.1770) or ``"rms"`` (unweighted)


def rms_db(source: Source, block_samples: int = BLOCK_SAMPLES) -> float:
    """Unweighted RMS (dB re full scale, a full-scale sine reads -3.01) over every sample of every channel."""
    total, count = 0.0, 0
    for start, stop in iter_blocks(source.n_samples, block_samples):
        x = source.read(start, stop).astype(np.float64)
        total += float(np.einsum("ij,ij->", x, x))
        count += x.size
    return power_db(total / count)


#: What :func:`master` can aim at: integrated loudness, or unweighted RMS (ACX).
MEASURES: dict[LoudnessMeasure, Callable[[Source, int], float]] = {"lufs": integrated_loudness, "rms": rms_db}


def master(
    source: Source,
    loudness_target: float = -18.0,
    ceiling_dbtp: float = -1.0,
    headroom_db: float = 1.0,
    block_samples: int = BLOCK_SAMPLES,
    measure: LoudnessMeasure = "lufs",
) -> tuple[Source, MasterResult]:
    """Normalize ``source`` to ``loudness_target`` with true peak <= ``ceiling_dbtp - headroom_db``.

    ``loudness_target`` is LUFS, or with ``measure="rms"`` an unweighted RMS in
    dB (ACX); ``input_loudness`` and ``output_loudness`` of the result are in the same unit.

    ``headroom_db`` (dB) is kept free below the delivery ceiling because lossy
    encoding raises the true peak. Returns the limited source (a lazy
    :class:`TruePeakLimiter`; nothing is rendered until it is read) and the
    figures measured on it. Each iteration is one streaming pass; the gain is
    corrected by a secant step on (gain, output loudness). If the target is
    not reached within ``MAX_ITERATIONS`` passes the last pass is returned,
    ``output_loudness`` says where it landed.

    Raises ``ValueError`` if the source is silent (no loudness to normalize).
    """
    meter = MEASURES[measure]
    input_loudness = meter(source, block_samples)
    if not math.isfinite(input_loudness):
        raise ValueError(
            "source is silent (no 400 ms block above -70 LUFS): nothing to normalize"
        )
    limit_at = ceiling_dbtp - headroom_db
    gain = loudness_target - input_loudness
    history: list[tuple[float, float]] = []
    for iteration in range(1, MAX_ITERATIONS + 1):
        limited = TruePeakLimiter(source, gain_db=gain, ceiling_dbtp=limit_at)
        output_loudness = meter(limited, block_samples)
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
    true_peak = true_peak_source(limited, block_samples)
    result = MasterResult(
        input_loudness=input_loudness,
        gain_db=gain,
        output_loudness=output_loudness,
        true_peak_dbtp=true_peak,
        ceiling_dbtp=limit_at,
        iterations=iteration,
        max_reduction_db=limited.max_reduction_db,
        measure=measure,
    )
    return limited, result
