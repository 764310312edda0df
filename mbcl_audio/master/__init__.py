"""Mastering stage: BS.1770 loudness, 4x true-peak metering and limiting.

:func:`master` measures integrated loudness, applies one gain towards the
target and a look-ahead true-peak limiter, and re-measures until the output
lands on the target. Everything streams in blocks.
"""

from mbcl_audio.master.limiter import TruePeakLimiter
from mbcl_audio.master.loudness import array_loudness, integrated_loudness
from mbcl_audio.master.mastering import MasterResult, master
from mbcl_audio.master.meters import Measurement, measure
from mbcl_audio.master.truepeak import (
    oversampled_peak_envelope,
    sample_peak_dbfs,
    true_peak_dbtp,
    true_peak_source,
)

__all__ = [
    "MasterResult",
    "Measurement",
    "TruePeakLimiter",
    "array_loudness",
    "integrated_loudness",
    "master",
    "measure",
    "oversampled_peak_envelope",
    "sample_peak_dbfs",
    "true_peak_dbtp",
    "true_peak_source",
]
