"""``mbcl-audio plan`` (a script's timeline without audio) and ``mbcl-audio check`` (every problem of many scripts)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import SAMPLE_RATE
from ..build import BuildOptions, prepare_track, target_samples
from ..prepare import read_script
from ..render.bell import framed
from ..check import check_script, script_paths
from ..errors import MbclError
from ..plan import fit
from ..plan.estimate import estimate_lead_samples, estimate_speech_samples
from ..plan.report import format_plan, plan_to_dict
from ..vocab import LengthEnd
from .boundary import USER_ERRORS, BoundaryCommand
from .options import MUSIC_OPTION, parse_length

__all__ = ["check", "plan"]


@click.command(
    cls=BoundaryCommand,
    epilog="""Examples:

\b
  mbcl-audio plan scripts/nl/01-ademruimte-met-vriendelijkheid.txt
  mbcl-audio plan scripts/nl/03-mildheidmeditatie-jezelf.txt --length 25m --json
  mbcl-audio plan scripts/en/01-breathing-space-with-kindness.txt --synthesize""",
)
@click.argument("script", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--length", callback=parse_length, metavar="DURATION", help="Target length, or min / max (default: the script's).")
@click.option("--voice", metavar="VOICE", help="Voice whose speaking rate the plan assumes (default: the script's).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (times in seconds and samples).")
@click.option("--synthesize", is_flag=True, help="Plan with real speech durations (synthesizing through the cache) instead of estimates.")
def plan(script: Path, length: float | LengthEnd | None, voice: str | None, as_json: bool, synthesize: bool) -> None:
    """Show the timeline of SCRIPT without rendering audio.

    Lists each event's start, duration, kind and text, the chapters, where
    the pacing tone sounds, which optional passages are included, the slack
    of every pause and the reachable length range. Speech durations are
    estimated from each voice's speaking rate unless --synthesize is given.
    """
    if synthesize:
        planned = prepare_track(script, BuildOptions(length_s=length, voice=voice)).plan
    else:
        parsed = read_script(script)
        parsed = framed(parsed, parsed.front.bell)
        speech = estimate_speech_samples(parsed, SAMPLE_RATE, voice)
        leads = estimate_lead_samples(parsed, SAMPLE_RATE)
        planned = fit(parsed, speech, target_samples(parsed, speech, length), SAMPLE_RATE, leads)
    if as_json:
        click.echo(json.dumps(plan_to_dict(planned), ensure_ascii=False, indent=2))
    else:
        click.echo(format_plan(planned))


@click.command(
    cls=BoundaryCommand,
    epilog="""Examples:

\b
  mbcl-audio check
  mbcl-audio check scripts/nl
  mbcl-audio check scripts/en/03-kindness-meditation-yourself.txt""",
)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@MUSIC_OPTION
def check(paths: tuple[Path, ...], music_dir: Path) -> None:
    """Check scripts (default: everything under scripts/) and list every problem.

    Checks syntax, front matter, includes, that the default length is
    reachable, and that breath-locked halves fit their breath phase (measured
    by synthesizing them). Exits 1 when any error is found; warnings alone
    exit 0.
    """
    errors = warnings = 0
    targets = script_paths(paths or [Path("scripts")])
    if not targets:
        raise MbclError("no scripts found to check")
    for path in targets:
        # One script's failure is listed with its problems and the rest are still checked.
        try:
            problems = check_script(path, music_dir=music_dir)
        except USER_ERRORS as exc:
            problems = []
            click.echo(f"{path}: error: {exc}")
            errors += 1
        for problem in problems:
            click.echo(str(problem))
            errors += problem.severity == "error"
            warnings += problem.severity == "warning"
    click.echo(f"{len(targets)} scripts checked: {errors} errors, {warnings} warnings")
    sys.exit(1 if errors else 0)
