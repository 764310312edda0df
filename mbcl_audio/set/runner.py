"""Build a whole set: every scripted track of each language, in parallel processes, only what changed.

:func:`plan_set` turns the scripts folder and the options into one :class:`TrackJob` per track
(or a failed :class:`TrackOutcome` for a script that cannot be read), :func:`build_set` runs the
jobs that are not up to date, records each result as it arrives, and packages every language
whose tracks all built (:mod:`.package`).
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import threading
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Literal, Optional, Sequence

from .. import SAMPLE_RATE
from ..audio import set_thread_budget
from ..heap import use_one_arena
from ..atomic import write_atomic
from ..build import BuildOptions, TrackResult, build_track, length_label, output_path
from ..catalog import Catalog, catalog_path, load_catalog
from ..errors import MbclError
from ..prepare import read_script
from ..render.voice import SpeechCache
from ..render.voice.profiles import profile_for
from ..script import track_scripts
from ..takes.files import file_sha256
from ..tracks import script_languages
from .inputs import input_hash
from .package import package_language
from .project import SetConfig, load_set_config
from .record import RecordEntry, load_record, save_record, up_to_date
from .transcripts import plan_cues, srt_text, vtt_text

__all__ = [
    "LENGTH_CHOICES", "SetOptions", "SetResult", "TrackJob", "TrackOutcome", "build_set", "plan_set", "with_project",
]

LengthChoice = Literal["default", "short", "long"]
LENGTH_CHOICES: tuple[LengthChoice, ...] = ("default", "short", "long")
Status = Literal["built", "up to date", "failed"]
#: ``(language, track number)``: one track of the set.
TrackKey = tuple[str, int]
#: Called in the building process with a track and what it is doing now: a build stage
#: (``parse``, ``speech``, ``plan``, ``master``, ``encode``, ``verify``, ``transcripts``) or its end
#: (``built``, ``up to date``, ``failed``).
SetProgress = Callable[[TrackKey, str], None]


@dataclass(frozen=True)
class SetOptions:
    """How a set is built; ``build`` holds the per-track options (voice, bed, profile, ...).

    ``None`` means: what the project file's ``[set]`` says (:mod:`.project`), else the default.
    """

    languages: Optional[tuple[str, ...]] = None
    #: Cores to use (default: every core): up to that many worker processes, the cores shared among
    #: the tracks building; 1 builds in this process, on one core.
    jobs: Optional[int] = None
    #: Each track at its catalogue ``default``, minimum (``short``) or maximum (``long``) length.
    #: Given here, it also sets aside the project file's per-track ``[lengths]``.
    lengths: Optional[LengthChoice] = None
    #: Rebuild tracks that are up to date.
    force: bool = False
    build: BuildOptions = BuildOptions()
    #: Speech cache folder (``None``: the default, ``$MBCL_AUDIO_CACHE`` or ``~/.cache``).
    cache_dir: Optional[Path] = None
    #: Voice per language, where ``build.voice`` names none.
    voices: dict[str, str] = field(default_factory=dict)
    #: Length per track number (seconds), over ``lengths``.
    track_lengths: dict[int, float] = field(default_factory=dict)
    #: Delivery formats (``None``: the project file's, else ``build.formats``, MP3 only).
    formats: Optional[tuple[str, ...]] = None
    #: Where tracks build: ``"local"`` worker processes (``jobs``), or ``"dask"``: tasks on the
    #: existing Dask cluster at ``scheduler`` (``jobs`` does not apply).
    executor: str = "local"
    #: The Dask scheduler's address (``tcp://host:8786``), for ``executor="dask"``.
    scheduler: Optional[str] = None


def with_project(options: SetOptions, config: SetConfig) -> SetOptions:
    """``options`` completed from the project file: what ``options`` leaves open, ``config`` fills."""
    return replace(
        options,
        languages=options.languages or config.languages,
        jobs=options.jobs or config.jobs or os.cpu_count() or 1,
        lengths=options.lengths or config.lengths or "default",  # type: ignore[arg-type]
        voices={**config.voices, **options.voices},
        track_lengths=dict(options.track_lengths) if options.lengths else {**config.track_lengths, **options.track_lengths},
        build=replace(
            options.build,
            bed=options.build.bed if options.build.bed is not None else config.bed,
            album=options.build.album or config.album,
            artist=options.build.artist or config.artist,
            publisher=options.build.publisher or config.publisher or "",
            year=options.build.year or config.year,
            formats=options.formats or config.formats or options.build.formats,
        ),
    )


@dataclass(frozen=True)
class TrackJob:
    """One track to build: its script, options and where it goes, and the hash of its inputs."""

    language: str
    track: int
    title: str
    script: Path
    options: BuildOptions
    out_dir: Path
    file: str
    input_hash: str
    length_variant: str
    #: The voice and bed the track is built with (the options', else the script's).
    voice: str
    bed: str
    cache_dir: Optional[Path] = None
    #: About how long the track comes out (s): the longest are started first.
    expected_s: float = 0.0

    @property
    def key(self) -> TrackKey:
        return (self.language, self.track)


@dataclass(frozen=True)
class TrackOutcome:
    language: str
    track: int
    title: str
    file: str
    status: Status
    entry: Optional[RecordEntry] = None
    error: str = ""
    synthesized: int = 0
    cached: int = 0
    warnings: tuple[str, ...] = ()

    @property
    def key(self) -> TrackKey:
        return (self.language, self.track)


@dataclass(frozen=True)
class SetResult:
    outcomes: tuple[TrackOutcome, ...]
    #: Per language, the files packaging wrote (playlists, manifest, zip); a language with a
    #: failed track is not packaged.
    packages: dict[str, tuple[str, ...]]

    @property
    def failed(self) -> tuple[TrackOutcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "failed")


def _length(options: SetOptions, catalog: Catalog, track: int) -> tuple[Optional[float], str]:
    """The length a track is built at (``None``: its default) and how the manifest names it."""
    info, choice = catalog[track], options.lengths
    if track in options.track_lengths:
        length_s = options.track_lengths[track]
        return length_s, "default" if round(length_s) == round(info.default_s) else length_label(length_s)
    if choice == "short":
        return info.min_s, "short"
    if choice == "long":
        return info.max_s, "long"
    length_s = options.build.length_s
    return (float(length_s), length_label(float(length_s))) if isinstance(length_s, (int, float)) else (None, "default")


def plan_set(scripts_dir: Path, out_dir: Path, options: SetOptions) -> tuple[Catalog, list[TrackJob], list[TrackOutcome]]:
    """The jobs of a set build, and the tracks that fail before building (unreadable scripts)."""
    scripts_dir, out_dir = Path(scripts_dir), Path(out_dir)
    catalog = load_catalog(catalog_path(scripts_dir))
    languages = list(options.languages or script_languages(scripts_dir))
    jobs: list[TrackJob] = []
    failed: list[TrackOutcome] = []
    for language in languages:
        folder = scripts_dir / language
        if not folder.is_dir():
            raise MbclError(f"{folder}: no scripts for language {language!r}")
        for info in catalog:
            paths = track_scripts(folder, info.number)
            title = info.title(language) or info.title("en") or ""
            if not paths:
                continue
            if len(paths) > 1:
                names = ", ".join(p.name for p in paths)
                failed.append(TrackOutcome(language, info.number, title, "", "failed", error=f"{folder}: {len(paths)} scripts for track {info.number}: {names}"))
                continue
            try:
                script = read_script(paths[0])
                length_s, variant = _length(options, catalog, info.number)
                voice = options.build.voice or options.voices.get(language)
                build = replace(options.build, length_s=length_s, voice=voice)
                file = output_path(script, out_dir, length_s).name
                digest = input_hash(script, build, scripts_dir)
            except (MbclError, OSError) as exc:
                failed.append(TrackOutcome(language, info.number, title, "", "failed", error=str(exc)))
                continue
            jobs.append(TrackJob(
                language, info.number, script.front.title, paths[0], build, out_dir, file, digest, variant,
                voice=voice or script.front.voice, bed=build.bed if build.bed is not None else script.front.bed,
                cache_dir=options.cache_dir, expected_s=length_s if length_s is not None else info.default_s,
            ))
    return catalog, jobs, failed


def _write_transcripts(result: TrackResult) -> tuple[str, ...]:
    cues = plan_cues(result.plan, result.shift_samples, round(result.duration_s * SAMPLE_RATE))
    title = result.path.stem
    vtt, srt = result.path.with_suffix(".vtt"), result.path.with_suffix(".srt")
    write_atomic(vtt, vtt_text(cues, title))
    write_atomic(srt, srt_text(cues))
    return (vtt.name, srt.name)


def run_job(job: TrackJob, events: Optional["queue_module.Queue[tuple[TrackKey, str]]"] = None) -> TrackOutcome:
    """Build one track and its transcripts (in a worker process or in this one); never raises for
    a failing track: the outcome says what went wrong."""

    def progress(stage: str) -> None:
        if events is not None:
            events.put((job.key, stage))

    try:
        cache = SpeechCache(job.cache_dir) if job.cache_dir is not None else SpeechCache()
        result = build_track(job.script, job.out_dir, job.options, cache, progress)
        progress("transcripts")
        transcripts = _write_transcripts(result)
        profile = profile_for(job.voice, job.options.voices_dir)
        entry = RecordEntry(
            track=job.track,
            title=job.title,
            file=result.path.name,
            input_hash=job.input_hash,
            sha256=file_sha256(result.path),
            duration_s=round(result.duration_s, 3),
            loudness_lufs=round(result.loudness_lufs, 2),
            true_peak_dbtp=round(result.true_peak_dbtp, 2),
            voice=job.voice,
            voice_licence=profile.licence.name if profile is not None else "",
            bed=job.bed,
            length_variant=job.length_variant,
            transcripts=transcripts,
            formats=tuple(
                {
                    "format": f.format, "file": f.path.name, "sha256": file_sha256(f.path), "duration_s": round(f.duration_s, 3),
                    "loudness_lufs": round(f.loudness_lufs, 2), "true_peak_dbtp": round(f.true_peak_dbtp, 2),
                    "qa_passed": f.qa.passed,
                }
                for f in result.formats
            ),
        )
        return TrackOutcome(job.language, job.track, job.title, result.path.name, "built", entry,
                            synthesized=result.synthesized, cached=result.cached, warnings=result.warnings)
    except Exception as exc:  # one track's failure, whatever it is, must not stop the set
        message = str(exc) if isinstance(exc, MbclError) else f"{type(exc).__name__}: {exc}"
        return TrackOutcome(job.language, job.track, job.title, job.file, "failed", error=message)


def _run_dask(jobs: Sequence[TrackJob], scheduler: Optional[str], progress: SetProgress, done: Callable[[TrackOutcome], None]) -> None:
    """Run ``jobs`` as tasks on the Dask cluster at ``scheduler``; outcomes reach ``done`` as they finish.

    Every worker must see the project's files, the output folder and the speech cache at the same
    paths (a shared file system), or keep its own speech cache (``$MBCL_AUDIO_CACHE`` per worker).
    """
    if not scheduler:
        raise MbclError("--executor dask needs --scheduler ADDRESS (the Dask scheduler, e.g. tcp://10.0.0.5:8786)")
    try:
        from distributed import Client, as_completed  # the optional dask extra
    except ImportError:
        raise MbclError("--executor dask needs Dask: pip install 'mbcl-audio[dask]'") from None
    try:
        client = Client(scheduler, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise MbclError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        futures = []
        for job in jobs:
            progress(job.key, "queued")
            # pure=False: a track is built each time it is asked for (its files are the point).
            futures.append(client.submit(run_job, job, pure=False, key=f"mbcl-{job.language}-{job.track:02d}-{job.input_hash[:16]}"))
        for future in as_completed(futures):
            done(future.result())


#: In a worker process: how many of the set's tracks are building now, and the queue its stage
#: events go to.
_shared: Optional[tuple[Any, Any]] = None


def _share_cores(cores: int, building: Any, events: Any) -> None:
    """In a worker process: its passes use its share of ``cores`` (:func:`mbcl_audio.audio.worker_threads`),
    ``cores`` over the tracks ``building`` at the time, so the last track running gets every core."""
    global _shared
    _shared = (building, events)
    set_thread_budget(lambda: cores // max(1, building.value))
    use_one_arena()


def _counted(job: TrackJob) -> TrackOutcome:
    """:func:`run_job` in a worker, counted among the tracks building while it runs."""
    building, events = _shared
    with building.get_lock():
        building.value += 1
    try:
        return run_job(job, events)
    finally:
        with building.get_lock():
            building.value -= 1


def _run_parallel(
    jobs: Sequence[TrackJob], workers: int, cores: int, progress: SetProgress, done: Callable[[TrackOutcome], None]
) -> None:
    """Run ``jobs`` in ``workers`` processes sharing ``cores``; stage events and outcomes reach this
    process's callbacks."""
    context = multiprocessing.get_context("spawn")  # no fork: the parent may run a progress thread
    # A queue the workers inherit (no manager process: starting one cost a second of every set).
    events = context.Queue()
    stop = threading.Event()

    def relay() -> None:
        # Runs until the workers are done and every event they sent has been passed on.
        while True:
            try:
                key, stage = events.get(timeout=0.1)
            except queue_module.Empty:
                if stop.is_set():
                    return
                continue
            except (EOFError, OSError):
                return
            progress(key, stage)

    relay_thread = threading.Thread(target=relay, daemon=True)
    relay_thread.start()
    # The cores are shared out among the tracks building at the time.
    building = context.Value("i", 0)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_share_cores, initargs=(cores, building, events))
    try:
        pending: set[Future[TrackOutcome]] = {pool.submit(_counted, job) for job in jobs}
        while pending:
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                done(future.result())
    except BaseException:
        # Ctrl-C reaches the workers too; each removes its staging file, none is replaced half-written.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
        stop.set()
        relay_thread.join()
        events.close()


def build_set(
    scripts_dir: Path = Path("scripts"),
    out_dir: Path = Path("output"),
    options: SetOptions = SetOptions(),
    progress: SetProgress = lambda key, stage: None,
) -> SetResult:
    """Build every scripted track of each language into ``out_dir/<lang>/`` and package each language.

    Tracks whose inputs are unchanged since the recorded build (:mod:`.record`) are reported
    ``up to date`` and not rebuilt (unless ``options.force``). A failing track does not stop the
    others; it is in :attr:`SetResult.failed`, and its language is not packaged.
    """
    options = with_project(options, load_set_config(options.build.project_dir))
    catalog, jobs, outcomes = plan_set(scripts_dir, out_dir, options)
    records = {lang: load_record(Path(out_dir) / lang) for lang in {j.language for j in jobs}}
    to_build: list[TrackJob] = []
    for job in jobs:
        entry = records[job.language].get(job.file)
        if not options.force and up_to_date(entry, job.input_hash, Path(out_dir) / job.language):
            outcomes.append(TrackOutcome(job.language, job.track, job.title, job.file, "up to date", entry))
            progress(job.key, "up to date")
        else:
            to_build.append(job)
    for outcome in outcomes:
        if outcome.status == "failed":
            progress(outcome.key, "failed")

    lock = threading.Lock()

    def done(outcome: TrackOutcome) -> None:
        with lock:
            outcomes.append(outcome)
            if outcome.entry is not None:
                records[outcome.language][outcome.file] = outcome.entry
                save_record(Path(out_dir) / outcome.language, records[outcome.language])
        progress(outcome.key, outcome.status)

    # -j N uses N cores (at most the machine's): N tracks at a time, or fewer tracks with the cores
    # shared among them. The longest tracks start first, so the last to finish is a short one.
    cores = max(1, min(options.jobs or 1, os.cpu_count() or 1))
    workers = max(1, min(options.jobs or 1, len(to_build)))
    to_build.sort(key=lambda job: -job.expected_s)
    if options.executor == "dask":
        if to_build:
            _run_dask(to_build, options.scheduler, progress, done)
    elif workers == 1:
        events: "queue_module.Queue[tuple[TrackKey, str]]" = queue_module.Queue()
        set_thread_budget(lambda: cores)
        try:
            for job in to_build:
                outcome = run_job(job, events)
                while not events.empty():
                    progress(*events.get())
                done(outcome)
        finally:
            set_thread_budget(None)
    elif to_build:
        _run_parallel(to_build, workers, cores, progress, done)

    packages: dict[str, tuple[str, ...]] = {}
    for language in dict.fromkeys(j.language for j in jobs):
        mine = [o for o in outcomes if o.language == language]
        if any(o.status == "failed" for o in mine):
            continue
        entries = [o.entry for o in mine if o.entry is not None]
        packages[language] = tuple(
            package_language(Path(out_dir) / language, language, catalog, entries, f"mbcl-audio-{language}.zip")
        )
    order = {job.key: k for k, job in enumerate(jobs)}
    outcomes.sort(key=lambda o: (o.language, order.get(o.key, -1), o.track))
    return SetResult(tuple(outcomes), packages)
