"""The ``mbcl-audio`` command: a thin layer over the library (:mod:`mbcl_audio.build`, ``plan``, ``check``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from . import SAMPLE_RATE, __version__
from .build import BuildOptions, build_track, prepare_track, resolve_scripts, target_samples
from .errors import MbclError
from .render.mix import MixSettings
from .render.tones import TONE_FAMILIES
from .units import format_duration, parse_duration_s

if TYPE_CHECKING:
    from .render.voice.profiles import VoiceProfile
    from .script import Script

STAGES = ("parse", "speech", "plan", "master", "encode", "verify")
# Problems a producer can act on (bad input, missing files, permissions) print as one
# line; anything else is a bug and keeps its traceback.
USER_ERRORS = (MbclError, OSError)


def _fail(exc: BaseException) -> None:
    # Messages quote script syntax like [pause 3s]: print them as plain text, unwrapped.
    Console(stderr=True).print(Text("error: ", style="bold red") + Text(str(exc)), soft_wrap=True, highlight=False)
    sys.exit(1)


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


def _lengths(ctx, param, value: str | None) -> list[float | str] | None:
    """``"5m,10m,max"`` -> ``[300.0, 600.0, "max"]`` (``min``/``max``: the script's reachable ends)."""
    if value is None:
        return None
    try:
        return [
            v.strip().lower() if v.strip().lower() in ("min", "max") else parse_duration_s(v)
            for v in value.split(",")
            if v.strip()
        ]
    except ValueError as exc:
        raise click.BadParameter(f"{exc}, or min / max") from exc


def _bell(ctx, param, value: str | None) -> tuple[str, ...] | None:
    """``"start,end"`` -> ``("start", "end")``; ``"none"`` -> ``()``."""
    from .render.bell import BELL_PLACES

    if value is None:
        return None
    places = tuple(v.strip() for v in value.split(",") if v.strip())
    if places == ("none",):
        return ()
    unknown = [p for p in places if p not in BELL_PLACES]
    if unknown or not places:
        raise click.BadParameter(f"give places from {', '.join(BELL_PLACES)} (comma-separated), or none")
    return places


def _length(ctx, param, value: str | None) -> float | str | None:
    lengths = _lengths(ctx, param, value)
    if lengths is not None and len(lengths) != 1:
        raise click.BadParameter("give one length here, e.g. 5m")
    return lengths[0] if lengths else None


@main.command(
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
  mbcl-audio build 1 --lang en --profile acx --bed none"""
)
@click.argument("target")
@click.option("--lang", "languages", metavar="LANGS", help="Comma-separated languages, e.g. nl,en (default: every language that has the track).")
@click.option("--length", "lengths", callback=_lengths, metavar="DURATIONS", help="Target length, e.g. 5m or 7m30s, or min / max; several give one file each: 5m,10m,20m (default: the script's).")
@click.option("--voice", metavar="VOICE", help="Voice to speak with: a profile id from voices/ (see mbcl-audio voices), espeak, piper-joe, or a path to a piper .onnx voice (default: the script's).")
@click.option("--bed", metavar="BED", help="Background bed: warm-pad, ocean, rain, a file in the music folder, or none (default: the script's).")
@click.option("--pacing/--no-pacing", default=True, show_default=True, help="Sound the pacing tone where the script asks for it.")
@click.option("--tone", "pacing_sound", type=click.Choice(TONE_FAMILIES), help="Tone family of the pacing tone (default: the script's).")
@click.option("--bed-level", "bed_level_lu", type=float, default=MixSettings.bed_level_lu, show_default=True, help="Bed level in the pauses, in LU relative to the voice.")
@click.option("--tone-level", "pacing_level_lu", type=float, default=MixSettings.pacing_level_lu, show_default=True, help="Pacing tone level, in LU relative to the voice.")
@click.option("--bell", "bell", callback=_bell, metavar="PLACES", help="Strike a bell at start, end and/or sections (comma-separated), or none (default: the script's).")
@click.option("--profile", metavar="PROFILE", help="Loudness profile: meditation, ebu-r128, podcast, acx or one from mbcl-audio.toml (default: the script's, the project's, then meditation).")
@click.option("--loudness", "target_lufs", type=float, default=None, help="Override the profile's loudness target (LUFS; dB RMS for acx).")
@click.option("--qa/--no-qa", default=True, show_default=True, help="Refuse a file that fails the profile's checks (--no-qa: keep it and warn).")
@click.option("--music", "music_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("music"), show_default=True, help="Folder of user beds.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("output"), show_default=True, help="Folder the built set is written to.")
@click.option("--scripts", "scripts_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("scripts"), show_default=True, help="Folder with one sub-folder of scripts per language.")
@click.option("--voices", "voices_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("voices"), show_default=True, help="Folder of voice profiles (<id>/voice.toml).")
@click.option("--commercial", is_flag=True, help="The set is for sale: refuse a voice whose licence forbids commercial use.")
@click.option("--require-takes", is_flag=True, help="With a voice of recorded takes: fail on a missing take instead of speaking it with the fallback voice.")
def build(
    target, languages, lengths, voice, bed, pacing, pacing_sound, bed_level_lu, pacing_level_lu, bell, profile,
    target_lufs, qa, music_dir,
    out_dir, scripts_dir, voices_dir, commercial, require_takes,
):
    """Build TARGET (a script file or a track number) into tagged, loudness-normalized MP3s.

    Each track is written to OUT/<lang>/NN Title.mp3 (a length other than the
    script's default adds "(10 min)" to the name), measured after encoding
    (loudness, true peak) and listed with its figures. Utterances a takes
    voice has no recording for are spoken by its fallback voice and listed as
    a warning (--require-takes: an error).
    """
    console = Console(stderr=True)
    try:
        paths = resolve_scripts(target, _languages(languages), scripts_dir)
        jobs = [(path, length) for path in paths for length in (lengths or [None])]
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[stage]}"),
            TimeElapsedColumn(), console=console, transient=True,
        ) as progress:
            for path, length in jobs:
                options = BuildOptions(
                    length_s=length, voice=voice, bed=bed, pacing=pacing, pacing_sound=pacing_sound, bell=bell,
                    profile=profile, target_lufs=target_lufs, qa=qa, music_dir=music_dir,
                    mix=MixSettings(bed_level_lu=bed_level_lu, pacing_level_lu=pacing_level_lu),
                    commercial=commercial, voices_dir=voices_dir, require_takes=require_takes,
                )
                label = f"{path}" + (f" ({length if isinstance(length, str) else format_duration(length)})" if length else "")
                task = progress.add_task(label, total=len(STAGES), stage="")

                def step(stage: str, task=task) -> None:
                    progress.update(task, completed=STAGES.index(stage), stage=stage)

                r = build_track(path, out_dir, options, progress=step)
                progress.update(task, completed=len(STAGES), stage="done")
                warnings = list(r.warnings)
                if r.qa is not None and not r.qa.passed:
                    warnings.append(f"{r.path}: kept with --no-qa, but fails: " + "; ".join(f.message for f in r.qa.failures))
                for warning in warnings:
                    console.print(Text("warning: ", style="bold yellow") + Text(warning), soft_wrap=True, highlight=False)
                # Listed as soon as it is written, so a later failure cannot hide it.
                rms = f"RMS {r.qa.measurement.rms_db:.1f} dB  " if r.profile.target_measure == "rms" else ""
                click.echo(
                    f"{r.path}  {format_duration(r.duration_s)}  {r.profile.name}  {rms}{r.loudness_lufs:.1f} LUFS  "
                    f"{r.true_peak_dbtp:.1f} dBTP  {len(r.plan.chapters)} chapters  "
                    f"speech: {r.synthesized} synthesized, {r.cached} cached"
                )
    except USER_ERRORS as exc:
        _fail(exc)


@main.command(
    epilog="""Examples:

\b
  mbcl-audio plan scripts/nl/01-ademruimte-met-vriendelijkheid.txt
  mbcl-audio plan scripts/nl/03-mildheidmeditatie-jezelf.txt --length 25m --json
  mbcl-audio plan scripts/en/01-breathing-space-with-kindness.txt --synthesize"""
)
@click.argument("script", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--length", callback=_length, metavar="DURATION", help="Target length, or min / max (default: the script's).")
@click.option("--voice", metavar="VOICE", help="Voice whose speaking rate the plan assumes (default: the script's).")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON (times in seconds and samples).")
@click.option("--synthesize", is_flag=True, help="Plan with real speech durations (synthesizing through the cache) instead of estimates.")
def plan(script, length, voice, as_json, synthesize):
    """Show the timeline of SCRIPT without rendering audio.

    Lists each event's start, duration, kind and text, the chapters, where
    the pacing tone sounds, which optional passages are included, the slack
    of every pause and the reachable length range. Speech durations are
    estimated from each voice's speaking rate unless --synthesize is given.
    """
    from .plan import fit
    from .plan.report import format_plan, plan_to_dict
    from .plan.estimate import estimate_speech_samples
    from .script import parse_script

    try:
        if synthesize:
            planned = prepare_track(script, BuildOptions(length_s=length, voice=voice)).plan
        else:
            parsed = parse_script(script)
            speech = estimate_speech_samples(parsed, SAMPLE_RATE, voice)
            planned = fit(parsed, speech, target_samples(parsed, speech, length), SAMPLE_RATE)
    except USER_ERRORS as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(plan_to_dict(planned), ensure_ascii=False, indent=2))
    else:
        click.echo(format_plan(planned))


@main.command(
    epilog="""Examples:

\b
  mbcl-audio check
  mbcl-audio check scripts/nl
  mbcl-audio check scripts/en/03-kindness-meditation-yourself.txt"""
)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--music", "music_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("music"), show_default=True, help="Folder of user beds.")
def check(paths, music_dir):
    """Check scripts (default: everything under scripts/) and list every problem.

    Checks syntax, front matter, includes, that the default length is
    reachable, and that breath-locked halves fit their breath phase (measured
    by synthesizing them). Exits 1 when any error is found; warnings alone
    exit 0.
    """
    from .check import check_script, script_paths

    errors = warnings = 0
    targets = script_paths(paths or [Path("scripts")])
    if not targets:
        _fail(MbclError("no scripts found to check"))
    for path in targets:
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


@main.command(
    epilog="""Examples:

\b
  mbcl-audio profiles
  mbcl-audio build 1 --profile podcast"""
)
def profiles():
    """List the loudness profiles: the shipped ones and those in ./mbcl-audio.toml.

    The default one (the project's [build] profile, else meditation) is marked with *.
    """
    from .master.profiles import DEFAULT_PROFILE, all_profiles, load_project_config

    try:
        config = load_project_config()
        found = all_profiles(config)
    except USER_ERRORS as exc:
        _fail(exc)
    default = config.profile or DEFAULT_PROFILE
    for name, p in sorted(found.items()):
        unit = "LUFS" if p.target_measure == "lufs" else "dB RMS"
        peaks = f"true peak <= {p.true_peak_dbtp:g} dBTP" + (
            f", sample peak <= {p.sample_peak_dbfs:g} dBFS" if p.sample_peak_dbfs is not None else ""
        )
        mark = "*" if name == default else " "
        click.echo(f"{mark} {name:<12} {p.target:g} {unit} +/- {p.tolerance:g}, {peaks}  {p.description}")


@main.command(
    epilog="""Examples:

\b
  mbcl-audio voices
  mbcl-audio voices --voices /path/to/voices"""
)
@click.option("--voices", "voices_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("voices"), show_default=True, help="Folder of voice profiles (<id>/voice.toml).")
def voices(voices_dir):
    """List the voice profiles in VOICES and the built-in voices.

    For each: id, engine, languages, licence, whether its audio may be sold
    (build --commercial refuses those marked "no"), and whether it can run on
    this machine, with the reason when it cannot. Nothing is synthesized.
    """
    from .render.voice.profiles import BUILTIN_PROFILES, runnable, scan_profiles

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
        click.echo(f"error: {problem}", err=True)
    sys.exit(1 if broken else 0)


@main.group(
    epilog="""Examples:

\b
  mbcl-audio cache info
  mbcl-audio cache clear
  MBCL_AUDIO_CACHE=/tmp/speech mbcl-audio cache info"""
)
def cache():
    """Inspect or empty the speech cache ($MBCL_AUDIO_CACHE, else the user cache folder)."""


@cache.command("info")
def cache_info():
    """Show the cache folder, its number of entries and their total size."""
    from .render.voice import SpeechCache

    try:
        info = SpeechCache().info()
    except USER_ERRORS as exc:
        _fail(exc)
    click.echo(f"directory: {info.directory}")
    click.echo(f"entries: {info.entries}")
    click.echo(f"size: {info.total_mb:.1f} MB")


@cache.command("clear")
def cache_clear():
    """Remove every cached utterance (a later build synthesizes them again)."""
    from .render.voice import SpeechCache

    speech = SpeechCache()
    try:
        removed = speech.clear()
    except USER_ERRORS as exc:
        _fail(exc)
    click.echo(f"removed {removed} entries from {speech.directory}")


@main.group(
    epilog="""Examples:

\b
  mbcl-audio takes sheet scripts/nl --voice anna
  mbcl-audio takes status --voice anna
  mbcl-audio build 1 --lang nl --voice anna"""
)
def takes():
    """Record a narrator: recording sheets and the state of a takes voice's recordings.

    A takes voice is a profile voices/<id>/voice.toml with engine = "takes";
    its recordings live in voices/<id>/takes/<lang>/<track>/<utterance-id>.wav
    (or .flac, .mp3, .ogg). See docs/voices.md, "Recording a narrator".
    """


def _takes_scripts(voice: str, voices_dir: Path, paths: Sequence[Path]) -> tuple[VoiceProfile, list[Script]]:
    """The takes profile ``voice`` and the scripts under ``paths`` in a language it speaks, parsed."""
    from .check import script_paths
    from .render.voice.profiles import profile_for
    from .script import parse_script

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


_VOICES_OPTION = click.option(
    "--voices", "voices_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("voices"),
    show_default=True, help="Folder of voice profiles (<id>/voice.toml).",
)


@takes.command(
    "sheet",
    epilog="""Examples:

\b
  mbcl-audio takes sheet scripts/nl/01-ademruimte-met-vriendelijkheid.txt --voice anna
  mbcl-audio takes sheet scripts/nl --voice anna --voices /path/to/voices""",
)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--voice", required=True, metavar="VOICE", help="Id of a takes voice profile.")
@_VOICES_OPTION
def takes_sheet(paths, voice, voices_dir):
    """Write the recording sheet of each script in PATHS (script files or folders).

    Per track, in the voice's takes folder: recording-sheet.md (for the
    narrator: each utterance's ID, text, what follows it, delivery notes and
    whether it still needs recording), recording-sheet.csv (the same for the
    engineer) and takes.json (the text each take is recorded for, so that
    edited text shows as stale). Scripts in languages the voice does not speak
    are skipped. Prints the files written.
    """
    from .takes import takes_folder, write_sheet

    try:
        profile, scripts = _takes_scripts(voice, voices_dir, paths)
        for script in scripts:
            folder = takes_folder(profile.folder, script.front.language, script.front.track)
            files = write_sheet(script, folder, profile.id)
            for path in (files.markdown, files.csv, files.manifest):
                click.echo(str(path))
    except USER_ERRORS as exc:
        _fail(exc)


@takes.command(
    "status",
    epilog="""Examples:

\b
  mbcl-audio takes status --voice anna
  mbcl-audio takes status --voice anna scripts/nl/01-ademruimte-met-vriendelijkheid.txt""",
)
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--voice", required=True, metavar="VOICE", help="Id of a takes voice profile.")
@_VOICES_OPTION
def takes_status_command(paths, voice, voices_dir):
    """Report missing, extra, stale and unverified takes for each script in PATHS (default: scripts/).

    Missing: no take yet (a build speaks it with the fallback voice). Extra: a
    file whose name is no utterance ID of the script. Stale: recorded for a
    text the script no longer has. Unverified: no record of its text (run
    'takes sheet'). Scripts in languages the voice does not speak are
    skipped. Exits 1 when a take is missing or stale.
    """
    from .takes import takes_folder, takes_status

    try:
        profile, scripts = _takes_scripts(voice, voices_dir, paths or [Path("scripts")])
        incomplete = False
        for script in scripts:
            status = takes_status(script, takes_folder(profile.folder, script.front.language, script.front.track))
            click.echo(f"{script.path}")
            for line in status.lines():
                click.echo(f"  {line}")
            incomplete = incomplete or bool(status.missing or status.stale)
    except USER_ERRORS as exc:
        _fail(exc)
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
@click.option("--voice", required=True, metavar="VOICE", help="Id of a takes voice profile.")
@click.option("--min-silence", "min_silence_s", type=float, default=0.7, show_default=True, help="Shortest silence (s) between two utterances; shorter pauses stay inside an utterance.")
@click.option("--force", is_flag=True, help="Write the takes even when the count of utterances does not match (best-guess assignment).")
@_VOICES_OPTION
def takes_split(session, script_path, voice, min_silence_s, force, voices_dir):
    """Cut one continuous narration recording SESSION into one take per utterance.

    Speech is found by silence detection and assigned to the script's
    utterances in order. A count mismatch (an utterance skipped or read twice)
    is reported with the IDs concerned and nothing is written unless --force;
    durations far from the expected length are flagged. Exits 1 when the
    split needs attention.
    """
    from .takes import split_session, takes_folder

    try:
        profile, (script,) = _takes_scripts(voice, voices_dir, [script_path])
        fallback_voice = profile.fallback or "espeak"
        folder = takes_folder(profile.folder, script.front.language, script.front.track)
        report = split_session(session, script, fallback_voice, folder, min_silence_s=min_silence_s, force=force)
    except USER_ERRORS as exc:
        _fail(exc)
    for line in report.lines():
        click.echo(line)
    sys.exit(0 if report.ok else 1)


from .qa.command import qa  # noqa: E402  (the qa command lives with the qa package)

main.add_command(qa)


if __name__ == "__main__":  # python -m mbcl_audio.cli
    main()
