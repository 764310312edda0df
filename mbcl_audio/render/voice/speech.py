"""A voice speaks a script: one clean, level-matched clip per utterance at the internal rate.

:class:`Voice` is what the build asks for: ``speak(script, cache, speech_lufs)``
gives a :class:`Speech`. A synthesized voice (:class:`SynthesizedVoice`, over
any :class:`~.base.VoiceBackend`) and recorded takes
(:class:`~.takes.TakesVoice`) both meet it; :func:`~mbcl_audio.render.voice.open_voice`
picks the one a voice name means.

For synthesized speech (:func:`prepare_utterances`), each clip is synthesized (through the speech cache), resampled to
:data:`mbcl_audio.SAMPLE_RATE`, trimmed of the engine's leading and trailing
silence (the planner places pauses itself, so engine padding would lengthen
every pause unpredictably), faded at its edges, and finally scaled by one gain
common to all clips so that speech sits at a known loudness while the
natural level differences between utterances survive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import soxr

from ... import SAMPLE_RATE
from ...audio import Concatenated, raised_cosine
from ...measure.loudness import GATE_BLOCK_S, array_energies, gated_loudness, subblock_energies
from ...script.model import Script
from .base import VoiceBackend, VoiceError
from .cache import SpeechCache
from .text import normalize_for_speech

#: Below this peak (-80 dBFS) an utterance counts as silent: the engine failed.
_SILENT_PEAK = 1e-4

#: Edge fade length (seconds). 5 ms is inaudible as a fade but removes the
#: step a cut through a waveform would otherwise leave.
FADE_S = 0.005



def trim_silence(
    x: np.ndarray,
    sample_rate: int,
    threshold_db: float = -45.0,
    pre_roll_s: float = 0.04,
    post_roll_s: float = 0.08,
    frame_s: float = 0.01,
) -> np.ndarray:
    """Cut leading and trailing silence from a mono clip.

    A frame (``frame_s``, 10 ms) is "sound" when its RMS is within
    ``threshold_db`` of the clip's sample peak. The result runs from the first
    sound frame minus ``pre_roll_s`` to the last sound frame plus
    ``post_roll_s`` (seconds), so soft onsets and decaying endings are kept.

    Args:
        x: np.ndarray [shape=(n,)], mono samples.
        sample_rate: Rate of ``x`` (Hz).

    Returns:
        np.ndarray [shape=(m,)], ``m <= n``: a view/slice of ``x``; empty if ``x``
        is empty or entirely zero.
    """
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(f"trim_silence expects mono (n,), got shape {x.shape}")
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    if peak == 0.0:
        return x[:0]
    frame = max(1, int(round(frame_s * sample_rate)))
    n_frames = -(-x.size // frame)  # ceil
    padded = np.zeros(n_frames * frame, dtype=np.float64)
    padded[: x.size] = x
    rms = np.sqrt(np.mean(padded.reshape(n_frames, frame) ** 2, axis=1))
    loud = np.flatnonzero(rms >= peak * 10.0 ** (threshold_db / 20.0))
    if loud.size == 0:
        # Only possible for a threshold above the peak frame's RMS (e.g. a lone
        # click with threshold_db near 0): nothing counts as sound.
        return x[:0]
    start = max(0, loud[0] * frame - int(round(pre_roll_s * sample_rate)))
    stop = min(x.size, (loud[-1] + 1) * frame + int(round(post_roll_s * sample_rate)))
    return x[start:stop]


def apply_fades(x: np.ndarray, sample_rate: int, fade_s: float = FADE_S) -> np.ndarray:
    """Raised-cosine fade-in and fade-out of ``fade_s`` seconds; first and last sample become 0.

    Args:
        x: np.ndarray [shape=(n,)], mono samples; not modified.

    Returns:
        np.ndarray [shape=(n,)], a float32 copy. Clips shorter than two fades get two
        half-length fades.
    """
    y = np.array(x, dtype=np.float32, copy=True)
    n_fade = min(int(round(fade_s * sample_rate)), y.size // 2)
    if n_fade <= 0:
        return np.zeros_like(y)
    ramp = raised_cosine(np.arange(n_fade) / n_fade).astype(np.float32)  # 0 -> ~1
    y[:n_fade] *= ramp
    y[-n_fade:] *= ramp[::-1]
    return y


def prepare_utterances(
    texts: Sequence[str],
    backend: VoiceBackend,
    cache: SpeechCache,
    sample_rate: int = SAMPLE_RATE,
    speech_lufs: float = -20.0,
    where: Sequence[str] | None = None,
) -> list[np.ndarray]:
    """Synthesize, resample, trim, fade and loudness-match a list of utterances.

    Args:
        texts: Utterance texts, in script order.
        backend: The voice.
        cache: Speech cache to synthesize through.
        sample_rate: Output rate (Hz); the internal :data:`SAMPLE_RATE` by default.
        speech_lufs: Integrated loudness (LUFS) the concatenation of all
            clips is brought to, with one common gain.
        where: Optional location of each text (e.g. ``file:line:col``), put in
            front of any error about it.

    Returns:
        One np.ndarray [shape=(n_i,)], float32 mono, per text, at ``sample_rate``.
        Peaks are not limited here (a float array may exceed 1.0 at loud
        targets); the master stage's true-peak limiter handles that.

    Raises:
        VoiceError: if the voice returns empty or silent audio for a text
            (the message names the text).
    """
    clips: list[np.ndarray] = []
    for i, text in enumerate(texts):
        prefix = f"{where[i]}: " if where is not None else ""
        try:
            raw = np.asarray(cache.synthesize(backend, normalize_for_speech(text)), dtype=np.float32)
        except VoiceError as exc:
            raise VoiceError(f"{prefix}{exc}") from exc
        if raw.size == 0 or float(np.max(np.abs(raw))) < _SILENT_PEAK:
            raise VoiceError(
                f"{prefix}voice {backend.name!r} ({backend.language}) produced no audible speech "
                f"for utterance {text!r}"
            )
        if backend.sample_rate != sample_rate:
            raw = soxr.resample(raw, backend.sample_rate, sample_rate, quality="HQ")
        clips.append(apply_fades(trim_silence(raw, sample_rate), sample_rate))
    if not clips:
        return []

    # One gain for all clips: measure the concatenation (gaps would be gated
    # out anyway) and shift it to the target. Measured twice because the
    # -70 LUFS absolute gate makes loudness only almost linear in gain.
    # Filtered once for both gains, streamed: the clips are not copied into one array.
    joined = Concatenated(clips, sample_rate)
    long_enough = joined.n_samples > GATE_BLOCK_S * sample_rate
    energy, hop = subblock_energies(joined) if long_enough else array_energies(np.concatenate(clips), sample_rate)
    gain = 1.0
    for _ in range(2):
        loudness = gated_loudness(energy * gain**2, hop)
        if not np.isfinite(loudness):
            raise VoiceError(
                f"voice {backend.name!r} produced speech too quiet to measure for {len(clips)} utterances"
            )
        gain *= 10.0 ** ((speech_lufs - loudness) / 20.0)
    for clip in clips:  # each a fresh float32 array (apply_fades): scaled in place, not copied
        clip *= np.float32(gain)
    return clips


@dataclass(frozen=True)
class Speech:
    """What a voice made of a script.

    Attributes:
        clips: One clip per ``script.utterances``, in order, each
            np.ndarray [shape=(n_i,)], float32, at :data:`SAMPLE_RATE`.
        synthesized: Utterances the speech cache had to synthesize.
        cached: Utterances the speech cache answered from disk.
        warnings: What the producer should know that did not stop the voice
            (e.g. missing or stale takes).
    """

    clips: tuple[np.ndarray, ...]
    synthesized: int
    cached: int
    warnings: tuple[str, ...] = ()


class Voice(Protocol):
    """Speaks whole scripts: a synthesizer or a narrator's recorded takes.

    Attributes:
        name: The voice as the listener is told (the artist tag): a profile id
            or a built-in voice name.
    """

    name: str

    def speak(self, script: Script, cache: SpeechCache, speech_lufs: float) -> Speech:
        """The clips of ``script``'s utterances, brought to ``speech_lufs``, through ``cache``.

        Raises:
            VoiceError: naming the utterance, take or voice that failed.
        """
        ...


class SynthesizedVoice:
    """A :class:`Voice` over a speech backend: every utterance synthesized through the cache."""

    def __init__(self, backend: VoiceBackend) -> None:
        self.backend = backend
        self.name = backend.name

    def speak(self, script: Script, cache: SpeechCache, speech_lufs: float) -> Speech:
        """See :func:`prepare_utterances`; an error names the utterance's ``file:line:col``."""
        hits, misses = cache.hits, cache.misses
        clips = prepare_utterances(
            [u.text for u in script.utterances],
            self.backend,
            cache,
            SAMPLE_RATE,
            speech_lufs,
            where=[str(u.pos) for u in script.utterances],
        )
        return Speech(tuple(clips), cache.misses - misses, cache.hits - hits)
