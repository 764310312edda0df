"""What every bed shares: the loop level, the error type, loudness normalization."""

from __future__ import annotations

import numpy as np

from ...errors import MbclError
from ...measure.loudness import array_loudness

#: Loudness every loop is normalized to (LUFS); the mixer sets the final level.
LOOP_LUFS = -30.0


class BedError(MbclError, ValueError):
    """A bed that cannot be used: unknown name, unreadable, silent or too short file."""


def normalize_loop(loop: np.ndarray, sample_rate: int) -> np.ndarray:
    """Scale ``loop`` in place to ``LOOP_LUFS`` and return it.

    Parameters
    ----------
    loop : np.ndarray [shape=(n, 2)], float32
        Stereo loop with measurable (non-silent) loudness.
    sample_rate : int
        Sample rate of ``loop`` (Hz).
    """
    gain_db = LOOP_LUFS - array_loudness(loop, sample_rate)
    loop *= np.float32(10 ** (gain_db / 20))
    return loop
