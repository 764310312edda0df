"""Mastering a planned mix as the file holds it: the whole mix faded to silence, or trimmed to its sounds with room tone (ACX).

:func:`master_for_file` is what a build masters and encodes. The gain comes
from where the voice speaks (:meth:`~mbcl_audio.render.mix.TrackMix.speech_spans`)
for a voice target, and the voice level and limiting on speech are reported
for every profile.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Optional

from ..audio import FadedOut, Source, SourceSlice
from ..plan.shift import shift_spans
from ..render.mix import TrackMix
from ..units import seconds_to_samples
from .mastering import MasterResult, master
from .profiles import LoudnessProfile
from .roomtone import QUIET_BELOW_DB, RoomTonePadded, quiet_edges, room_tone_pads

#: Every file but one with room tone at its ends (ACX) fades to digital silence over its last moments (s).
END_FADE_S = 1.0
#: Room tone at a file's ends stays this far inside what the profile allows: QA finds the edge
#: of the sound within a few milliseconds of where the plan puts it (s).
ROOM_TONE_MARGIN_S = 0.1


def room_tone_range(range_s: Optional[tuple[float, float]], preferred_s: float, sample_rate: int) -> tuple[int, int, int]:
    """``(lowest, preferred, highest)`` room tone in samples, kept ``ROOM_TONE_MARGIN_S`` inside ``range_s``."""
    lo, hi = range_s or (0.0, 0.0)
    lo, hi = min(lo + ROOM_TONE_MARGIN_S, preferred_s), max(hi - ROOM_TONE_MARGIN_S, preferred_s)
    return tuple(seconds_to_samples(v, sample_rate) for v in (lo, preferred_s, hi))


def room_tone_samples(profile: LoudnessProfile, sample_rate: int) -> tuple[int, int]:
    """``(head, tail)``: the room tone ``profile`` puts at a file's ends (samples); ``(0, 0)`` for none."""
    return (
        seconds_to_samples(profile.head_target_s, sample_rate),
        seconds_to_samples(profile.tail_target_s, sample_rate),
    )


def master_for_file(
    mix: TrackMix,
    profile: LoudnessProfile,
    headroom_db: float,
    length_samples: int,
    rendered: Optional[Source] = None,
    on_pass: Optional[Callable[[Source], None]] = None,
) -> tuple[Source, MasterResult, Optional[int]]:
    """``mix`` mastered as the file holds it, and the file's offset from the plan's timeline (samples).

    A profile that measures room tone (ACX) gets the track's own leading and
    trailing silence replaced by the room tone it asks for, the tail's sized
    so the file is ``length_samples`` long where the profile's range allows
    (:func:`~mbcl_audio.master.roomtone.room_tone_pads`); the trimmed body is
    what is mastered, so an RMS target holds for the file. Any other file is
    the whole mix, faded to digital silence over its last ``END_FADE_S``. The
    offset is ``None`` when the file holds the whole mix as planned. ``rendered`` is the mix's
    audio when it is already rendered (a :class:`~mbcl_audio.audio.Spool` of it), else ``mix``.

    ``on_pass(audio)``, for a file that is the whole mix, sees each limiter pass as the file would
    hold it, as the pass starts (:func:`~mbcl_audio.master.mastering.master`): the source returned
    is the very object the last call saw, so a caller that started encoding it can tell.
    A file trimmed to its sounds is only known after mastering: ``on_pass`` is not called.
    """
    audio = mix if rendered is None else rendered
    sr = mix.sample_rate
    speech = mix.speech_spans()
    if not any(room_tone_samples(profile, sr)):
        fade = seconds_to_samples(END_FADE_S, sr)
        passes: list[FadedOut] = []

        def started(limited: Source) -> None:
            passes.append(FadedOut(limited, fade))
            on_pass(passes[-1])

        mastered, result = master(
            audio, profile.target, profile.ceiling_dbtp, headroom_db, measure=profile.target_measure,
            speech_spans=speech, on_pass=None if on_pass is None else started,
        )
        faded = passes[-1] if passes and passes[-1].source is mastered else FadedOut(mastered, fade)
        return faded, result, None
    start, stop = mix.sound_span()
    body = SourceSlice(audio, start, stop)
    target = profile.target
    for _ in range(2):
        mastered, result = master(
            body, target, profile.ceiling_dbtp, headroom_db,
            measure=profile.target_measure, speech_spans=shift_spans(speech, -start),
        )
        # What is already quiet at the edges (a bed fading) counts towards the room tone.
        lead, trail = quiet_edges(mastered, QUIET_BELOW_DB, sr // 100, 10 * sr)
        pad_head, pad_tail = room_tone_pads(
            stop - start, lead, trail, length_samples,
            room_tone_range(profile.head_s, profile.head_target_s, sr),
            room_tone_range(profile.tail_s, profile.tail_target_s, sr),
        )
        if profile.target_measure != "rms":
            break
        # An RMS target holds for the whole file: the room tone around the body (at -70 dB) adds
        # samples, not energy, so the body aims that much higher.
        corrected = profile.target + 10 * math.log10((stop - start + pad_head + pad_tail) / (stop - start))
        if abs(corrected - target) < 0.01:
            break
        target = corrected
    return RoomTonePadded(mastered, pad_head, pad_tail), result, pad_head - start
