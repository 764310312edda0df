"""``mbcl-audio qa PATHS... [--profile NAME] [--report DIR]``: check built files against a profile.

Exit status 0 when every file passes, 1 when any fails (after the report is
written), and 1 with one ``error:`` line for an unknown profile, no audio
files or a report folder that cannot be written.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import MbclError
from ..master.profiles import get_profile, load_project_config
from ..qa import analyze_file, write_report
from ..qa.formats import analyze_format
from ..qa.files import DEFAULT_REPORT_DIR, default_report_dir, find_audio_files
from .boundary import BoundaryCommand

__all__ = ["qa"]


@click.command(
    cls=BoundaryCommand,
    epilog="""Examples:

\b
  mbcl-audio qa output/nl
  mbcl-audio qa "output/en/01 Breathing Space with Kindness.mp3" --profile podcast
  mbcl-audio qa output --profile acx --report /tmp/acx-report""",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--profile", "profile_name", metavar="NAME",
              help="Loudness profile to check against (default: the project's, else meditation).")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
              help=f"Folder for report.md, report.json and the PNGs (default: {DEFAULT_REPORT_DIR}/ "
                   "in the first folder given).")
def qa(paths: tuple[Path, ...], profile_name: str | None, report_dir: Path | None) -> None:
    """Measure built audio files (PATHS: files or folders) and check them against a loudness profile.

    Decodes every .mp3, .wav, .flac, .ogg, .opus and .m4a (with ffmpeg) file, measures loudness, peaks,
    noise floor, room tone, clipping and format, and writes report.md,
    report.json and one PNG per track. Prints PASS or FAIL per file; exits 1
    if any file fails.
    """
    profile = get_profile(profile_name, load_project_config())
    files = find_audio_files(list(paths))
    out = report_dir or default_report_dir(list(paths))
    reports = []
    for path in files:
        # Opus and M4A are held to the profile but not to its MP3 bitrate and rate, as the build holds them.
        report = analyze_format(path, profile) if path.suffix.lower() in (".opus", ".m4a") else analyze_file(path, profile)
        reports.append(report)
        click.echo(report.summary_line())  # as soon as it is known
    try:
        written = write_report(reports, out)
    except OSError as err:
        raise MbclError(f"cannot write the report to {out}: {err.strerror or err}") from err
    failed = sum(not r.passed for r in reports)
    click.echo(f"{len(reports) - failed} of {len(reports)} files pass the {profile.name} profile")
    click.echo(f"report: {written.markdown} (and {written.json.name}, {len(written.pngs)} PNGs)")
    if failed:
        click.get_current_context().exit(1)
