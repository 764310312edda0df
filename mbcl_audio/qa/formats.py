"""QA of the other delivery formats (Opus, M4A): decode, measure and check like an MP3.

soundfile decodes Opus in Ogg itself; M4A goes through ffmpeg into a temporary float WAV first,
and the report names the M4A. The pacing and speech marks are passed as the tags' JSON (seconds),
so they land right at the file's own sample rate (Opus decodes at 48 kHz).
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Optional

from ..export.formats import ffmpeg_program
from ..master.profiles import LoudnessProfile
from .analyze import FileReport, analyze_file
from .checks import Check

__all__ = ["analyze_format"]


def analyze_format(path: Path, profile: LoudnessProfile, pacing_json: Optional[str] = None, speech_json: Optional[str] = None) -> FileReport:
    """The QA report of an ``.opus`` or ``.m4a`` file at ``path`` against ``profile``."""
    path = Path(path)
    if path.suffix.lower() != ".m4a":
        return analyze_file(path, profile, pacing=pacing_json or None, speech=speech_json or None)
    program = ffmpeg_program()
    if program is None:
        return _undecodable(path, profile, "m4a needs the program ffmpeg, which is not installed")
    with tempfile.TemporaryDirectory(prefix="mbcl-qa-") as work:
        wav = Path(work) / (path.stem + ".wav")
        done = subprocess.run(
            [program, "-nostdin", "-v", "error", "-y", "-i", str(path), "-map", "0:a:0", "-c:a", "pcm_f32le", str(wav)],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            return _undecodable(path, profile, done.stderr.strip() or "ffmpeg failed")
        report = analyze_file(wav, profile, pacing=pacing_json or None, speech=speech_json or None)
    facts = replace(report.facts, container="M4A") if report.facts is not None else None
    return replace(report, path=path, facts=facts)


def _undecodable(path: Path, profile: LoudnessProfile, why: str) -> FileReport:
    message = f"{path}: cannot decode: {why}"
    return FileReport(path=path, profile=profile, facts=None, checks=(Check("decode", False, None, "decodable audio", "", message),), error=message)
