"""``mbcl-audio voices`` (the voices a build can speak with) and ``mbcl-audio cache`` (their speech cache)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..render.voice import SpeechCache
from ..render.voice.profiles import BUILTIN_PROFILES, runnable, scan_profiles
from .boundary import BoundaryCommand, BoundaryGroup, print_error
from .options import VOICES_OPTION

__all__ = ["cache", "voices"]


@click.command(
    cls=BoundaryCommand,
    epilog="""Examples:

\b
  mbcl-audio voices
  mbcl-audio voices --voices /path/to/voices""",
)
@VOICES_OPTION
def voices(voices_dir: Path) -> None:
    """List the voice profiles in VOICES and the built-in voices.

    For each: id, engine, languages, licence, whether its audio may be sold
    (build --commercial refuses those marked "no"), and whether it can run on
    this machine, with the reason when it cannot. Nothing is synthesized.
    """
    profiles, broken = scan_profiles(voices_dir)
    ids = {p.id for p in profiles}
    profiles += [p for name, p in BUILTIN_PROFILES.items() if name not in ids]
    header = ("id", "engine", "languages", "licence", "commercial", "runs here", "source")
    rows, reasons = [], []
    for p in profiles:
        ok, why = runnable(p)
        languages = "any espeak-ng language" if "*" in p.languages else ", ".join(p.languages)
        source = str(p.path) if p.path is not None else "built-in"
        rows.append((p.id, p.engine, languages, p.licence.name, "yes" if p.licence.commercial_use else "no", "yes" if ok else "no", source))
        if why:
            reasons.append(f"{p.id}: {'cannot run here: ' if not ok else ''}{why}")
        if p.fallback:
            reasons.append(f"{p.id}: falls back to {p.fallback}")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, *rows]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip())
    if reasons:
        click.echo("")
        for line in reasons:
            click.echo(line)
    for problem in broken:  # listed after the working voices, and the command fails
        print_error(problem)
    sys.exit(1 if broken else 0)


@click.group(
    cls=BoundaryGroup,
    epilog="""Examples:

\b
  mbcl-audio cache info
  mbcl-audio cache clear
  MBCL_AUDIO_CACHE=/tmp/speech mbcl-audio cache info""",
)
def cache() -> None:
    """Inspect or empty the speech cache ($MBCL_AUDIO_CACHE, else the user cache folder)."""


@cache.command("info")
def cache_info() -> None:
    """Show the cache folder, its number of entries and their total size."""
    info = SpeechCache().info()
    click.echo(f"directory: {info.directory}")
    click.echo(f"entries: {info.entries}")
    click.echo(f"size: {info.total_mb:.1f} MB")


@cache.command("clear")
def cache_clear() -> None:
    """Remove every cached utterance (a later build synthesizes them again)."""
    speech = SpeechCache()
    removed = speech.clear()
    click.echo(f"removed {removed} entries from {speech.directory}")
