"""``mbcl-audio takes``: recording sheets, the state of a narrator's takes, and cutting a session into takes."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from ..check import script_paths
from ..errors import MbclError
from ..render.voice.profiles import VoiceProfile, profile_for
from ..script import Script, parse_script
from ..takes import split_session, takes_folder, takes_status, write_sheet
from .boundary import BoundaryGroup
from .options import TAKES_VOICE_OPTION, VOICES_OPTION

__all__ = ["takes"]


@click.group(
    cls=BoundaryGroup,
    epilog="""Examples:

\b
  mbcl-audio takes sheet scripts/nl --voice anna
  mbcl-audio takes status --voice anna
  mbcl-audio build 1 --lang nl --voice anna""",
)
def takes() -> None:
    """Record a narrator: recording sheets and the state of a takes voice's recordings.

    A takes voice is a profile voices/<id>/voice.toml with engine = "takes";
    its recordings live in voices/<id>/takes/<lang>/<track>/<utterance-id>.wav
    (or .flac, .mp3, .ogg). See docs/voices.md, "Recording a narrator".
    """


def _takes_scripts(voice: str, voices_dir: Path, paths: Sequence[Path]) -> tuple[VoiceProfile, list[Script]]:
    """The takes profile ``voice`` and the scripts under ``paths`` in a language it speaks, parsed."""
    profile = profile_for(voice, voices_dir)
    if profile is None or profile.engine != "takes" or profile.folder is None:
        what = "no voice profile" if profile is None else f"engine {profile.engine!r}, not \"takes\""
        raise MbclError(
            f"voice {voice!r}: {what}; a narrator's voice is a profile "
            f"{Path(voices_dir) / voice / 'voice.toml'} with engine = \"takes\" (see docs/voices.md)"
        )
    paths = script_paths(list(paths))
    scripts = [parse_script(path) for path in paths]
    spoken = [script for script in scripts if profile.speaks(script.front.language)]
    if not spoken:
        raise MbclError(
            f"no scripts in {', '.join(profile.languages)} (the languages of voice {voice!r}) among "
            f"{len(paths)} script(s) found"
        )
    return profile, spoken


@takes.command(
    "sheet",
    epilog="""Examples:

\b
  mbcl-audio takes sheet scripts/nl/01-ademruimte-met-vriendelijkheid.txt --voice anna
  mbcl-audio takes sheet scripts/nl --voice anna --voices /path/to/voices""",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@TAKES_VOICE_OPTION
@VOICES_OPTION
def takes_sheet(paths: tuple[Path, ...], voice: str, voices_dir: Path) -> None:
    """Write the recording sheet of each script in PATHS (script files or folders).

    Per track, in the voice's takes folder: recording-sheet.md (for the
    narrator: each utterance's ID, text, what follows it, delivery notes and
    whether it still needs recording), recording-sheet.csv (the same for the
    engineer) and takes.json (the text each take is recorded for, so that
    edited text shows as stale). Scripts in languages the voice does not speak
    are skipped. Prints the files written.
    """
    profile, scripts = _takes_scripts(voice, voices_dir, paths)
    for script in scripts:
        folder = takes_folder(profile.folder, script.front.language, script.front.track)
        files = write_sheet(script, folder, profile.id)
        for path in (files.markdown, files.csv, files.manifest):
            click.echo(str(path))


@takes.command(
    "status",
    epilog="""Examples:

\b
  mbcl-audio takes status --voice anna
  mbcl-audio takes status --voice anna scripts/nl/01-ademruimte-met-vriendelijkheid.txt""",
)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@TAKES_VOICE_OPTION
@VOICES_OPTION
def takes_status_command(paths: tuple[Path, ...], voice: str, voices_dir: Path) -> None:
    """Report missing, extra, stale and unverified takes for each script in PATHS (default: scripts/).

    Missing: no take yet (a build speaks it with the fallback voice). Extra: a
    file whose name is no utterance ID of the script. Stale: recorded for a
    text the script no longer has. Unverified: no record of its text (run
    'takes sheet'). Scripts in languages the voice does not speak are
    skipped. Exits 1 when a take is missing or stale.
    """
    profile, scripts = _takes_scripts(voice, voices_dir, paths or [Path("scripts")])
    incomplete = False
    for script in scripts:
        status = takes_status(script, takes_folder(profile.folder, script.front.language, script.front.track))
        click.echo(f"{script.path}")
        for line in status.lines():
            click.echo(f"  {line}")
        incomplete = incomplete or bool(status.missing or status.stale)
    sys.exit(1 if incomplete else 0)


@takes.command(
    "split",
    epilog="""Examples:

\b
  mbcl-audio takes split session-01.wav --script scripts/nl/01-ademruimte-met-vriendelijkheid.txt --voice anna
  mbcl-audio takes split session-01.flac --script scripts/nl/01-ademruimte-met-vriendelijkheid.txt --voice anna --min-silence 1.0""",
)
@click.argument("session", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--script", "script_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="The script the session was read from.")
@TAKES_VOICE_OPTION
@click.option("--min-silence", "min_silence_s", type=float, default=0.7, show_default=True, help="Shortest silence (s) between two utterances; shorter pauses stay inside an utterance.")
@click.option("--force", is_flag=True, help="Write the takes even when the count of utterances does not match (best-guess assignment).")
@VOICES_OPTION
def takes_split(
    session: Path, script_path: Path, voice: str, min_silence_s: float, force: bool, voices_dir: Path
) -> None:
    """Cut one continuous narration recording SESSION into one take per utterance.

    Speech is found by silence detection and assigned to the script's
    utterances in order. A count mismatch (an utterance skipped or read twice)
    is reported with the IDs concerned and nothing is written unless --force;
    durations far from the expected length are flagged. Exits 1 when the
    split needs attention.
    """
    profile, (script,) = _takes_scripts(voice, voices_dir, [script_path])
    fallback_voice = profile.fallback or "espeak"
    folder = takes_folder(profile.folder, script.front.language, script.front.track)
    report = split_session(session, script, fallback_voice, folder, min_silence_s=min_silence_s, force=force)
    for line in report.lines():
        click.echo(line)
    sys.exit(0 if report.ok else 1)
