"""The ``mbcl-audio`` command: a thin layer over :mod:`mbcl_audio.build`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from . import __version__
from .build import BuildOptions, build_track, resolve_scripts
from .errors import MbclError
from .units import format_duration, parse_duration_s

STAGES = ("parse", "speech", "plan", "master", "encode", "verify")
# Problems a producer can act on (bad input, missing files, permissions) print as one
# line; anything else is a bug and keeps its traceback.
USER_ERRORS = (MbclError, OSError)


@click.group(
    epilog="Example: build track 1 in Dutch and English into output/\n\n  mbcl-audio build 1 --lang nl,en"
)
@click.version_option(__version__, prog_name="mbcl-audio")
def main() -> None:
    """Build the MBCL guided-meditation tracks from timed exercise scripts."""


def _languages(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _length(ctx, param, value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return parse_duration_s(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@main.command(
    epilog="""Examples:

\b
  mbcl-audio build 1 --lang nl,en
  mbcl-audio build scripts/en/01-breathing-space-with-kindness.txt --length 8m
  mbcl-audio build 1 --lang nl --voice espeak --bed none --out /tmp/set"""
)
@click.argument("target")
@click.option("--lang", "languages", metavar="LANGS", help="Comma-separated languages, e.g. nl,en (default: every language that has the track).")
@click.option("--length", callback=_length, metavar="DURATION", help="Target length, e.g. 5m, 7m30s or 450s (default: the script's).")
@click.option("--voice", metavar="VOICE", help="Voice to speak with: espeak, piper-joe, or a path to a piper .onnx voice (default: the script's).")
@click.option("--bed", metavar="BED", help="Background bed: warm-pad or none (default: the script's).")
@click.option("--pacing/--no-pacing", default=True, show_default=True, help="Sound the pacing tone in breathe blocks.")
@click.option("--loudness", "target_lufs", type=float, default=-18.0, show_default=True, help="Integrated loudness target (LUFS).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("output"), show_default=True, help="Folder the built set is written to.")
@click.option("--scripts", "scripts_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("scripts"), show_default=True, help="Folder with one sub-folder of scripts per language.")
def build(target, languages, length, voice, bed, pacing, target_lufs, out_dir, scripts_dir):
    """Build TARGET (a script file or a track number) into tagged, loudness-normalized MP3s.

    Each track is written to OUT/<lang>/NN Title.mp3, measured after encoding
    (loudness, true peak) and listed with its figures.
    """
    console = Console(stderr=True)
    try:
        paths = resolve_scripts(target, _languages(languages), scripts_dir)
        options = BuildOptions(length_s=length, voice=voice, bed=bed, pacing=pacing, target_lufs=target_lufs)
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[stage]}"),
            TimeElapsedColumn(), console=console, transient=True,
        ) as progress:
            for path in paths:
                task = progress.add_task(str(path), total=len(STAGES), stage="")

                def step(stage: str, task=task) -> None:
                    progress.update(task, completed=STAGES.index(stage), stage=stage)

                r = build_track(path, out_dir, options, progress=step)
                progress.update(task, completed=len(STAGES), stage="done")
                # Listed as soon as it is written, so a later failure cannot hide it.
                click.echo(
                    f"{r.path}  {format_duration(r.duration_s)}  {r.loudness_lufs:.1f} LUFS  "
                    f"{r.true_peak_dbtp:.1f} dBTP  {len(r.plan.chapters)} chapters  "
                    f"speech: {r.synthesized} synthesized, {r.cached} cached"
                )
    except USER_ERRORS as exc:
        # Messages quote script syntax like [pause 3s]: print them as plain text, unwrapped.
        console.print(Text("error: ", style="bold red") + Text(str(exc)), soft_wrap=True, highlight=False)
        sys.exit(1)
