"""Reading a narrator's recording: any file soundfile reads, as DC-free mono at its own rate.

``takes split`` reads a session recording with it, and the takes voice
(:mod:`mbcl_audio.render.voice.takes`) every take: both need the same
checks (readable, not empty, finite, not silent) and the same downmix.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from ..errors import VoiceError

__all__ = ["DEAD_CHANNEL_DB", "SILENT_PEAK", "downmix", "read_recording"]

#: A channel this far (dB) below the loudest one is a dead or leaking channel, not part of the mix.
DEAD_CHANNEL_DB = 20.0
#: Below this peak (-80 dBFS, after DC removal) a recording counts as silent.
SILENT_PEAK = 1e-4


def downmix(data: np.ndarray) -> np.ndarray:
    """Mono from ``np.ndarray [shape=(n, channels)]`` samples.

    Channels more than :data:`DEAD_CHANNEL_DB` below the loudest (RMS) are
    left out (a mic on one input of a stereo recorder leaves the other one
    near-silent; averaging would add its noise and lose 6 dB). The rest are
    averaged, unless averaging cancels (the mean's RMS below half the
    channels' mean RMS: a polarity-inverted or out-of-phase channel), in which
    case the loudest channel alone is used.

    Parameters
    ----------
    data : np.ndarray [shape=(n,) or (n, channels)]
        The recording's samples.

    Returns
    -------
    mono : np.ndarray [shape=(n,)], float32
    """
    data = np.asarray(data, dtype=np.float32)
    if data.ndim == 1:
        return data
    if data.shape[1] == 1:
        return data[:, 0]
    rms = np.sqrt(np.mean(np.square(data, dtype=np.float64), axis=0))
    loudest = int(np.argmax(rms))
    if rms[loudest] == 0.0:
        return data[:, 0]
    keep = rms >= rms[loudest] * 10.0 ** (-DEAD_CHANNEL_DB / 20.0)
    if keep.sum() == 1:
        return data[:, loudest]
    mix = data[:, keep].mean(axis=1, dtype=np.float64)
    if np.sqrt(np.mean(mix**2)) < 0.5 * float(np.mean(rms[keep])):
        return data[:, loudest]
    return mix.astype(np.float32)


def read_recording(path: str | Path, what: str = "recording") -> tuple[np.ndarray, int]:
    """A recording as DC-free mono and its rate; a clear ``VoiceError`` if it is unusable.

    ``what`` names it in messages ("take", "session recording").

    Returns
    -------
    mono : np.ndarray [shape=(n,)], float64
        Downmixed (:func:`downmix`), mean removed.
    sample_rate : int
        The file's rate (Hz).

    Raises
    ------
    VoiceError
        If the file cannot be read (naming the file and the reason), is
        empty, contains NaN/infinite samples, or is silent.
    """
    try:
        data, sample_rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError, EOFError) as exc:
        raise VoiceError(f"{path}: cannot read this {what} ({exc}); re-export it as WAV or FLAC") from exc
    if data.shape[0] == 0:
        raise VoiceError(f"{path}: the {what} is empty (0 samples); re-export or re-record it")
    if not np.all(np.isfinite(data)):
        raise VoiceError(f"{path}: the {what} contains NaN or infinite samples; re-export it")
    mono = downmix(data).astype(np.float64)
    mono -= mono.mean()
    if float(np.max(np.abs(mono))) < SILENT_PEAK:
        raise VoiceError(f"{path}: the {what} is silent (peak below -80 dBFS); check the recording")
    return mono, sample_rate
