"""Mastering stage: one gain towards the target loudness and a 4x true-peak limiter.

:func:`master` measures integrated loudness, applies one gain towards the
target and a look-ahead true-peak limiter, and re-measures until the output
lands on the target. Everything streams in blocks. The meters themselves are
in :mod:`mbcl_audio.measure`.
"""

from mbcl_audio.master.limiter import TruePeakLimiter
from mbcl_audio.master.mastering import MasterResult, master

__all__ = [
    "MasterResult",
    "TruePeakLimiter",
    "master",
]
