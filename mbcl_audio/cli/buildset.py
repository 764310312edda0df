"""``mbcl-audio build-set``: every scripted track of each language, in parallel, only what changed."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Optional

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.text import Text

from ..build import BuildOptions
from ..set import LENGTH_CHOICES, SetOptions, SetResult, build_set
from ..units import format_duration
from .boundary import BoundaryCommand
from .build import STAGES
from .options import FORMAT_OPTION, MUSIC_OPTION, OUT_OPTION, SCRIPTS_OPTION, VOICES_OPTION, parse_languages

__all__ = ["build_set_command", "format_table"]

#: What each stage counts for in a track's bar (speech dominates a first build).
STEPS = (*STAGES, "transcripts")
ENDS = ("built", "up to date", "failed")


def format_table(result: SetResult) -> list[str]:
    """One line per track file: language, number, file, duration, loudness, true peak, status."""
    header = ["lang", "#", "file", "length", "LUFS", "dBTP", "status"]
    rows = []
    for o in result.outcomes:
        e = o.entry
        rows.append([
            o.language, str(o.track), o.file or o.title,
            format_duration(e.duration_s) if e else "-",
            f"{e.loudness_lufs:.1f}" if e else "-",
            f"{e.true_peak_dbtp:.1f}" if e else "-",
            o.status + (f" (speech: {o.synthesized} synthesized, {o.cached} cached)" if o.status == "built" else ""),
        ])
        # Each other format on a row of its own: its figures are measured on that file.
        for f in e.formats if e else ():
            rows.append([o.language, "", f["file"], format_duration(f["duration_s"]), f"{f['loudness_lufs']:.1f}",
                         f"{f['true_peak_dbtp']:.1f}", f"{f['format']}, QA " + ("passed" if f.get("qa_passed", True) else "failed (kept with --no-qa)")])
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header, *rows]]


@click.command(
    "build-set",
    cls=BoundaryCommand,
    epilog="""Examples:

\b
  mbcl-audio build-set --lang nl,en
  mbcl-audio build-set --lang nl -j 2 --lengths short --out /tmp/short-set
  mbcl-audio build-set --lang en --format mp3,opus,m4a
  mbcl-audio build-set --force
  mbcl-audio build-set --executor dask --scheduler tcp://10.0.0.5:8786""",
)
@click.option("--lang", "languages", metavar="LANGS", help="Comma-separated languages, e.g. nl,en (default: every language folder).")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, help="Cores to use: up to that many tracks built at once, in worker processes, the cores shared among the tracks building (default: every core; -j 1 builds one track at a time on one core).")
@click.option("--lengths", type=click.Choice(LENGTH_CHOICES), default=None, help="Every track at its catalogue default, shortest (short) or longest (long) length (default: mbcl-audio.toml's [set] and [lengths], else default).")
@click.option("--force", is_flag=True, help="Rebuild tracks that are up to date.")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="Build tracks in local worker processes, or as tasks on a Dask cluster (--scheduler; docs/set.md).")
@click.option("--scheduler", metavar="ADDRESS", help="The Dask scheduler for --executor dask, e.g. tcp://10.0.0.5:8786.")
@click.option("--voice", metavar="VOICE", help="Voice for every track (default: each script's).")
@click.option("--bed", metavar="BED", help="Background bed for every track (default: each script's).")
@click.option("--profile", metavar="PROFILE", help="Loudness profile for every track (default: the script's, the project's, then meditation).")
@FORMAT_OPTION
@MUSIC_OPTION
@OUT_OPTION
@SCRIPTS_OPTION
@VOICES_OPTION
def build_set_command(
    languages: Optional[str], jobs: Optional[int], lengths: Optional[str], force: bool, executor: str,
    scheduler: Optional[str], voice: Optional[str], bed: Optional[str],
    profile: Optional[str], formats: Optional[tuple[str, ...]], music_dir: Path, out_dir: Path, scripts_dir: Path, voices_dir: Path,
) -> None:
    """Build every scripted track of each language into OUT/<lang>/, and package each language.

    Tracks build in parallel worker processes. A track whose script, blocks,
    voice, bed, profile and options are unchanged since the last build is
    "up to date" and not rebuilt. Each language folder gets the tracks, a
    transcript per track (WebVTT and SRT), playlists (the whole set and one
    per course week), the offline player page index.html, manifest.json and
    a zip. --format adds Opus and M4A files beside each MP3. A failing track does not
    stop the others; the command then exits 1 and names it. A trainer's
    pack (languages, voices, bed, per-track lengths) can live in the
    project's mbcl-audio.toml ([set], [lengths]; see docs/set.md).
    """
    options = SetOptions(
        languages=tuple(parse_languages(languages) or ()) or None,
        jobs=jobs,
        lengths=lengths,  # type: ignore[arg-type]
        force=force,
        formats=formats,
        executor=executor,
        scheduler=scheduler,
        build=BuildOptions(voice=voice, bed=bed, profile=profile, music_dir=music_dir, voices_dir=voices_dir),
    )
    console = Console(stderr=True)
    started = time.perf_counter()
    tasks: dict[tuple[str, int], TaskID] = {}
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[stage]}"),
        TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=True,
    ) as progress:
        overall = progress.add_task("set", total=None, stage="")

        def step(key: tuple[str, int], stage: str) -> None:
            if key not in tasks:
                tasks[key] = progress.add_task(f"  {key[0]} {key[1]:02d}", total=len(STEPS), stage="")
            task = tasks[key]
            if stage in ENDS:
                progress.update(task, completed=len(STEPS), stage=stage, visible=False)
                progress.advance(overall)
            else:
                progress.update(task, completed=STEPS.index(stage) if stage in STEPS else 0, stage=stage)

        result = build_set(scripts_dir, out_dir, options, step)
    for line in format_table(result):
        click.echo(line)
    for outcome in result.outcomes:
        for warning in outcome.warnings:
            console.print(Text("warning: ", style="bold yellow") + Text(warning), soft_wrap=True, highlight=False)
    built = sum(o.status == "built" for o in result.outcomes)
    fresh = sum(o.status == "up to date" for o in result.outcomes)
    click.echo(
        f"{len(result.outcomes)} tracks: {built} built, {fresh} up to date, {len(result.failed)} failed "
        f"in {time.perf_counter() - started:.1f} s"
    )
    for language, files in result.packages.items():
        click.echo(f"{out_dir / language}: {', '.join(files)}")
    if result.failed:
        for outcome in result.failed:
            console.print(
                Text("error: ", style="bold red") + Text(f"track {outcome.track} ({outcome.language}) failed: {outcome.error}"),
                soft_wrap=True, highlight=False,
            )
        languages_failed = sorted({o.language for o in result.failed})
        console.print(Text(f"not packaged: {', '.join(languages_failed)} (a track failed)"), highlight=False)
        sys.exit(1)
