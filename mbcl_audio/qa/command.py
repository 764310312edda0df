"""``mbcl-audio qa PATHS... [--profile NAME] [--report DIR]``: check built files against a profile.

Exposed as the click command :data:`qa`; the CLI registers it with
``main.add_command(qa)``. Exit status 0 when every file passes, 1 when any
fails, and 1 with one ``Error:`` line for an unknown profile or no audio files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from ..audio import AUDIO_SUFFIXES
from ..errors import MbclError
from ..master.profiles import get_profile, load_project_config
from .analyze import analyze_file
from .report import write_report

#: The report folder's name when --report is not given.
DEFAULT_REPORT_DIR = "qa-report"


class NoAudioFiles(MbclError, FileNotFoundError):
    """The paths given hold no audio file to check."""


def find_audio_files(paths: Sequence[Path]) -> list[Path]:
    """Files among ``paths``, and audio files under any directories among them (sorted, each once).

    Hidden files (``.name``, e.g. the build's temporary files) are skipped in directories.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES and not p.name.startswith(".")
            )
        else:
            found.append(path)
    seen: set[Path] = set()
    unique = []
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    if not unique:
        where = ", ".join(str(p) for p in paths)
        raise NoAudioFiles(f"no audio files ({', '.join(AUDIO_SUFFIXES)}) found in {where}")
    return unique


def default_report_dir(paths: Sequence[Path]) -> Path:
    """``qa-report`` under the first path given (its folder, for a file)."""
    first = paths[0]
    return (first if first.is_dir() else first.parent) / DEFAULT_REPORT_DIR


@click.command(
    epilog="""Examples:

\b
  mbcl-audio qa output/nl
  mbcl-audio qa "output/en/01 Breathing Space with Kindness.mp3" --profile podcast
  mbcl-audio qa output --profile acx --report /tmp/acx-report"""
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--profile", "profile_name", metavar="NAME",
              help="Loudness profile to check against (default: the project's, else meditation).")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
              help=f"Folder for report.md, report.json and the PNGs (default: {DEFAULT_REPORT_DIR}/ "
                   "in the first folder given).")
def qa(paths: tuple[Path, ...], profile_name: str | None, report_dir: Path | None) -> None:
    """Measure built audio files (PATHS: files or folders) and check them against a loudness profile.

    Decodes every .mp3, .wav, .flac and .ogg file, measures loudness, peaks,
    noise floor, room tone, clipping and format, and writes report.md,
    report.json and one PNG per track. Prints PASS or FAIL per file; exits 1
    if any file fails.
    """
    try:
        profile = get_profile(profile_name, load_project_config())
        files = find_audio_files(list(paths))
    except MbclError as err:
        raise click.ClickException(str(err)) from None
    out = report_dir or default_report_dir(list(paths))
    reports = []
    for path in files:
        report = analyze_file(path, profile)
        reports.append(report)
        click.echo(report.summary_line())  # as soon as it is known
    try:
        written = write_report(reports, out)
    except OSError as err:
        raise click.ClickException(f"cannot write the report to {out}: {err.strerror or err}") from None
    failed = sum(not r.passed for r in reports)
    click.echo(f"{len(reports) - failed} of {len(reports)} files pass the {profile.name} profile")
    click.echo(f"report: {written.markdown} (and {written.json.name}, {len(written.pngs)} PNGs)")
    if failed:
        click.get_current_context().exit(1)
