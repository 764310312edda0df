"""Measurement: BS.1770 loudness, 4x true peak, the QA meters and speech onsets.

The bottom of the stage packages: rendering (bed, tone and speech levels), recorded
takes, mastering and QA all measure with these, so it imports nothing but the leaf
modules. Everything streams in blocks and is independent of the block size.
"""

from mbcl_audio.measure.loudness import array_loudness, integrated_loudness
from mbcl_audio.measure.meters import Measurement, measure
from mbcl_audio.measure.onset import onset_sample
from mbcl_audio.measure.truepeak import (
    oversampled_peak_envelope,
    sample_peak_dbfs,
    true_peak_dbtp,
    true_peak_source,
)

__all__ = [
    "Measurement",
    "array_loudness",
    "integrated_loudness",
    "measure",
    "onset_sample",
    "oversampled_peak_envelope",
    "sample_peak_dbfs",
    "true_peak_dbtp",
    "true_peak_source",
]
