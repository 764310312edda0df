"""The takes voice: a narrator's recorded takes as the clips of a script, a TTS voice for missing ones.

The takes counterpart of :func:`mbcl_audio.render.voice.speech.prepare_utterances`.
A take is read (:func:`mbcl_audio.takes.recording.read_recording`: WAV of any
bit depth or float, FLAC, MP3, OGG, ... at any rate and channel count,
downmixed to mono, stripped of DC offset), resampled to the internal rate
(soxr), trimmed of leading and trailing room tone while keeping a short
natural pre- and post-roll, given 5 ms raised-cosine fades (so no join
clicks), and brought to the speech loudness.

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
import soxr

from ... import SAMPLE_RATE
from ...measure.loudness import array_loudness
from ...script.model import Script
from ...takes.files import find_takes, takes_folder
from ...takes.ids import utterance_entries
from ...takes.recording import SILENT_PEAK, read_recording
from ...takes.status import MissingTake, TakesStatus, takes_status
from .base import VoiceBackend, VoiceError
from .cache import SpeechCache
from .profiles import VoiceProfile
from .speech import Speech, apply_fades, prepare_utterances, trim_silence

__all__ = [
    "Fallback",
    "TakesReport",
    "TakesVoice",
    "load_take",
    "match_loudness",
    "prepare_takes",
    "tts_fallback",
]

#: Text -> ``np.ndarray [shape=(n,)]`` float32 mono audio at the requested sample rate (e.g. a TTS voice).
Fallback = Callable[[str], np.ndarray]

#: Trim threshold bounds (dB below the take's peak). The threshold sits 12 dB
#: above the room tone, but never above -30 dB (soft onsets) nor below -45 dB.
_TRIM_FLOOR_DB, _TRIM_CEIL_DB, _TRIM_OVER_ROOM_DB = -45.0, -30.0, 12.0


def _trim_threshold_db(x: np.ndarray, sample_rate: int, frame_s: float = 0.01) -> float:
    """Trim threshold (dB re the peak) for a take: 12 dB over its quietest 10 ms frames, within bounds.

    Parameters
    ----------
    x : np.ndarray [shape=(n,)]
        The take, mono, DC-free.
    """
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


def load_take(path: str | Path, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """Read one take and make it a clean clip: mono, ``sample_rate``, trimmed, faded.

    Not loudness-matched (see :func:`match_loudness`). Trimming keeps 40 ms
    before the first and 80 ms after the last frame that rises 12 dB over the
    room tone (at least -45 dB, at most -30 dB re the take's peak).

    Returns
    -------
    clip : np.ndarray [shape=(n,)], float32
        At ``sample_rate``; first and last sample 0.

    Raises
    ------
    VoiceError
        If the file cannot be read (names the file and the reason), is empty,
        contains NaN/infinite samples, or is silent.
    """
    path = Path(path)
    mono, file_rate = read_recording(path, "take")
    if file_rate != sample_rate:
        mono = soxr.resample(mono, file_rate, sample_rate, quality="HQ")
    trimmed = trim_silence(mono, sample_rate, threshold_db=_trim_threshold_db(mono, sample_rate))
    return apply_fades(trimmed, sample_rate)


def match_loudness(clip: np.ndarray, sample_rate: int, lufs: float, what: str) -> np.ndarray:
    """``clip`` scaled to integrated loudness ``lufs`` (BS.1770; measured twice, the gate is nonlinear).

    Parameters
    ----------
    clip : np.ndarray [shape=(n,)], float32

    Returns
    -------
    scaled : np.ndarray [shape=(n,)], float32

    Raises
    ------
    VoiceError
        If ``clip`` is too quiet to measure; ``what`` names it.
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
        fallback: Speaks utterances without a take (text -> ``np.ndarray [shape=(n,)]``
            float32 mono at ``sample_rate``). Its output is trimmed, faded and loudness-matched
            like a take. None: a missing take is an error.

    Returns:
        ``(clips, report)``: one ``np.ndarray [shape=(n_i,)]`` float32 per utterance at ``sample_rate``, in
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
            if raw.ndim != 1 or raw.size == 0 or float(np.max(np.abs(raw))) < SILENT_PEAK:
                raise VoiceError(f"{what}: produced no audible mono speech (shape {raw.shape})")
            clip = apply_fades(trim_silence(raw, sample_rate), sample_rate)
            report.fallback.append(MissingTake(entry.id, entry.text))
        clips.append(match_loudness(clip, sample_rate, speech_lufs, what))
    return clips, report


def tts_fallback(backend: VoiceBackend, cache: SpeechCache, sample_rate: int = SAMPLE_RATE) -> Fallback:
    """A :data:`Fallback` speaking through ``backend`` and the speech cache ``cache``.

    Synthesis, resampling, trimming and fades are those of
    :func:`~mbcl_audio.render.voice.speech.prepare_utterances`; the level is set
    afterwards by :func:`prepare_takes`.
    """

    def speak(text: str) -> np.ndarray:
        return prepare_utterances([text], backend, cache, sample_rate)[0]

    return speak


class TakesVoice:
    """A voice profile with engine ``"takes"``: it speaks a script from its recordings.

    Takes are read from ``<profile folder>/takes/<lang>/<track>``. A missing
    take is spoken by the profile's fallback voice (through the speech cache;
    its backend is only created when a take is missing, since loading e.g. a
    piper model is slow) and listed in a warning; with ``require_takes`` it is
    an error listing every missing take. Stale takes (recorded for a text the
    script no longer has) are used and listed in a warning.
    """

    def __init__(
        self,
        profile: VoiceProfile,
        language: str,
        open_fallback: Optional[Callable[[], VoiceBackend]],
        require_takes: bool = False,
    ) -> None:
        """A takes voice for ``profile`` speaking ``language``.

        Args:
            open_fallback: Creates the fallback voice's backend; called at
                most once, for the first missing take. ``None``: no fallback,
                a missing take is an error.

        Raises:
            VoiceError: if the profile has no takes in ``language``.
        """
        if not profile.speaks(language) or profile.folder is None:
            raise VoiceError(
                f"voice {profile.id!r} ({profile.path}) has takes in {', '.join(profile.languages)}, "
                f"not {language!r}; record them or build with another voice (see mbcl-audio voices)"
            )
        self.name = profile.id
        self.profile = profile
        self.takes_root: Path = profile.folder
        self.language = language
        self.require_takes = require_takes
        self._open_fallback = open_fallback
        self._fallback_backend: Optional[VoiceBackend] = None

    def _fallback(self, cache: SpeechCache) -> Optional[Fallback]:
        """The fallback for missing takes, or ``None`` when a missing take must be an error."""
        open_fallback = self._open_fallback
        if open_fallback is None or self.require_takes:
            return None

        def speak(text: str) -> np.ndarray:
            if self._fallback_backend is None:
                self._fallback_backend = open_fallback()
            return tts_fallback(self._fallback_backend, cache)(text)

        return speak

    def speak(self, script: Script, cache: SpeechCache, speech_lufs: float) -> Speech:
        """The clips of ``script`` (in this voice's language) from the takes, and the warnings.

        Raises:
            VoiceError: naming the script and the voice, for missing takes
                under ``require_takes``, and unreadable takes.
        """
        hits, misses = cache.hits, cache.misses
        folder = takes_folder(self.takes_root, self.language, script.front.track)
        try:
            clips, report = prepare_takes(script, folder, SAMPLE_RATE, speech_lufs, fallback=self._fallback(cache))
        except VoiceError as exc:
            hint = " (--require-takes)" if self.require_takes else ""
            raise VoiceError(f"{script.path}: voice {self.name!r}{hint}: {exc}") from exc
        return Speech(tuple(clips), cache.misses - misses, cache.hits - hits, self._warnings(script, report))

    def _warnings(self, script: Script, report: TakesReport) -> tuple[str, ...]:
        """What the producer should hear about: takes the fallback spoke, stale and unverified takes."""
        warnings = []
        missing = report.warning()
        if missing is not None:
            warnings.append(f"{script.path}: voice {self.name!r}: {missing}")
        if report.stale:
            listed = "; ".join(
                f"{s.id} recorded for {s.recorded_text!r}, script now says {s.script_text!r}" for s in report.stale
            )
            warnings.append(
                f"{script.path}: voice {self.name!r}: {len(report.stale)} stale take(s) used as recorded "
                f"(re-record them; see 'mbcl-audio takes sheet'): {listed}"
            )
        if report.unverified:
            # IDs shift when an utterance is inserted; without the manifest nothing shows a take is misplaced.
            warnings.append(
                f"{script.path}: voice {self.name!r}: {len(report.unverified)} take(s) with no record of "
                f"the text they were recorded for: {', '.join(report.unverified)}; run 'mbcl-audio takes "
                "sheet' once so that later edits to the text are caught"
            )
        return tuple(warnings)
