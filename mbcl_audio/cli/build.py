"""``mbcl-audio build`` and ``mbcl-audio profiles`` (the loudness profiles a build masters to)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.text import Text

from ..build import BuildOptions, build_track, resolve_scripts
from ..master.profiles import DEFAULT_PROFILE, all_profiles, load_project_config
from ..render.mix import MixSettings
from ..units import format_duration
from ..vocab import TONE_FAMILIES, BellPlace, LengthEnd, ToneFamily
from .boundary import BoundaryCommand
from .options import (
    FORMAT_OPTION,
    MUSIC_OPTION,
    OUT_OPTION,
    SCRIPTS_OPTION,
    VOICES_OPTION,
    parse_bell,
    parse_languages,
    parse_lengths,
)

__all__ = ["STAGES", "build", "profiles"]

STAGES = ("parse", "speech", "plan", "master", "encode", "verify")


@click.command(
    cls=BoundaryCommand,
    epilog="""Examples:

\b
  mbcl-audio build 1 --lang nl,en
  mbcl-audio build scripts/en/01-breathing-space-with-kindness.txt --length 8m
  mbcl-audio build 3 --lang nl --length 10m,15m,25m
  mbcl-audio build 3 --lang nl --length min,max
  mbcl-audio build 1 --lang nl --voice espeak --bed none --out /tmp/set
  mbcl-audio build 1 --lang nl --voice espeak-nl --commercial
  mbcl-audio build 1 --lang nl --voice anna --require-takes
  mbcl-audio build 1 --lang nl --tone ocean --bed rain --bell start,end
  mbcl-audio build 1 --lang en --profile acx --bed none""",
)
@click.argument("target")
@click.option("--lang", "languages", metavar="LANGS", help="Comma-separated languages, e.g. nl,en (default: every language that has the track).")
@click.option("--length", "lengths", callback=parse_lengths, metavar="DURATIONS", help="Target length, e.g. 5m or 7m30s, or min / max; several give one file each: 5m,10m,20m (default: the script's).")
@click.option("--voice", metavar="VOICE", help="Voice to speak with: a profile id from voices/ (see mbcl-audio voices), espeak, piper-joe, or a path to a piper .onnx voice (default: the script's).")
@click.option("--bed", metavar="BED", help="Background bed: warm-pad, ocean, rain, a file in the music folder, or none (default: the script's).")
@click.option("--pacing/--no-pacing", default=True, show_default=True, help="Sound the pacing tone where the script asks for it.")
@click.option("--tone", "pacing_sound", type=click.Choice(TONE_FAMILIES), help="Tone family of the pacing tone (default: the script's).")
@click.option("--bed-level", "bed_level_lu", type=float, default=MixSettings.bed_level_lu, show_default=True, help="Bed level in the pauses, in LU relative to the voice.")
@click.option("--tone-level", "pacing_level_lu", type=float, default=MixSettings.pacing_level_lu, show_default=True, help="Pacing tone level, in LU relative to the voice.")
@click.option("--bell", "bell", callback=parse_bell, metavar="PLACES", help="Strike a bell at start, end and/or sections (comma-separated), or none (default: the script's).")
@click.option("--profile", metavar="PROFILE", help="Loudness profile: meditation, ebu-r128, podcast, acx or one from mbcl-audio.toml (default: the script's, the project's, then meditation).")
@click.option("--loudness", "loudness_target", type=float, default=None, help="Override the profile's loudness target (LUFS of the voice or the whole file, as the profile measures; dB RMS for acx).")
@click.option("--qa/--no-qa", default=True, show_default=True, help="Refuse a file that fails the profile's checks (--no-qa: keep it and warn).")
@FORMAT_OPTION
@MUSIC_OPTION
@OUT_OPTION
@SCRIPTS_OPTION
@VOICES_OPTION
@click.option("--commercial", is_flag=True, help="The set is for sale: refuse a voice whose licence forbids commercial use.")
@click.option("--require-takes", is_flag=True, help="With a voice of recorded takes: fail on a missing take instead of speaking it with the fallback voice.")
def build(
    target: str, languages: str | None, lengths: list[float | LengthEnd] | None, voice: str | None, bed: str | None,
    pacing: bool, pacing_sound: ToneFamily | None, bed_level_lu: float, pacing_level_lu: float,
    bell: tuple[BellPlace, ...] | None, profile: str | None, loudness_target: float | None, qa: bool,
    formats: tuple[str, ...] | None, music_dir: Path,
    out_dir: Path, scripts_dir: Path, voices_dir: Path, commercial: bool, require_takes: bool,
) -> None:
    """Build TARGET (a script file or a track number) into tagged, loudness-normalized MP3s
    (and Opus / M4A files beside them with --format).

    Each track is written to OUT/<lang>/NN Title.mp3 (a length other than the
    script's default adds "(10 min)" to the name), measured after encoding
    (loudness, true peak) and listed with its figures. Utterances a takes
    voice has no recording for are spoken by its fallback voice and listed as
    a warning (--require-takes: an error).
    """
    console = Console(stderr=True)
    paths = resolve_scripts(target, parse_languages(languages), scripts_dir)
    jobs = [(path, length) for path in paths for length in (lengths or [None])]
    with Progress(
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(), console=console, transient=True,
    ) as progress:
        for path, length in jobs:
            options = BuildOptions(
                length_s=length, voice=voice, bed=bed, pacing=pacing, pacing_sound=pacing_sound, bell=bell,
                profile=profile, loudness_target=loudness_target, qa=qa, music_dir=music_dir,
                mix=MixSettings(bed_level_lu=bed_level_lu, pacing_level_lu=pacing_level_lu),
                commercial=commercial, voices_dir=voices_dir, require_takes=require_takes,
                formats=formats or ("mp3",),
            )
            label = f"{path}" + (f" ({length if isinstance(length, str) else format_duration(length)})" if length else "")
            task = progress.add_task(label, total=len(STAGES), stage="")

            def step(stage: str, task: TaskID = task) -> None:
                progress.update(task, completed=STAGES.index(stage), stage=stage)

            r = build_track(path, out_dir, options, progress=step)
            progress.update(task, completed=len(STAGES), stage="done")
            warnings = list(r.warnings)
            for report in [r.qa, *(f.qa for f in r.formats)]:
                if report is not None and not report.passed:
                    warnings.append(f"{report.path}: kept with --no-qa, but fails: " + "; ".join(f.message for f in report.failures))
            for warning in warnings:
                console.print(Text("warning: ", style="bold yellow") + Text(warning), soft_wrap=True, highlight=False)
            # Listed as soon as it is written, so a later failure cannot hide it.
            m = r.qa.measurement
            rms = f"RMS {m.rms_db:.1f} dB  " if r.profile.target_measure == "rms" else ""
            voice_level = f"voice {m.voice_lufs:.1f} LUFS  " if m.voice_lufs is not None else ""
            limited = r.master.max_speech_reduction_db
            click.echo(
                f"{r.path}  {format_duration(r.duration_s)}  {r.profile.name}  {rms}{voice_level}"
                f"integrated {r.loudness_lufs:.1f} LUFS  {r.true_peak_dbtp:.1f} dBTP  "
                + (f"speech limited <= {limited:.1f} dB  " if limited is not None else "")
                + f"{len(r.plan.chapters)} chapters  speech: {r.synthesized} synthesized, {r.cached} cached"
            )
            for f in r.formats:
                verdict = "QA passed" if f.qa.passed else "QA failed (kept with --no-qa)"
                click.echo(f"{f.path}  {format_duration(f.duration_s)}  integrated {f.loudness_lufs:.1f} LUFS  {f.true_peak_dbtp:.1f} dBTP  {verdict}")


@click.command(
    cls=BoundaryCommand,
    epilog="""Examples:

\b
  mbcl-audio profiles
  mbcl-audio build 1 --profile podcast""",
)
def profiles() -> None:
    """List the loudness profiles: the shipped ones and those in ./mbcl-audio.toml.

    The default one (the project's [build] profile, else meditation) is marked with *.
    """
    config = load_project_config()
    found = all_profiles(config)
    default = config.profile or DEFAULT_PROFILE
    for name, p in sorted(found.items()):
        unit = {"voice": "LUFS (voice)", "lufs": "LUFS (integrated)", "rms": "dB RMS"}[p.target_measure]
        peaks = f"true peak <= {p.true_peak_dbtp:g} dBTP" + (
            f", sample peak <= {p.sample_peak_dbfs:g} dBFS" if p.sample_peak_dbfs is not None else ""
        )
        mark = "*" if name == default else " "
        click.echo(f"{mark} {name:<12} {p.target:g} {unit} +/- {p.tolerance:g}, {peaks}  {p.description}")
