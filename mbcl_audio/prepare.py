"""Everything before mastering: a script parsed, spoken, planned to its length and set up as a mix.

:func:`prepare_track` is the first half of :func:`mbcl_audio.build.build_track`, and what
tools that measure a plan or a mix without encoding a file call (``BuildOptions`` says what
a producer or trainer may change).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

from . import SAMPLE_RATE
from .master.delivery import room_tone_samples
from .master.profiles import TARGET_KEYS, LoudnessProfile, get_profile, load_project_config
from .measure import onset_sample
from .plan import LengthError, Plan, fit, reachable_range
from .plan.estimate import estimate_speech_samples
from .render.bell import framed
from .render.mix import MixSettings, TrackMix
from .render.voice import SpeechCache, open_voice
from .render.voice.profiles import require_commercial_use
from .catalog import catalog_for_script, with_default_length
from .script import Script, parse_script
from .units import format_duration, seconds_to_samples
from .vocab import LENGTH_ENDS, BellPlace, LengthEnd, ToneFamily

ProgressFn = Callable[[str], None]

#: A length this far (a fraction) outside the range estimated speech reaches is refused before synthesis.
PRECHECK_MARGIN = 0.25
#: Most times the plan is refit so that a trimmed track (ACX) comes out at the requested length.
MAX_REFITS = 4


@dataclass(frozen=True)
class BuildOptions:
    """What a producer or trainer may change per build (``None``: take the script's value)."""

    #: Seconds, or ``"min"`` / ``"max"`` for the shortest / longest length the script reaches.
    length_s: Optional[Union[float, LengthEnd]] = None
    voice: Optional[str] = None
    bed: Optional[str] = None
    pacing: bool = True
    #: Tone family for every pacing stretch (``None``: the script's).
    pacing_sound: Optional[ToneFamily] = None
    #: Where a bell strikes (``None``: the script's ``bell``; ``()``: nowhere).
    bell: Optional[tuple[BellPlace, ...]] = None
    #: Loudness profile name (``None``: the script's, then the project's, then ``meditation``).
    profile: Optional[str] = None
    #: Override the profile's loudness target: LUFS, or dB RMS for a profile with ``target_rms_db`` (ACX).
    loudness_target: Optional[float] = None
    #: Override the profile's true-peak ceiling (dBTP).
    ceiling_dbtp: Optional[float] = None
    bitrate_kbps: int = 192
    mix: MixSettings = field(default_factory=MixSettings)
    #: Check the encoded file against the profile and refuse it when a check fails.
    qa: bool = True
    #: Folder of user beds, and the project folder holding ``mbcl-audio.toml``.
    music_dir: Path = Path("music")
    project_dir: Path = Path(".")
    #: Refuse a voice whose licence forbids selling its audio (see ``mbcl-audio voices``).
    commercial: bool = False
    #: Folder of voice profiles (``<id>/voice.toml``).
    voices_dir: Path = Path("voices")
    #: With a takes voice: a missing take is an error instead of being spoken by the fallback voice.
    require_takes: bool = False
    #: The album and artist the tags name (``None``: the script's, else the defaults).
    album: Optional[str] = None
    artist: Optional[str] = None
    #: The publisher and year the tags name (empty / ``None``: not written).
    publisher: str = ""
    year: Optional[int] = None
    #: Delivery formats: ``mp3`` always, plus ``opus`` and ``m4a`` (:mod:`mbcl_audio.export.formats`).
    formats: tuple[str, ...] = ("mp3",)


def resolve_profile(script: Script, options: BuildOptions) -> LoudnessProfile:
    """The loudness profile a build masters to: ``--profile``, the script's, the project's, ``meditation``.

    ``options.loudness_target`` / ``options.ceiling_dbtp`` override its target and ceiling.
    """
    config = load_project_config(options.project_dir)
    profile = get_profile(options.profile or script.front.profile or None, config)
    if options.loudness_target is not None:
        field_name = TARGET_KEYS[profile.target_measure]
        target = options.loudness_target
        profile = replace(profile, **{field_name: target}, name=f"{profile.name} (target {target:g})")
    if options.ceiling_dbtp is not None:
        profile = replace(profile, true_peak_dbtp=options.ceiling_dbtp, name=f"{profile.name} (ceiling {options.ceiling_dbtp:g})")
    return profile


def read_script(path: Path) -> Script:
    """Parse the script at ``path``, with its length from the track catalogue when it gives none."""
    return with_default_length(parse_script(Path(path)), catalog_for_script(path))


def target_samples(script: Script, speech_samples: Sequence[int], length_s: Optional[Union[float, LengthEnd]]) -> int:
    """The length to plan: the script's default, a number of seconds, or ``"min"`` / ``"max"``."""
    if length_s in LENGTH_ENDS:
        shortest, longest = reachable_range(script, speech_samples, SAMPLE_RATE)
        return shortest if length_s == "min" else longest
    return seconds_to_samples(script.front.length_s if length_s is None else float(length_s), SAMPLE_RATE)


@dataclass(frozen=True)
class PreparedTrack:
    """Everything before mastering: the parsed script, its speech, its plan and the mix."""

    script: Script
    voice_name: str
    plan: Plan
    mix: TrackMix
    synthesized: int
    cached: int
    #: See :attr:`TrackResult.warnings`.
    warnings: tuple[str, ...] = ()
    #: The length asked for (samples): the plan's, unless the profile's room tone made it refit the plan.
    requested_samples: int = 0
    #: The loudness profile the track is prepared for (:func:`resolve_profile`).
    profile: Optional[LoudnessProfile] = None
    #: The bed it is mixed with (``options.bed``, else the script's).
    bed: str = "none"


class StageClock:
    """Adds wall-clock seconds per stage and reports stage changes to ``progress``."""

    def __init__(self, progress: ProgressFn):
        self.progress = progress
        self.seconds: dict[str, float] = {}
        self._stage: Optional[str] = None
        self._t = time.perf_counter()

    def start(self, stage: str) -> None:
        self.stop()
        self._stage = stage
        self.progress(stage)

    def stop(self) -> None:
        now = time.perf_counter()
        if self._stage is not None:
            self.seconds[self._stage] = self.seconds.get(self._stage, 0.0) + now - self._t
        self._stage, self._t = None, now


def prepare_track(
    script_path: Path,
    options: BuildOptions = BuildOptions(),
    cache: Optional[SpeechCache] = None,
    clock: Optional[StageClock] = None,
) -> PreparedTrack:
    """Parse, speak (synthesized through the cache, or from recorded takes), plan and set up the mix of one script.

    The voice is :func:`~mbcl_audio.render.voice.open_voice`'s for
    ``options.voice`` (else the script's); a takes voice's warnings (missing,
    stale or unverified takes) come back in :attr:`PreparedTrack.warnings`.

    The track is prepared for its loudness profile (:func:`resolve_profile`): a
    profile that trims the track to its sounds and puts room tone at its ends (ACX)
    has the plan refit until its sounds span the requested length less that room
    tone (where the script's range allows), so the file comes out at the requested length.
    """
    clock = clock or StageClock(lambda stage: None)
    clock.start("parse")
    script = read_script(Path(script_path))
    front = script.front
    profile = resolve_profile(script, options)
    room_tone = room_tone_samples(profile, SAMPLE_RATE)

    voice_name = options.voice or front.voice
    bell = options.bell if options.bell is not None else front.bell
    bed = options.bed if options.bed is not None else front.bed
    planned = framed(script, bell)
    _reachable_before_speech(planned, voice_name, options.length_s)

    clock.start("speech")
    cache = cache if cache is not None else SpeechCache()
    if options.commercial:
        require_commercial_use(voice_name, options.voices_dir)
    voice = open_voice(voice_name, front.language, options.voices_dir, require_takes=options.require_takes)
    speech = voice.speak(script, cache, options.mix.speech_lufs)

    clock.start("plan")
    speech_samples = [len(clip) for clip in speech.clips]
    leads = [onset_sample(clip) for clip in speech.clips]

    def planned_mix(length_samples: int) -> TrackMix:
        plan = fit(planned, speech_samples, length_samples, SAMPLE_RATE, leads)
        if options.pacing_sound is not None:
            plan = replace(plan, pacing=tuple(replace(st, sound=options.pacing_sound) for st in plan.pacing))
        return TrackMix(
            plan, speech.clips, bed=bed, pacing=options.pacing, settings=options.mix, bell=bell,
            music_dir=options.music_dir, loop_cache=cache.directory / "beds",
        )

    requested = target_samples(planned, speech_samples, options.length_s)
    mix = planned_mix(requested)
    if any(room_tone):
        lowest, longest = reachable_range(planned, speech_samples, SAMPLE_RATE)
        goal = requested - sum(room_tone)
        for _ in range(MAX_REFITS):
            start, stop = mix.sound_span()
            length = min(max(mix.n_samples - ((stop - start) - goal), lowest), longest)
            if length == mix.n_samples:
                break
            try:
                mix = planned_mix(length)
            except LengthError:  # a gap in the reachable lengths: keep the nearest plan so far
                break
    clock.stop()
    return PreparedTrack(
        script, voice.name, mix.plan, mix, speech.synthesized, speech.cached, speech.warnings, requested, profile, bed
    )


def _reachable_before_speech(script: Script, voice: str, length_s: Optional[Union[float, LengthEnd]]) -> None:
    """Refuse a length far outside what the script reaches with estimated speech, before synthesizing any.

    Estimates are within a few percent of the build (docs/plan.md), so only lengths more than
    :data:`PRECHECK_MARGIN` outside the estimated range are refused here; the plan on the real
    speech decides the rest.
    """
    if length_s in LENGTH_ENDS:
        return
    target = target_samples(script, (), length_s)
    lo, hi = reachable_range(script, estimate_speech_samples(script, SAMPLE_RATE, voice), SAMPLE_RATE)
    if target < lo * (1 - PRECHECK_MARGIN) or target > hi * (1 + PRECHECK_MARGIN):
        raise LengthError(
            f"{script.path}: a length of {format_duration(target / SAMPLE_RATE)} cannot be reached: with estimated "
            f"speech this script plans from about {format_duration(lo / SAMPLE_RATE, 'up')} to "
            f"{format_duration(hi / SAMPLE_RATE, 'down')} (nothing was synthesized); choose a length in that range",
            lo, hi, SAMPLE_RATE,
        )


def pacing_cycles(mix: TrackMix, shift_samples: int = 0) -> list[tuple[int, int, int]]:
    """``(start, in, length)`` samples of every pacing cycle that sounds in ``mix``, moved by ``shift_samples``.

    A cycle cut short by the end of its stretch is listed as far as it sounds,
    so the cycles never overlap.
    """
    if mix.pacing is None:
        return []
    out = []
    for st, cycles in zip(mix.pacing.stretches, mix.pacing.cycles):
        for c in cycles:
            length = min(c.cycle_samples, st.stop_sample - c.start_sample)
            out.append((c.start_sample + shift_samples, min(c.in_samples, length), length))
    return out
