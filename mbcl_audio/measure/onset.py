"""Where sound begins in a clip: the voice onset that breath-locked speech is placed by."""

from __future__ import annotations

import numpy as np

#: How far below a clip's peak its onset is read (dB): low enough for a soft consonant,
#: high enough that room tone and the trimming's fade-in stay below it.
ONSET_THRESHOLD_DB = -40.0


def onset_sample(x: np.ndarray, threshold_db: float = ONSET_THRESHOLD_DB) -> int:
    """The first sample whose magnitude reaches ``threshold_db`` re the clip's sample peak.

    Parameters
    ----------
    x : np.ndarray [shape=(n,) or (n, channels)]
        The clip (any channel counts).
    threshold_db : float
        The level, in dB re the peak (negative), that counts as sound.

    Returns
    -------
    onset : int
        Samples from the clip's start to its onset; 0 for an empty or silent clip.
    """
    magnitude = np.abs(np.asarray(x, dtype=np.float32))
    if magnitude.ndim > 1:
        magnitude = magnitude.max(axis=1)
    if magnitude.size == 0:
        return 0
    peak = float(magnitude.max())
    if peak == 0.0:
        return 0
    return int(np.argmax(magnitude >= peak * 10.0 ** (threshold_db / 20.0)))


def envelope_onset_sample(
    x: np.ndarray,
    sample_rate: int,
    threshold_db: float = ONSET_THRESHOLD_DB,
    window_s: float = 0.002,
    peak: float | None = None,
) -> int:
    """The first sample whose short RMS envelope reaches ``threshold_db`` re ``peak``.

    Parameters
    ----------
    x : np.ndarray [shape=(n,)]
        Mono signal (a placed clip, or the voice separated from a decoded mix).
    sample_rate : int
        Hz, for ``window_s``.
    threshold_db : float
        The level, in dB re ``peak`` (negative), that counts as sound.
    window_s : float
        Length of the centred RMS window (s): an envelope, so one stray sample does not count.
    peak : float or None
        The reference level (linear); ``None`` takes ``x``'s own sample peak.

    Returns
    -------
    onset : int
        Samples from ``x``'s start to its onset; 0 if it never reaches the level.
    """
    x = np.asarray(x, dtype=np.float64)
    win = max(1, int(window_s * sample_rate))
    envelope = np.sqrt(np.convolve(np.square(x), np.ones(win) / win, "same"))
    reference = float(np.max(np.abs(x))) if peak is None else float(peak)
    return int(np.argmax(envelope >= reference * 10 ** (threshold_db / 20)))
