"""The library API: build one track, or one track in several languages, end to end.

``build_track`` runs every stage in order and checks the encoded file by
decoding it: the loudness and true peak it reports are measured on the MP3 a
listener gets, not predicted from the plan.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Optional

from . import SAMPLE_RATE
from .atomic import process_temp_path, remove_stale_temp_files
from .audio import Spool, worker_threads
from .errors import BuildError, MbclError
from .heap import release_free_memory
from .export import TrackTags, track_filename, write_tags, write_track
from .export.ahead import EncodeAhead
from .export.cover import cover_png
from .export.formats import AAC_FRAME_SAMPLES, EXTENSIONS, check_formats, decoded_length, tag_format, write_format
from .export.frames import pacing_tag_json, speech_tag_json
from .master import MasterResult
from .master.delivery import master_for_file, room_tone_samples
from .master.profiles import LoudnessProfile
from .plan import Plan
from .plan.shift import shift_chapters, shift_spans
from .prepare import (
    BuildOptions,
    PreparedTrack,
    ProgressFn,
    StageClock,
    pacing_cycles,
    prepare_track,
    resolve_profile,
    target_samples,
)
from .qa import FileReport, analyze_file
from .qa.formats import analyze_format
from .render.bed import BED_NAMES
from .render.voice import SpeechCache
from .render.voice.profiles import profile_for
from .script import Script, find_scripts, track_scripts
from .vocab import TRACK_NUMBERS, TRACK_RANGE

__all__ = [
    "BuildOptions", "PreparedTrack", "TrackResult", "build_track", "output_path", "pacing_cycles",
    "prepare_track", "resolve_profile", "resolve_scripts", "target_samples",
]

#: Spoken once in the tags of every track: what the set is, and what it is not.
COMMENT = "Practice audio accompanying a trainer-led MBCL course; not therapy. Built with mbcl-audio."

#: Written to the album tag when a script does not name one.
DEFAULT_ALBUM = {
    "nl": "Compassievol leven – oefeningen",
    "en": "Mindfulness-Based Compassionate Living – practices",
    "de": "Mitfühlend leben – Übungen",
}


#: ReplayGain 2.0's reference loudness (LUFS): a player applying the track gain plays it at this level.
REPLAYGAIN_REFERENCE_LUFS = -18.0

#: Limit this far below the ceiling: MP3 encoding adds inter-sample overshoot (dB).
ENCODER_HEADROOM_DB = 0.5
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class FormatFile:
    """One more delivery format of a track (beside its MP3), as written and measured."""

    format: str
    path: Path
    loudness_lufs: float
    true_peak_dbtp: float
    duration_s: float
    qa: FileReport


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
    #: Samples the file's timeline is moved against the plan's (a profile that trims the track to
    #: its sounds, ACX); 0 when the file is the plan.
    shift_samples: int = 0
    #: The other formats written beside the MP3 (``options.formats``), each checked by QA.
    formats: tuple[FormatFile, ...] = ()


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


def build_track(
    script_path: Path,
    out_dir: Path = Path("output"),
    options: BuildOptions = BuildOptions(),
    cache: Optional[SpeechCache] = None,
    progress: ProgressFn = lambda stage: None,
) -> TrackResult:
    """Build one script into ``<out_dir>/<lang>/NN Title.mp3`` and measure the result.

    The track is mastered to its loudness profile (:func:`~mbcl_audio.prepare.resolve_profile`),
    encoded to a staging file, decoded and checked by QA
    (:func:`mbcl_audio.qa.analyze_file`). Only a file that passes every check
    replaces the old one (``options.qa=False`` keeps a failing file, and
    still reports the checks).

    Raises:
        BuildError: the file failed QA, decodes to another length, or its true
            peak stays above the ceiling; nothing is written.
    """
    formats = check_formats(options.formats)  # before any work: m4a without ffmpeg stops here
    clock = StageClock(progress)
    track = prepare_track(script_path, options, cache, clock)
    release_free_memory()  # what synthesis and loading the speech left free, before the passes
    profile = track.profile
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
        report, result, shift, encoded = _encode_verified(
            track, _track_tags(track, options), profile, path, staging, profile.bitrate_kbps or options.bitrate_kbps, clock
        )
        if options.qa and not report.passed:
            failed = "; ".join(f.message for f in report.failures)
            raise BuildError(
                f"{path}: fails QA for profile {profile.name!r}: {failed}; nothing was written "
                f"(--no-qa keeps it anyway)"
            )
        # Every other format passes QA before the MP3 replaces the old one: a track is whole or not at all.
        others = [_write_format(fmt, encoded, profile, path, options.qa, clock) for fmt in formats[1:]]
        os.replace(staging, path)
        for k, other in enumerate(others):
            final = path.with_suffix(EXTENSIONS[other.format])
            os.replace(other.path, final)
            others[k] = replace(other, path=final)
        # A format no longer asked for would sit beside audio it was not made from.
        for fmt in (f for f in EXTENSIONS if f not in formats):
            path.with_suffix(EXTENSIONS[fmt]).unlink(missing_ok=True)
    finally:
        staging.unlink(missing_ok=True)
        for fmt in formats[1:]:
            process_temp_path(path.with_suffix(EXTENSIONS[fmt]), "staging").unlink(missing_ok=True)
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
        shift_samples=shift or 0,
        formats=tuple(others),
    )


def credits_text(voice_name: str, bed: str, voices_dir: Path) -> str:
    """Who and what made the audio, for the credits comment: the voice and its licence, the bed and its."""
    profile = profile_for(voice_name, voices_dir)
    voice = f"Voice: {voice_name} ({profile.licence.name if profile is not None else 'licence unknown'})."
    if bed == "none":
        return f"{voice} No background bed."
    if bed in BED_NAMES:
        return f"{voice} Bed: {bed}, generated by mbcl-audio (GPL-3.0-or-later; its audio CC0 1.0)."
    return f"{voice} Bed: {Path(bed).name}, a user file (its licence: see music/README.md)."


def _track_tags(track: PreparedTrack, options: BuildOptions) -> TrackTags:
    """The tags every attempt writes (the pacing tag is added per attempt)."""
    front = track.script.front
    album = options.album or front.album or DEFAULT_ALBUM.get(front.language, "MBCL")
    artist = options.artist or front.artist
    return TrackTags(
        title=front.title,
        track_number=front.track,
        album=album,
        artist=artist or f"mbcl-audio ({track.voice_name})",
        language=front.language,
        comment=COMMENT,
        album_artist=artist or "mbcl-audio",
        publisher=options.publisher,
        year=options.year,
        credits=credits_text(track.voice_name, track.bed, options.voices_dir),
        cover_png=_cover(album, front.language),
    )


@lru_cache(maxsize=8)
def _cover(album: str, language: str) -> bytes:
    """The album's cover (one per album and language; drawn once per process)."""
    return cover_png(album, f"mbcl-audio · {language}")


@dataclass(frozen=True)
class _Encoded:
    """The accepted attempt's mastered audio, tags and chapters: what the other formats are made from."""

    audio: object
    tags: TrackTags
    chapters: tuple


def _write_format(fmt: str, encoded: _Encoded, profile: LoudnessProfile, path: Path, qa: bool, clock: StageClock) -> FormatFile:
    """Write ``fmt`` beside the MP3 ``path`` into its staging file and check it like the MP3: same
    tags, loudness within the profile, true peak under the ceiling (lowered a little and encoded
    again while the codec's overshoot crosses it), and the length the format must decode to."""
    target = path.with_suffix(EXTENSIONS[fmt])
    staging = process_temp_path(target, "staging")
    source, gain_db = encoded.audio, 0.0
    for _ in range(MAX_ATTEMPTS):
        clock.start("encode")
        write_format(source, staging, fmt, encoded.tags, encoded.chapters, gain_db)
        clock.start("verify")
        report = analyze_format(staging, profile, encoded.tags.pacing, encoded.tags.speech)
        clock.stop()
        if report.facts is None:
            raise BuildError(f"{target}: {report.error}; nothing was written")
        expected = decoded_length(source.n_samples, source.sample_rate, fmt)
        got = report.facts.n_samples
        # AAC ends on a whole frame and has no exact-length header: allow its padding, no more.
        if not (expected <= got <= expected + (AAC_FRAME_SAMPLES if fmt == "m4a" else 0)):
            raise BuildError(f"{target}: decodes to {got} samples, {expected} expected; nothing was written")
        peak = report.measurement.true_peak_dbtp
        if peak <= profile.ceiling_dbtp:
            break
        gain_db -= peak - profile.ceiling_dbtp + 0.2
    else:
        raise BuildError(f"{target}: true peak {peak:.2f} dBTP stays above the {profile.ceiling_dbtp} dBTP ceiling; nothing was written")
    if qa and not report.passed:
        failed = "; ".join(f.message for f in report.failures)
        raise BuildError(f"{target}: fails QA for profile {profile.name!r}: {failed}; nothing was written (--no-qa keeps it anyway)")
    m = report.measurement
    # Its own ReplayGain, from what this file measured (not the MP3's); only the tags are rewritten.
    tags = replace(encoded.tags, replaygain_gain_db=round(REPLAYGAIN_REFERENCE_LUFS - m.integrated_lufs, 2),
                   replaygain_peak=round(10 ** (m.true_peak_dbtp / 20), 6))
    tag_format(staging, fmt, tags, encoded.chapters, source.sample_rate)
    return FormatFile(fmt, staging, m.integrated_lufs, m.true_peak_dbtp, m.duration_s, report)


def _encode_verified(
    track: PreparedTrack,
    base_tags: TrackTags,
    profile: LoudnessProfile,
    path: Path,
    staging: Path,
    bitrate_kbps: int,
    clock: StageClock,
) -> tuple[FileReport, MasterResult, Optional[int], _Encoded]:
    """Master, encode to ``staging`` and decode it for QA, limiting lower while the file's true peak is over the ceiling.

    Returns the QA report of ``staging`` (not yet judged against the
    profile's checks), the master result of the attempt that held the
    ceiling, and how far the file is shifted against the plan (``None``: not at all).
    ``path`` names the track in messages.

    Raises:
        BuildError: the file does not decode, decodes to another length than
            was mastered, or its true peak stays above the ceiling after
            :data:`MAX_ATTEMPTS` attempts.
    """
    headroom_db = ENCODER_HEADROOM_DB
    # The mix is rendered once, into a spool that every pass and attempt reads back; it renders in
    # the background while the loudness pass reads what is ready.
    rendered = Spool(track.mix, background=True)
    # A file that is the whole mix has its tags and chapters before mastering: with a core to spare,
    # the encoder starts on each limiter pass as it begins, beside the pass's measuring.
    ahead_ok = worker_threads() > 1 and not any(room_tone_samples(profile, SAMPLE_RATE))
    for _ in range(MAX_ATTEMPTS):
        clock.start("master")
        ahead = None
        if ahead_ok:
            planned = _file_marks(track, base_tags, None, track.mix.n_samples)
            ahead = EncodeAhead(lambda audio: write_track(audio, staging, planned[0], planned[1], bitrate_kbps))
        try:
            mastered, result, shift = master_for_file(
                track.mix, profile, headroom_db, track.requested_samples, rendered, on_pass=ahead and ahead.start
            )
            n_samples = mastered.n_samples
            tags, chapters, cycles, speech = _file_marks(track, base_tags, shift, n_samples)
            clock.start("encode")
            if ahead is None or not ahead.finish(mastered):
                write_track(mastered, staging, tags, chapters, bitrate_kbps)
        finally:
            if ahead is not None:
                ahead.cancel()  # after an error: the encoder stops and its temporary file goes
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
            # ReplayGain from what the file measured; rewriting the tag leaves the audio as checked.
            gain_db = REPLAYGAIN_REFERENCE_LUFS - report.measurement.integrated_lufs
            tags = replace(tags, replaygain_gain_db=round(gain_db, 2), replaygain_peak=round(10 ** (peak / 20), 6))
            write_tags(staging, tags, chapters, SAMPLE_RATE)
            return report, result, shift, _Encoded(mastered, tags, tuple(chapters))
        headroom_db += peak - profile.ceiling_dbtp + 0.2
    raise BuildError(
        f"{path}: true peak {peak:.2f} dBTP stays above the {profile.ceiling_dbtp} dBTP "
        f"ceiling after {MAX_ATTEMPTS} attempts; nothing was written"
    )


def _file_marks(track: PreparedTrack, base_tags: TrackTags, shift: Optional[int], n_samples: int) -> tuple:
    """``(tags, chapters, cycles, speech)`` of a file ``n_samples`` long, moved ``shift`` samples
    against the plan (``None``: not at all): the tags with the pacing and speech tags filled."""
    chapters = track.plan.chapters if shift is None else shift_chapters(track.plan.chapters, shift, n_samples)
    cycles = [c for c in pacing_cycles(track.mix, shift or 0) if 0 <= c[0] < n_samples]
    speech = [s for s in shift_spans(track.mix.speech_spans(), shift or 0) if s[0] < n_samples]
    tags = replace(
        base_tags,
        pacing=pacing_tag_json(cycles, SAMPLE_RATE) if cycles else "",
        speech=speech_tag_json(speech, SAMPLE_RATE) if speech else "",
    )
    return tags, chapters, cycles, speech


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
            d.name for d in scripts_dir.iterdir() if d.is_dir() and track_scripts(d, track)
        ) if scripts_dir.is_dir() else []
        if not languages:
            raise FileNotFoundError(f"{scripts_dir}: no language folder has a script for track {track:02d}")
    return [find_scripts(scripts_dir, lang, track) for lang in languages]
