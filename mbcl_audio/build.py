"""The library API: build one track, or one track in several languages, end to end.

``build_track`` runs every stage in order and checks the encoded file by
decoding it: the loudness and true peak it reports are measured on the MP3 a
listener gets, not predicted from the plan.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from . import SAMPLE_RATE
from .audio import FileSource
from .export import TrackTags, track_filename, write_track
from .master import MasterResult, integrated_loudness, master, true_peak_source
from .plan import Plan, fit
from .render.mix import MixSettings, TrackMix
from .render.speech import prepare_utterances
from .render.voice import SpeechCache, get_voice
from .script import Script, parse_script
from .units import seconds_to_samples

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

    length_s: Optional[float] = None
    voice: Optional[str] = None
    bed: Optional[str] = None
    pacing: bool = True
    target_lufs: float = -18.0
    ceiling_dbtp: float = -1.0
    bitrate_kbps: int = 192
    mix: MixSettings = field(default_factory=MixSettings)


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


def output_path(script: Script, out_dir: Path) -> Path:
    """``<out>/<lang>/NN Title.mp3``."""
    return Path(out_dir) / script.front.language / track_filename(script.front.track, script.front.title)


def build_track(
    script_path: Path,
    out_dir: Path = Path("output"),
    options: BuildOptions = BuildOptions(),
    cache: Optional[SpeechCache] = None,
    progress: ProgressFn = lambda stage: None,
) -> TrackResult:
    """Build one script into ``<out_dir>/<lang>/NN Title.mp3`` and measure the result."""
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[stage] = seconds.get(stage, 0.0) + now - clock
        clock = now

    progress("parse")
    script = parse_script(Path(script_path))
    front = script.front
    lap("parse")

    progress("speech")
    cache = cache if cache is not None else SpeechCache()
    hits, misses = cache.hits, cache.misses
    voice = get_voice(options.voice or front.voice, front.language)
    utterances = prepare_utterances(
        [u.text for u in script.utterances], voice, cache, SAMPLE_RATE, options.mix.speech_lufs
    )
    lap("speech")

    progress("plan")
    length_s = options.length_s if options.length_s is not None else front.length_s
    plan = fit(script, [len(u) for u in utterances], seconds_to_samples(length_s, SAMPLE_RATE), SAMPLE_RATE)
    lap("plan")

    bed = options.bed if options.bed is not None else front.bed
    mix = TrackMix(plan, utterances, bed=bed, pacing=options.pacing, settings=options.mix)
    path = output_path(script, out_dir)
    tags = TrackTags(
        title=front.title,
        track_number=front.track,
        album=front.album or DEFAULT_ALBUM.get(front.language, "MBCL"),
        artist=front.artist or f"mbcl-audio ({voice.name})",
        language=front.language,
        comment=COMMENT,
    )
    headroom_db = ENCODER_HEADROOM_DB
    for attempt in range(MAX_ATTEMPTS):
        progress("master")
        mastered, result = master(mix, options.target_lufs, options.ceiling_dbtp, headroom_db)
        lap("master")
        progress("encode")
        write_track(mastered, path, tags, plan.chapters, options.bitrate_kbps)
        lap("encode")
        progress("verify")
        with FileSource(path) as decoded:
            loudness = integrated_loudness(decoded)
            peak = true_peak_source(decoded)
            duration_s = decoded.n_samples / decoded.sample_rate
        lap("verify")
        # The encoder can add inter-sample overshoot; if it crossed the ceiling, limit lower and redo.
        if peak <= options.ceiling_dbtp:
            break
        headroom_db += peak - options.ceiling_dbtp + 0.2
    else:
        path.unlink(missing_ok=True)
        raise RuntimeError(
            f"{path}: true peak {peak:.2f} dBTP stays above the {options.ceiling_dbtp} dBTP ceiling "
            f"after {MAX_ATTEMPTS} attempts; the file was removed"
        )
    return TrackResult(
        path=path,
        plan=plan,
        master=result,
        loudness_lufs=loudness,
        true_peak_dbtp=peak,
        duration_s=duration_s,
        synthesized=cache.misses - misses,
        cached=cache.hits - hits,
        seconds_per_stage=seconds,
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
        return [path]
    track = int(target)
    if not 1 <= track <= 27:
        raise ValueError(f"track number {track} is outside 1-27")
    scripts_dir = Path(scripts_dir)
    if languages is None:
        languages = sorted(
            d.name for d in scripts_dir.iterdir() if d.is_dir() and any(d.glob(f"{track:02d}-*.txt"))
        ) if scripts_dir.is_dir() else []
        if not languages:
            raise FileNotFoundError(f"{scripts_dir}: no language folder has a script for track {track:02d}")
    return [find_scripts(scripts_dir, lang, track) for lang in languages]
