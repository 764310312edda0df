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
from typing import TYPE_CHECKING, Callable, Optional, Sequence, Union

import numpy as np

from . import SAMPLE_RATE
from .audio import SourceSlice
from .errors import BuildError, MbclError
from .export import TrackTags, track_filename, write_track
from .master import MasterResult, master
from .master.profiles import LoudnessProfile, get_profile, load_project_config
from .master.roomtone import RoomTonePadded, quiet_edges
from .plan import Chapter, Plan, fit, reachable_range
from .render.mix import MixSettings, TrackMix
from .render.speech import prepare_utterances
from .render.voice import SpeechCache, VoiceError, get_voice
from .render.voice.profiles import VoiceProfile, profile_for, require_commercial_use
from .script import Script, parse_script
from .units import seconds_to_samples

if TYPE_CHECKING:
    from .qa import FileReport

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


@dataclass(frozen=True)
class BuildOptions:
    """What a producer or trainer may change per build (``None``: take the script's value)."""

    #: Seconds, or ``"min"`` / ``"max"`` for the shortest / longest length the script reaches.
    length_s: Optional[Union[float, str]] = None
    voice: Optional[str] = None
    bed: Optional[str] = None
    pacing: bool = True
    #: Tone family for every pacing stretch (``None``: the script's).
    pacing_sound: Optional[str] = None
    #: Where a bell strikes (``None``: the script's ``bell``; ``()``: nowhere).
    bell: Optional[tuple[str, ...]] = None
    #: Loudness profile name (``None``: the script's, then the project's, then ``meditation``).
    profile: Optional[str] = None
    #: Override the profile's loudness target (LUFS, or dB RMS for an RMS profile) / true-peak ceiling.
    target_lufs: Optional[float] = None
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
    qa: Optional["FileReport"] = None


def resolve_profile(script: Script, options: BuildOptions) -> LoudnessProfile:
    """The loudness profile a build masters to: ``--profile``, the script's, the project's, ``meditation``.

    ``options.target_lufs`` / ``options.ceiling_dbtp`` override its target and ceiling.
    """
    config = load_project_config(options.project_dir)
    profile = get_profile(options.profile or script.front.profile or None, config)
    if options.target_lufs is not None:
        field_name = "target_lufs" if profile.target_measure == "lufs" else "target_rms_db"
        profile = replace(profile, **{field_name: options.target_lufs}, name=f"{profile.name} (target {options.target_lufs:g})")
    if options.ceiling_dbtp is not None:
        profile = replace(profile, true_peak_dbtp=options.ceiling_dbtp, name=f"{profile.name} (ceiling {options.ceiling_dbtp:g})")
    return profile


def shift_chapters(chapters: Sequence[Chapter], shift_samples: int, n_samples: int) -> tuple[Chapter, ...]:
    """Chapters moved by ``shift_samples`` (room tone put before, silence trimmed).

    A chapter that now starts before the track is dropped unless it is the
    last such one (it then opens the track); one that starts at or past the
    end is dropped. The first kept starts at 0 and each runs to the next.
    """
    starts = [(c.title, c.start_sample + shift_samples) for c in chapters]
    opening = max((k for k, (_, at) in enumerate(starts) if at <= 0), default=None)
    keep = [(title, at) for k, (title, at) in enumerate(starts) if (k == opening if at <= 0 else at < n_samples)]
    if keep:
        keep[0] = (keep[0][0], 0)
    stops = [at for _, at in keep[1:]] + [n_samples]
    return tuple(Chapter(title, at, stop) for (title, at), stop in zip(keep, stops) if stop > at)


def target_samples(script: Script, speech_samples: Sequence[int], length_s: Optional[Union[float, str]]) -> int:
    """The length to plan: the script's default, a number of seconds, or ``"min"`` / ``"max"``."""
    if length_s in ("min", "max"):
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
) -> PreparedTrack:
    """Parse, synthesize (through the cache) or read the takes, plan and set up the mix of one script.

    A voice whose profile has engine ``"takes"`` speaks from its recordings
    (:func:`takes_speech`); any other voice is synthesized.
    """
    clock = clock or _StageClock(lambda stage: None)
    clock.start("parse")
    script = parse_script(Path(script_path))
    front = script.front

    clock.start("speech")
    cache = cache if cache is not None else SpeechCache()
    hits, misses = cache.hits, cache.misses
    voice_name = options.voice or front.voice
    if options.commercial:
        require_commercial_use(voice_name, options.voices_dir)
    profile = profile_for(voice_name, options.voices_dir)
    warnings: tuple[str, ...] = ()
    if profile is not None and profile.engine == "takes":
        utterances, warnings = takes_speech(script, profile, options, cache)
        name = profile.id
    else:
        voice = get_voice(voice_name, front.language, options.voices_dir)
        name = voice.name
        utterances = prepare_utterances(
            [u.text for u in script.utterances],
            voice,
            cache,
            SAMPLE_RATE,
            options.mix.speech_lufs,
            where=[str(u.pos) for u in script.utterances],
        )

    clock.start("plan")
    speech = [len(u) for u in utterances]
    plan = fit(script, speech, target_samples(script, speech, options.length_s), SAMPLE_RATE)
    if options.pacing_sound is not None:
        plan = replace(plan, pacing=tuple(replace(st, sound=options.pacing_sound) for st in plan.pacing))
    bed = options.bed if options.bed is not None else front.bed
    bell = options.bell if options.bell is not None else front.bell
    mix = TrackMix(
        plan, utterances, bed=bed, pacing=options.pacing, settings=options.mix, bell=bell, music_dir=options.music_dir
    )
    clock.stop()
    return PreparedTrack(script, name, plan, mix, cache.misses - misses, cache.hits - hits, warnings)


def takes_speech(
    script: Script, profile: VoiceProfile, options: BuildOptions, cache: SpeechCache
) -> tuple[list[np.ndarray], tuple[str, ...]]:
    """The clips of ``script`` from the takes of ``profile`` (engine ``"takes"``), and the warnings.

    Takes are read from ``<profile folder>/takes/<lang>/<track>``. A missing
    take is spoken by the profile's fallback voice (through ``cache``; the
    backend is only created when a take is missing) and listed in a warning;
    with ``options.require_takes`` it is an error listing every missing take.
    Stale takes (recorded for a text the script no longer has) are used and
    listed in a warning.

    Raises:
        VoiceError: for a voice that does not speak the script's language,
            missing takes under ``require_takes`` (or without a fallback), and
            unreadable takes.
    """
    from .takes import prepare_takes, takes_folder, tts_fallback
    from .takes.stitch import Fallback

    front = script.front
    if not profile.speaks(front.language) or profile.folder is None:
        raise VoiceError(
            f"voice {profile.id!r} ({profile.path}) has takes in {', '.join(profile.languages)}, "
            f"not {front.language!r}; record them or build with another voice (see mbcl-audio voices)"
        )
    fallback: Optional[Fallback] = None
    if profile.fallback is not None and not options.require_takes:
        fallback_name = profile.fallback
        backend: list[Fallback] = []

        def speak(text: str) -> np.ndarray:
            if not backend:  # only a missing take needs the TTS voice (e.g. a piper model) loaded
                backend.append(tts_fallback(get_voice(fallback_name, front.language, options.voices_dir), cache))
            return backend[0](text)

        fallback = speak

    folder = takes_folder(profile.folder, front.language, front.track)
    try:
        clips, report = prepare_takes(script, folder, SAMPLE_RATE, options.mix.speech_lufs, fallback=fallback)
    except VoiceError as exc:
        hint = " (--require-takes)" if options.require_takes else ""
        raise VoiceError(f"{script.path}: voice {profile.id!r}{hint}: {exc}") from exc
    warnings = []
    missing = report.warning()
    if missing is not None:
        warnings.append(f"{script.path}: voice {profile.id!r}: {missing}")
    if report.stale:
        listed = "; ".join(
            f"{s.id} recorded for {s.recorded_text!r}, script now says {s.script_text!r}" for s in report.stale
        )
        warnings.append(
            f"{script.path}: voice {profile.id!r}: {len(report.stale)} stale take(s) used as recorded "
            f"(re-record them; see 'mbcl-audio takes sheet'): {listed}"
        )
    if report.unverified:
        # IDs shift when an utterance is inserted; without the manifest nothing shows a take is misplaced.
        warnings.append(
            f"{script.path}: voice {profile.id!r}: {len(report.unverified)} take(s) with no record of "
            f"the text they were recorded for: {', '.join(report.unverified)}; run 'mbcl-audio takes "
            "sheet' once so that later edits to the text are caught"
        )
    return clips, tuple(warnings)


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
    from .export.tags import pacing_tag_json
    from .qa import analyze_file
    from .qa.roomtone import THRESHOLD_RANGE_DB

    clock = _StageClock(progress)
    track = prepare_track(script_path, options, cache, clock)
    script, plan, mix = track.script, track.plan, track.mix
    front = script.front
    profile = resolve_profile(script, options)
    if profile.sample_rate is not None and profile.sample_rate != SAMPLE_RATE:
        raise BuildError(
            f"profile {profile.name!r} asks for {profile.sample_rate} Hz; mbcl-audio renders at {SAMPLE_RATE} Hz"
        )
    bitrate = profile.bitrate_kbps or options.bitrate_kbps
    head = seconds_to_samples(profile.head_target_s, SAMPLE_RATE)
    tail = seconds_to_samples(profile.tail_target_s, SAMPLE_RATE)
    room_tone = bool(head or tail)
    # A profile that measures room tone (ACX) gets the track's own leading and trailing
    # silence replaced by exactly the room tone it asks for.
    body = mix.sound_span() if room_tone else (0, plan.length_samples)
    path = output_path(script, out_dir, None if options.length_s is None else plan.length_samples / SAMPLE_RATE)
    base_tags = TrackTags(
        title=front.title,
        track_number=front.track,
        album=front.album or DEFAULT_ALBUM.get(front.language, "MBCL"),
        artist=front.artist or f"mbcl-audio ({track.voice_name})",
        language=front.language,
        comment=COMMENT,
    )
    # Encode to a staging file and measure it; only a file that passes replaces the old one.
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = path.with_name(f".{path.stem}.staging.mp3")
    headroom_db = ENCODER_HEADROOM_DB
    try:
        for _ in range(MAX_ATTEMPTS):
            clock.start("master")
            # Master what will be heard: with room tone, the trimmed body, so an RMS target holds for the file.
            mastered, result = master(
                SourceSlice(mix, *body) if room_tone else mix,
                profile.target, profile.ceiling_dbtp, headroom_db, measure=profile.target_measure,
            )
            pad_head = pad_tail = 0
            if room_tone:
                # What is already quiet at the edges (a bed fading) counts towards the room tone.
                # Louder than QA's lowest sound threshold is sound to its room-tone check.
                lead, trail = quiet_edges(mastered, THRESHOLD_RANGE_DB[0], SAMPLE_RATE // 100, 10 * SAMPLE_RATE)
                pad_head, pad_tail = max(0, head - lead), max(0, tail - trail)
                mastered = RoomTonePadded(mastered, pad_head, pad_tail)
            n_samples = mastered.n_samples
            shift = pad_head - body[0]
            chapters = shift_chapters(plan.chapters, shift, n_samples) if room_tone else plan.chapters
            cycles = [c for c in pacing_cycles(mix, shift) if 0 <= c[0] < n_samples]
            tags = replace(base_tags, pacing=pacing_tag_json(cycles, SAMPLE_RATE) if cycles else "")
            clock.start("encode")
            write_track(mastered, staging, tags, chapters, bitrate)
            clock.start("verify")
            report = analyze_file(staging, profile, pacing=cycles or None)
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
                break
            headroom_db += peak - profile.ceiling_dbtp + 0.2
        else:
            raise BuildError(
                f"{path}: true peak {peak:.2f} dBTP stays above the {profile.ceiling_dbtp} dBTP "
                f"ceiling after {MAX_ATTEMPTS} attempts; nothing was written"
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
    return TrackResult(
        path=path,
        plan=plan,
        master=result,
        loudness_lufs=m.integrated_lufs,
        true_peak_dbtp=m.true_peak_dbtp,
        duration_s=m.duration_s,
        synthesized=track.synthesized,
        cached=track.cached,
        seconds_per_stage=clock.seconds,
        warnings=track.warnings,
        profile=profile,
        qa=report,
    )


def resolve_scripts(target: str, languages: Optional[list[str]], scripts_dir: Path) -> list[Path]:
    """What ``mbcl-audio build TARGET`` means: a script file, or a track number per language.

    For a track number without ``languages``, every language folder under
    ``scripts_dir`` that has that track is built.
    """
    from .script import find_scripts

    if not target.isdigit():
        path = Path(target)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such script file (give a script path or a track number 1-27)")
        if languages:
            # A script has one language; --lang with a path would silently build something else.
            raise MbclError(
                f"{path}: --lang selects scripts by track number; give the track number "
                f"(e.g. build {path.name[:2].lstrip('0') or '1'} --lang {','.join(languages)}) or drop --lang"
            )
        return [path]
    track = int(target)
    if not 1 <= track <= 27:
        raise MbclError(f"track number {track} is outside 1-27")
    scripts_dir = Path(scripts_dir)
    if languages is None:
        languages = sorted(
            d.name for d in scripts_dir.iterdir() if d.is_dir() and any(d.glob(f"{track:02d}-*.txt"))
        ) if scripts_dir.is_dir() else []
        if not languages:
            raise FileNotFoundError(f"{scripts_dir}: no language folder has a script for track {track:02d}")
    return [find_scripts(scripts_dir, lang, track) for lang in languages]
