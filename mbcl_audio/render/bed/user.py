"""Beds from the user's own files (``music/``): read, made stereo, resampled, looped.

A recorded file is not periodic: played end to start it jumps (a click) and
usually changes level. :func:`crossfade_loop` folds the file's last few
seconds into its start, so the loop point falls between two samples that were
neighbours in the file and the level runs on without a dip.

File I/O lives in this module only; :func:`to_stereo` and
:func:`crossfade_loop` are pure.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

import numpy as np

from ...audio import AUDIO_SUFFIXES
from ...measure.loudness import array_loudness
from .common import BedError, normalize_loop

#: Default crossfade folded from a user file's end into its start (s).
CROSSFADE_S = 3.0
#: Longest stretch of a user file used as a bed (s); a loop is held in memory.
MAX_USER_S = 600.0
#: How far the loop end may move back to meet the start in phase (s).
ALIGN_SEARCH_S = 0.25
#: Below this loudness (LUFS) a file counts as silent.
SILENT_LUFS = -70.0


def find_bed_file(name: str, music_dir: Path) -> Optional[Path]:
    """The file a bed ``name`` refers to, or None.

    Tried in order: ``name`` as a path, ``music_dir/name``, then
    ``music_dir/name`` with each of ``AUDIO_SUFFIXES``.
    """
    music_dir = Path(music_dir)
    candidates = [Path(name), music_dir / name] + [music_dir / f"{name}{suffix}" for suffix in AUDIO_SUFFIXES]
    for path in candidates:
        if path.is_file():
            return path
    return None


def list_bed_files(music_dir: Path) -> list[str]:
    """Names of the audio files in ``music_dir`` (sorted; empty if the folder does not exist)."""
    music_dir = Path(music_dir)
    if not music_dir.is_dir():
        return []
    return sorted(p.name for p in music_dir.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES)


def user_loop(path: Path, sample_rate: int, crossfade_s: float = CROSSFADE_S) -> np.ndarray:
    """A seamless stereo loop from the audio file at ``path``: ``np.ndarray [shape=(n, 2)]`` float32 at ``LOOP_LUFS``.

    Parameters
    ----------
    path : Path
        WAV, FLAC, OGG or MP3 (anything libsndfile reads), any channel count and rate.
    sample_rate : int
        Output sample rate (Hz); the file is resampled with soxr.
    crossfade_s : float
        Length of the end-into-start crossfade (s), at most a third of the file.

    Raises
    ------
    BedError
        The file cannot be read as audio, is silent or is shorter than
        ``2 * crossfade_s``; the message names the file.

    Loops are cached by (resolved path, modification time, size, sample rate,
    crossfade); a copy is returned.
    """
    path = Path(path)
    try:
        resolved = path.resolve(strict=True)
        stat = resolved.stat()
    except OSError as exc:
        raise BedError(f"bed file {path}: cannot open it ({exc.strerror or exc})") from exc
    loop = _cached_loop(str(resolved), stat.st_mtime_ns, stat.st_size, int(sample_rate), float(crossfade_s))
    return loop.copy()


@lru_cache(maxsize=4)
def _cached_loop(path: str, mtime_ns: int, size: int, sample_rate: int, crossfade_s: float) -> np.ndarray:
    """Read and loop ``path``; the stat fields are only part of the cache key (an edited file reloads)."""
    audio, file_rate = _read_audio(Path(path))
    loop = _loop_from_audio(audio, file_rate, sample_rate, crossfade_s, label=path)
    loop.flags.writeable = False
    return loop


def _read_audio(path: Path) -> tuple[np.ndarray, int]:
    """Decode ``path``: ``np.ndarray [shape=(n, channels)]`` float32, and its sample rate; :class:`BedError` if not audio."""
    import soundfile as sf

    try:
        with sf.SoundFile(str(path)) as f:
            rate = f.samplerate
            frames = int(MAX_USER_S * rate)
            audio = f.read(frames, dtype="float32", always_2d=True)
    except (sf.SoundFileError, RuntimeError, OSError, ValueError) as exc:
        raise BedError(f"bed file {path}: cannot read it as audio (WAV, FLAC, OGG or MP3): {exc}") from exc
    if audio.size == 0 or not np.all(np.isfinite(audio)):
        raise BedError(f"bed file {path}: holds no usable samples")
    return audio, rate


def _loop_from_audio(
    audio: np.ndarray, file_rate: int, sample_rate: int, crossfade_s: float, label: str
) -> np.ndarray:
    """Decoded file -> stereo, resampled, checked, crossfaded and normalized loop."""
    import soxr

    stereo = to_stereo(audio)
    if file_rate != sample_rate:
        stereo = np.ascontiguousarray(soxr.resample(stereo, file_rate, sample_rate, quality="HQ"), dtype=np.float32)
    duration_s = stereo.shape[0] / sample_rate
    min_duration_s = max(2 * crossfade_s, 1.0)
    if duration_s < min_duration_s:
        raise BedError(
            f"bed file {label}: {duration_s:.1f} s is too short for a bed; it needs at least "
            f"{min_duration_s:g} s (twice the {crossfade_s:g} s loop crossfade)"
        )
    if not np.any(stereo) or array_loudness(stereo, sample_rate) < SILENT_LUFS:
        raise BedError(f"bed file {label}: is silent (below {SILENT_LUFS:g} LUFS)")
    loop = crossfade_loop(stereo, sample_rate, crossfade_s)
    return normalize_loop(loop, sample_rate)


def to_stereo(audio: np.ndarray) -> np.ndarray:
    """Any channel layout -> stereo, ``np.ndarray [shape=(n, 2)]`` float32.

    Mono is copied to both sides. With more than two channels the first two
    are left and right and the others (centre, surrounds) are added to both at
    -3 dB, as a plain ITU-style downmix; the level is set later anyway.
    """
    audio = np.asarray(audio, dtype=np.float32)
    if audio.ndim == 1:
        audio = audio[:, None]
    if audio.shape[1] == 1:
        return np.repeat(audio, 2, axis=1)
    stereo = audio[:, :2].copy()
    if audio.shape[1] > 2:
        stereo += np.float32(np.sqrt(0.5)) * audio[:, 2:].sum(axis=1, keepdims=True)
    return stereo


def crossfade_loop(audio: np.ndarray, sample_rate: int, crossfade_s: float = CROSSFADE_S) -> np.ndarray:
    """Fold the end of ``audio`` into its start, so it loops without a click or a dip.

    Parameters
    ----------
    audio : np.ndarray [shape=(n, channels)], float32
    sample_rate : int
    crossfade_s : float
        Crossfade length (s); clamped to a third of ``audio``.

    Returns
    -------
    np.ndarray [shape=(m, channels)], float32, ``m <= n - crossfade``

    The loop is ``audio[:m]`` whose first ``c`` samples are
    ``audio[m:m + c]`` fading out and ``audio[:c]`` fading in. Its last sample
    ``audio[m - 1]`` is followed, on wrapping, by (nearly all of)
    ``audio[m]``: neighbours in the file, so there is no jump. ``m`` is chosen
    within ``ALIGN_SEARCH_S`` of ``n - c`` where the faded-out tail best
    matches the head (so sustained tones meet in phase), and the fade law keeps
    the power constant for the two segments' measured correlation: equal-power
    (sin/cos) when they are unrelated, tending to equal-gain as they agree.
    """
    audio = np.asarray(audio, dtype=np.float32)
    n = audio.shape[0]
    fade = max(1, min(int(round(crossfade_s * sample_rate)), n // 3))
    search = min(int(ALIGN_SEARCH_S * sample_rate), fade // 2)
    mono = audio.astype(np.float64).mean(axis=1)
    head = mono[:fade]
    m = _best_tail_start(mono, head, n - fade - search, n - fade)
    tail = audio[m : m + fade].astype(np.float64)
    head2 = audio[:fade].astype(np.float64)
    denom = np.sqrt(np.sum(tail**2) * np.sum(head2**2))
    rho = float(np.clip(np.sum(tail * head2) / denom, 0.0, 1.0)) if denom > 0 else 0.0
    t = (np.arange(fade) / fade)[:, None]
    fade_in = np.sin(0.5 * np.pi * t)
    fade_out = np.cos(0.5 * np.pi * t)
    # Power of a*x + b*y is a^2 + b^2 + 2*rho*a*b (for equal-power x, y): divide it out.
    norm = 1.0 / np.sqrt(1.0 + rho * np.sin(np.pi * t))
    loop = audio[:m].copy()
    loop[:fade] = (norm * (fade_out * tail + fade_in * head2)).astype(np.float32)
    return loop


def _best_tail_start(mono: np.ndarray, head: np.ndarray, lo: int, hi: int) -> int:
    """The start in ``[lo, hi]`` where ``mono[start:start + len(head)]`` best correlates with ``head``."""
    if hi <= lo:
        return hi
    import scipy.signal

    fade = head.shape[0]
    segment = mono[lo : hi + fade]
    dots = scipy.signal.fftconvolve(segment, head[::-1], mode="valid")  # (hi - lo + 1,)
    energy = np.concatenate([[0.0], np.cumsum(segment**2)])
    window = energy[fade:] - energy[:-fade]
    score = dots / np.sqrt(np.maximum(window, 1e-30) * max(float(np.sum(head**2)), 1e-30))
    # Prefer the latest start among near-equal scores: keeps as much of the file as possible.
    best = int(np.flatnonzero(score >= score.max() - 1e-9)[-1])
    return lo + best
