"""Turn recorded takes into clips ready for the mix: the takes counterpart of
:func:`mbcl_audio.render.speech.prepare_utterances`.

A take is read with soundfile (WAV of any bit depth or float, FLAC, MP3, OGG,
... at any rate and channel count), downmixed to mono, stripped of DC offset,
resampled to the internal rate (soxr), trimmed of leading and trailing room
tone while keeping a short natural pre- and post-roll, given 5 ms
raised-cosine fades (so no join clicks), and brought to the speech loudness.

Unlike synthesized speech, which gets one gain for all utterances so that the
engine's natural level differences survive, every take is loudness-matched on
its own: takes come from different sessions, mic distances and days, and
their level differences are recording accidents, not delivery.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
import soundfile as sf
import soxr

from .. import SAMPLE_RATE
from ..master.loudness import array_loudness
from ..render.speech import apply_fades, trim_silence
from ..render.voice.base import VoiceBackend, VoiceError
from ..script.model import Script
from .files import find_takes
from .ids import utterance_entries
from .status import MissingTake, TakesStatus, takes_status

__all__ = [
    "Fallback",
    "TakesReport",
    "downmix",
    "load_take",
    "match_loudness",
    "prepare_takes",
    "tts_fallback",
]

#: Text -> float32 mono audio at the requested sample rate (e.g. a TTS voice).
Fallback = Callable[[str], np.ndarray]

#: A channel this far (dB) below the loudest one is a dead or leaking channel, not part of the mix.
DEAD_CHANNEL_DB = 20.0
#: Below this peak (-80 dBFS, after DC removal) a take counts as silent.
_SILENT_PEAK = 1e-4
#: Trim threshold bounds (dB below the take's peak). The threshold sits 12 dB
#: above the room tone, but never above -30 dB (soft onsets) nor below -45 dB.
_TRIM_FLOOR_DB, _TRIM_CEIL_DB, _TRIM_OVER_ROOM_DB = -45.0, -30.0, 12.0


def downmix(data: np.ndarray) -> np.ndarray:
    """Mono from ``(n, channels)`` samples.

    Channels more than :data:`DEAD_CHANNEL_DB` below the loudest (RMS) are
    left out (a mic on one input of a stereo recorder leaves the other one
    near-silent; averaging would add its noise and lose 6 dB). The rest are
    averaged, unless averaging cancels (the mean's RMS below half the
    channels' mean RMS: a polarity-inverted or out-of-phase channel), in which
    case the loudest channel alone is used.

    Returns:
        float32 ``(n,)``.
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


def _trim_threshold_db(x: np.ndarray, sample_rate: int, frame_s: float = 0.01) -> float:
    """Trim threshold (dB re the peak) for a take: 12 dB over its quietest 10 ms frames, within bounds."""
    peak = float(np.max(np.abs(x)))
    frame = max(1, int(round(frame_s * sample_rate)))
    n_frames = x.size // frame
    if n_frames < 4:
        return _TRIM_FLOOR_DB
    rms = np.sqrt(np.mean(np.square(x[: n_frames * frame].reshape(n_frames, frame), dtype=np.float64), axis=1))
    floor = float(np.percentile(rms, 5))
    if floor <= 0.0:
        return _TRIM_FLOOR_DB
    room_db = 20.0 * np.log10(floor / peak)
    return float(np.clip(room_db + _TRIM_OVER_ROOM_DB, _TRIM_FLOOR_DB, _TRIM_CEIL_DB))


def read_recording(path, what: str = "recording") -> tuple[np.ndarray, int]:
    """A recording as DC-free float64 mono and its rate; a clear ``VoiceError`` if it is unusable.

    ``what`` names it in messages ("take", "session recording").
    """
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError, EOFError) as exc:
        raise VoiceError(f"{path}: cannot read this {what} ({exc}); re-export it as WAV or FLAC") from exc
    if data.shape[0] == 0:
        raise VoiceError(f"{path}: the {what} is empty (0 samples); re-export or re-record it")
    if not np.all(np.isfinite(data)):
        raise VoiceError(f"{path}: the {what} contains NaN or infinite samples; re-export it")
    mono = downmix(data).astype(np.float64)
    mono -= mono.mean()
    if float(np.max(np.abs(mono))) < _SILENT_PEAK:
        raise VoiceError(f"{path}: the {what} is silent (peak below -80 dBFS); check the recording")
    return mono, rate


def load_take(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Read one take and make it a clean clip: mono, ``sample_rate``, trimmed, faded.

    Not loudness-matched (see :func:`match_loudness`). Trimming keeps 40 ms
    before the first and 80 ms after the last frame that rises 12 dB over the
    room tone (at least -45 dB, at most -30 dB re the take's peak).

    Returns:
        float32 ``(n,)`` at ``sample_rate``; first and last sample 0.

    Raises:
        VoiceError: if the file cannot be read (names the file and the
            reason), is empty, contains NaN/infinite samples, or is silent.
    """
    path = Path(path)
    mono, rate = read_recording(path, "take")
    if rate != sample_rate:
        mono = soxr.resample(mono, rate, sample_rate, quality="HQ")
    trimmed = trim_silence(mono, sample_rate, threshold_db=_trim_threshold_db(mono, sample_rate))
    return apply_fades(trimmed, sample_rate)


def match_loudness(clip: np.ndarray, sample_rate: int, lufs: float, what: str) -> np.ndarray:
    """``clip`` scaled to integrated loudness ``lufs`` (BS.1770; measured twice, the gate is nonlinear).

    Raises:
        VoiceError: if ``clip`` is too quiet to measure; ``what`` names it.
    """
    gain = 1.0
    for _ in range(2):
        loudness = array_loudness(clip * gain, sample_rate)
        if not np.isfinite(loudness):
            raise VoiceError(f"{what}: too quiet to measure its loudness; check the recording")
        gain *= 10.0 ** ((lufs - loudness) / 20.0)
    return (clip * np.float32(gain)).astype(np.float32)


@dataclass
class TakesReport(TakesStatus):
    """:class:`TakesStatus` of the folder plus the utterances spoken by the fallback voice."""

    fallback: list[MissingTake] = field(default_factory=list)

    def warning(self) -> Optional[str]:
        """One warning line for utterances filled by the fallback voice, None when there are none."""
        if not self.fallback:
            return None
        listed = "; ".join(f"{m.id} {m.text!r}" for m in self.fallback)
        return f"{len(self.fallback)} utterance(s) without a take, spoken by the fallback voice: {listed}"


def prepare_takes(
    script: Script,
    takes_dir: str | Path,
    sample_rate: int = SAMPLE_RATE,
    speech_lufs: float = -20.0,
    fallback: Optional[Fallback] = None,
) -> tuple[list[np.ndarray], TakesReport]:
    """One clip per utterance of ``script`` from the takes in ``takes_dir``.

    Args:
        script: The parsed script; clips follow ``script.utterances``.
        takes_dir: The track's takes folder
            (``voices/<id>/takes/<lang>/<track>``, see
            :func:`~mbcl_audio.takes.files.takes_folder`).
        sample_rate: Output rate (Hz).
        speech_lufs: Integrated loudness every clip is brought to.
        fallback: Speaks utterances without a take (text -> float32 mono at
            ``sample_rate``). Its output is trimmed, faded and loudness-matched
            like a take. None: a missing take is an error.

    Returns:
        ``(clips, report)``: float32 ``(n_i,)`` arrays at ``sample_rate`` in
        script order (peaks not limited: the master stage does that), and a
        :class:`TakesReport` (missing, extra, stale, unverified, fallback).
        Stale takes are used as they are; the caller decides whether the
        report's findings are warnings or errors.

    Raises:
        VoiceError: with ``fallback=None``, listing every missing ID and its
            text; for unreadable, silent or unmeasurable takes (naming the
            file); for a fallback that fails or returns no audio.
    """
    takes_dir = Path(takes_dir)
    status = takes_status(script, takes_dir)
    report = TakesReport(**vars(status))
    if status.missing and fallback is None:
        listed = "\n".join(f"  {m.id}: {m.text}" for m in status.missing)
        raise VoiceError(
            f"{len(status.missing)} take(s) missing in {takes_dir}:\n{listed}\n"
            "record them (see 'takes sheet'), or build with a fallback voice"
        )
    files = find_takes(takes_dir)
    clips: list[np.ndarray] = []
    for entry in utterance_entries(script):
        take = files.get(entry.id)
        if take is not None:
            clip = load_take(take, sample_rate)
            what = str(take)
        else:
            what = f"{entry.pos}: fallback voice for utterance {entry.id} {entry.text!r}"
            try:
                raw = np.asarray(fallback(entry.text), dtype=np.float32)  # type: ignore[misc]
            except VoiceError as exc:
                raise VoiceError(f"{what}: {exc}") from exc
            if raw.ndim != 1 or raw.size == 0 or float(np.max(np.abs(raw))) < _SILENT_PEAK:
                raise VoiceError(f"{what}: produced no audible mono speech (shape {raw.shape})")
            clip = apply_fades(trim_silence(raw, sample_rate), sample_rate)
            report.fallback.append(MissingTake(entry.id, entry.text))
        clips.append(match_loudness(clip, sample_rate, speech_lufs, what))
    return clips, report


def tts_fallback(backend: VoiceBackend, cache, sample_rate: int = SAMPLE_RATE) -> Fallback:
    """A :data:`Fallback` speaking through ``backend`` and the speech cache ``cache``.

    Synthesis, resampling, trimming and fades are those of
    :func:`~mbcl_audio.render.speech.prepare_utterances`; the level is set
    afterwards by :func:`prepare_takes`.
    """
    from ..render.speech import prepare_utterances

    def speak(text: str) -> np.ndarray:
        return prepare_utterances([text], backend, cache, sample_rate)[0]

    return speak
