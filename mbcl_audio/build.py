"""The library API: build one track, or one track in several languages, end to end.

``build_track`` runs every stage in order and checks the encoded file by
decoding it: the loudness and true peak it reports are measured on the MP3 a
listener gets, not predicted from the plan.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional, Sequence, Union

from . import SAMPLE_RATE
from .atomic import process_temp_path, remove_stale_temp_files
from .errors import BuildError, MbclError
from .export import TrackTags, track_filename, write_track
from .export.tags import pacing_tag_json, speech_tag_json
from .master import MasterResult
from .master.delivery import master_for_file, room_tone_samples
from .master.profiles import TARGET_KEYS, LoudnessProfile, get_profile, load_project_config
from .measure import onset_sample
from .plan import LengthError, Plan, fit, reachable_range
from .plan.shift import shift_chapters, shift_spans
from .qa import FileReport, analyze_file
from .render.bell import framed
from .render.mix import MixSettings, TrackMix
from .render.voice import SpeechCache, open_voice
from .render.voice.profiles import require_commercial_use
from .script import Script, find_scripts, parse_script
from .units import seconds_to_samples
from .vocab import LENGTH_ENDS, TRACK_NUMBERS, TRACK_RANGE, BellPlace, LengthEnd, ToneFamily

#: Spoken once in the tags of every track: what the set is, and what it is not.
COMMENT = "Practice audio accompanying a trainer-led MBCL course; not therapy. Built with mbcl-audio."

#: Written to the album tag when a script does not name one.
DEFAULT_ALBUM = {
    "nl": "Compassievol leven – oefeningen",
    "en": "Mindfulness-Based Compassionate Living – practices",
    "de": "Mitfühlend leben – Übungen",
}

ProgressFn = Callable[[str], None]

#: Limit this far below the ceiling: MP3 encoding adds inter-sample overshoot (dB).
ENCODER_HEADROOM_DB = 0.5
MAX_ATTEMPTS = 3
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


@dataclass(frozen=True)
class TrackResult:
    path: Path
    plan: Plan
    master: MasterResult
    #: Measured on the decoded MP3.
    loudness_lufs: float
    true_peak_dbtp: float
    duration_s: float
    synthesized: int
    cached: int
    seconds_per_stage: dict
    #: Things the producer should know but that did not stop the build (e.g. missing or stale takes).
    warnings: tuple[str, ...] = ()
    #: The profile mastered to, and the QA report of the decoded file.
    profile: Optional[LoudnessProfile] = None
    qa: Optional[FileReport] = None


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


def target_samples(script: Script, speech_samples: Sequence[int], length_s: Optional[Union[float, LengthEnd]]) -> int:
    """The length to plan: the script's default, a number of seconds, or ``"min"`` / ``"max"``."""
    if length_s in LENGTH_ENDS:
        shortest, longest = reachable_range(script, speech_samples, SAMPLE_RATE)
        return shortest if length_s == "min" else longest
    return seconds_to_samples(script.front.length_s if length_s is None else float(length_s), SAMPLE_RATE)


def length_label(length_s: float) -> str:
    """``600`` -> ``"10 min"``, ``450`` -> ``"7 min 30 s"``: the variant part of a file name."""
    minutes, seconds = divmod(int(round(length_s)), 60)
    parts = ([f"{minutes} min"] if minutes else []) + ([f"{seconds} s"] if seconds else [])
    return " ".join(parts) or "0 s"


def output_path(script: Script, out_dir: Path, length_s: Optional[float] = None) -> Path:
    """``<out>/<lang>/NN Title.mp3``; a length other than the script's default adds ``(10 min)``."""
    variant = ""
    if length_s is not None and round(length_s) != round(script.front.length_s):
        variant = length_label(length_s)
    return Path(out_dir) / script.front.language / track_filename(script.front.track, script.front.title, variant)


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
    #: The length asked for (samples): the plan's, unless a format's room tone made it refit the plan.
    requested_samples: int = 0


class _StageClock:
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
    clock: Optional[_StageClock] = None,
    room_tone_samples: tuple[int, int] = (0, 0),
) -> PreparedTrack:
    """Parse, speak (synthesized through the cache, or from recorded takes), plan and set up the mix of one script.

    The voice is :func:`~mbcl_audio.render.voice.open_voice`'s for
    ``options.voice`` (else the script's); a takes voice's warnings (missing,
    stale or unverified takes) come back in :attr:`PreparedTrack.warnings`.

    ``room_tone_samples``, ``(head, tail)``: a format that trims the track to its
    sounds and puts this much room tone at its ends (ACX). The plan is then refit
    until its sounds span the requested length less that room tone (where the
    script's range allows), so the file comes out at the requested length.
    """
    clock = clock or _StageClock(lambda stage: None)
    clock.start("parse")
    script = parse_script(Path(script_path))
    front = script.front

    clock.start("speech")
    cache = cache if cache is not None else SpeechCache()
    voice_name = options.voice or front.voice
    if options.commercial:
        require_commercial_use(voice_name, options.voices_dir)
    voice = open_voice(voice_name, front.language, options.voices_dir, require_takes=options.require_takes)
    speech = voice.speak(script, cache, options.mix.speech_lufs)

    clock.start("plan")
    speech_samples = [len(clip) for clip in speech.clips]
    leads = [onset_sample(clip) for clip in speech.clips]
    bell = options.bell if options.bell is not None else front.bell
    bed = options.bed if options.bed is not None else front.bed
    planned = framed(script, bell)

    def planned_mix(length_samples: int) -> TrackMix:
        plan = fit(planned, speech_samples, length_samples, SAMPLE_RATE, leads)
        if options.pacing_sound is not None:
            plan = replace(plan, pacing=tuple(replace(st, sound=options.pacing_sound) for st in plan.pacing))
        return TrackMix(
            plan, speech.clips, bed=bed, pacing=options.pacing, settings=options.mix, bell=bell,
            music_dir=options.music_dir,
        )

    requested = target_samples(planned, speech_samples, options.length_s)
    mix = planned_mix(requested)
    if any(room_tone_samples):
        lowest, longest = reachable_range(planned, speech_samples, SAMPLE_RATE)
        goal = requested - sum(room_tone_samples)
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
        script, voice.name, mix.plan, mix, speech.synthesized, speech.cached, speech.warnings, requested
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


def build_track(
    script_path: Path,
    out_dir: Path = Path("output"),
    options: BuildOptions = BuildOptions(),
    cache: Optional[SpeechCache] = None,
    progress: ProgressFn = lambda stage: None,
) -> TrackResult:
    """Build one script into ``<out_dir>/<lang>/NN Title.mp3`` and measure the result.

    The track is mastered to its loudness profile (:func:`resolve_profile`),
    encoded to a staging file, decoded and checked by QA
    (:func:`mbcl_audio.qa.analyze_file`). Only a file that passes every check
    replaces the old one (``options.qa=False`` keeps a failing file, and
    still reports the checks).

    Raises:
        BuildError: the file failed QA, decodes to another length, or its true
            peak stays above the ceiling; nothing is written.
    """
    clock = _StageClock(progress)
    profile = resolve_profile(parse_script(Path(script_path)), options)
    track = prepare_track(script_path, options, cache, clock, room_tone_samples(profile, SAMPLE_RATE))
    if profile.sample_rate is not None and profile.sample_rate != SAMPLE_RATE:
        raise BuildError(
            f"profile {profile.name!r} asks for {profile.sample_rate} Hz; mbcl-audio renders at {SAMPLE_RATE} Hz"
        )
    length_s = None if options.length_s is None else track.requested_samples / SAMPLE_RATE
    path = output_path(track.script, out_dir, length_s)
    # Encode to a staging file and measure it; only a file that passes replaces the old one.
    path.parent.mkdir(parents=True, exist_ok=True)
    # A build killed mid-way left its temporary files: they go now. A concurrent build's stay,
    # and each build stages under its own name, so two builds of one track both succeed.
    removed = remove_stale_temp_files(path.parent)
    staging = process_temp_path(path, "staging")
    try:
        report, result = _encode_verified(
            track, profile, path, staging, profile.bitrate_kbps or options.bitrate_kbps, clock
        )
        if options.qa and not report.passed:
            failed = "; ".join(f.message for f in report.failures)
            raise BuildError(
                f"{path}: fails QA for profile {profile.name!r}: {failed}; nothing was written "
                f"(--no-qa keeps it anyway)"
            )
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
    m = report.measurement
    warnings = track.warnings
    if removed:
        names = ", ".join(p.name for p in removed)
        warnings += (f"{path.parent}: removed {len(removed)} temporary file(s) a build that did not finish left: {names}",)
    if report.facts.n_samples != track.requested_samples:
        warnings += (
            f"{path}: {report.facts.n_samples / SAMPLE_RATE:.2f} s long, not the "
            f"{track.requested_samples / SAMPLE_RATE:.2f} s asked for: "
            f"profile {profile.name!r} allows only {profile.head_s[0]:g}-{profile.head_s[1]:g} s of room tone before "
            f"the first sound and {profile.tail_s[0]:g}-{profile.tail_s[1]:g} s after the last, so longer silence "
            "at the ends is trimmed",
        )
    return TrackResult(
        path=path,
        plan=track.plan,
        master=result,
        loudness_lufs=m.integrated_lufs,
        true_peak_dbtp=m.true_peak_dbtp,
        duration_s=m.duration_s,
        synthesized=track.synthesized,
        cached=track.cached,
        seconds_per_stage=clock.seconds,
        warnings=warnings,
        profile=profile,
        qa=report,
    )


def _track_tags(track: PreparedTrack) -> TrackTags:
    """The tags every attempt writes (the pacing tag is added per attempt)."""
    front = track.script.front
    return TrackTags(
        title=front.title,
        track_number=front.track,
        album=front.album or DEFAULT_ALBUM.get(front.language, "MBCL"),
        artist=front.artist or f"mbcl-audio ({track.voice_name})",
        language=front.language,
        comment=COMMENT,
    )


def _encode_verified(
    track: PreparedTrack,
    profile: LoudnessProfile,
    path: Path,
    staging: Path,
    bitrate_kbps: int,
    clock: _StageClock,
) -> tuple[FileReport, MasterResult]:
    """Master, encode to ``staging`` and decode it for QA, limiting lower while the file's true peak is over the ceiling.

    Returns the QA report of ``staging`` (not yet judged against the
    profile's checks) and the master result of the attempt that held the
    ceiling. ``path`` names the track in messages.

    Raises:
        BuildError: the file does not decode, decodes to another length than
            was mastered, or its true peak stays above the ceiling after
            :data:`MAX_ATTEMPTS` attempts.
    """
    base_tags = _track_tags(track)
    headroom_db = ENCODER_HEADROOM_DB
    for _ in range(MAX_ATTEMPTS):
        clock.start("master")
        mastered, result, shift = master_for_file(track.mix, profile, headroom_db, track.requested_samples)
        n_samples = mastered.n_samples
        chapters = track.plan.chapters if shift is None else shift_chapters(track.plan.chapters, shift, n_samples)
        cycles = [c for c in pacing_cycles(track.mix, shift or 0) if 0 <= c[0] < n_samples]
        speech = [s for s in shift_spans(track.mix.speech_spans(), shift or 0) if s[0] < n_samples]
        tags = replace(
            base_tags,
            pacing=pacing_tag_json(cycles, SAMPLE_RATE) if cycles else "",
            speech=speech_tag_json(speech, SAMPLE_RATE) if speech else "",
        )
        clock.start("encode")
        write_track(mastered, staging, tags, chapters, bitrate_kbps)
        clock.start("verify")
        report = analyze_file(staging, profile, pacing=cycles or None, speech=speech)
        clock.stop()
        if report.facts is None:
            raise BuildError(f"{report.error}; nothing was written")
        if report.facts.n_samples != n_samples:
            raise BuildError(
                f"{path}: the encoded file decodes to {report.facts.n_samples} samples, the plan has "
                f"{n_samples}; nothing was written"
            )
        # The encoder can add inter-sample overshoot; if it crossed the ceiling, limit lower and redo.
        peak = report.measurement.true_peak_dbtp
        if peak <= profile.ceiling_dbtp:
            return report, result
        headroom_db += peak - profile.ceiling_dbtp + 0.2
    raise BuildError(
        f"{path}: true peak {peak:.2f} dBTP stays above the {profile.ceiling_dbtp} dBTP "
        f"ceiling after {MAX_ATTEMPTS} attempts; nothing was written"
    )


def resolve_scripts(target: str, languages: Optional[list[str]], scripts_dir: Path) -> list[Path]:
    """What ``mbcl-audio build TARGET`` means: a script file, or a track number per language.

    For a track number without ``languages``, every language folder under
    ``scripts_dir`` that has that track is built.
    """
    if not target.isdigit():
        path = Path(target)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such script file (give a script path or a track number {TRACK_RANGE})")
        if languages:
            # A script has one language; --lang with a path would silently build something else.
            raise MbclError(
                f"{path}: --lang selects scripts by track number; give the track number "
                f"(e.g. build {path.name[:2].lstrip('0') or '1'} --lang {','.join(languages)}) or drop --lang"
            )
        return [path]
    track = int(target)
    if track not in TRACK_NUMBERS:
        raise MbclError(f"track number {track} is outside {TRACK_RANGE}")
    scripts_dir = Path(scripts_dir)
    if languages is None:
        languages = sorted(
            d.name for d in scripts_dir.iterdir() if d.is_dir() and any(d.glob(f"{track:02d}-*.txt"))
        ) if scripts_dir.is_dir() else []
        if not languages:
            raise FileNotFoundError(f"{scripts_dir}: no language folder has a script for track {track:02d}")
    return [find_scripts(scripts_dir, lang, track) for lang in languages]
