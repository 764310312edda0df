"""QA of the other delivery formats (Opus, M4A): decode, measure and check like an MP3.

soundfile decodes Opus in Ogg itself; M4A goes through ffmpeg into a temporary float file beside
it (WAV, RF64 past 4 GiB), and the report names the M4A. The pacing and speech marks are passed as
the tags' JSON (seconds), so they land right at the file's own sample rate (Opus decodes at 48 kHz).

A profile's MP3 bitrate and sample rate are the MP3's delivery rules: the other formats are held to
everything else in it (loudness, true peak, speech level, noise, clipping), and Opus to its own
48 kHz.
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Optional

from ..atomic import process_temp_path
from ..export.formats import ffmpeg_path, ffmpeg_program
from ..master.profiles import LoudnessProfile
from .analyze import FileReport, analyze_file, undecodable_report

__all__ = ["analyze_format"]


def analyze_format(path: Path, profile: LoudnessProfile, pacing_json: Optional[str] = None, speech_json: Optional[str] = None) -> FileReport:
    """The QA report of an ``.opus`` or ``.m4a`` file at ``path`` against ``profile``."""
    path = Path(path)
    is_opus = path.suffix.lower() == ".opus"
    profile = replace(profile, bitrate_kbps=None, sample_rate=None if is_opus else profile.sample_rate)
    if path.suffix.lower() != ".m4a":
        return analyze_file(path, profile, pacing=pacing_json or None, speech=speech_json or None)
    program = ffmpeg_program()
    if program is None:
        return undecodable_report(path, profile, "m4a needs the program ffmpeg, which is not installed")
    decoded = process_temp_path(path.with_suffix(".wav"), "tmp")
    try:
        done = subprocess.run(
            [program, "-nostdin", "-v", "error", "-y", "-i", ffmpeg_path(path), "-map", "0:a:0", "-c:a", "pcm_f32le",
             # RF64 past 4 GiB (libsndfile reads it; it misreads ffmpeg's float W64 as integers).
             "-f", "wav", "-rf64", "auto", ffmpeg_path(decoded)],
            capture_output=True, text=True,
        )
        if done.returncode != 0:
            return undecodable_report(path, profile, done.stderr.strip() or "ffmpeg failed")
        report = analyze_file(decoded, profile, pacing=pacing_json or None, speech=speech_json or None)
    finally:
        decoded.unlink(missing_ok=True)
    facts = replace(report.facts, container="M4A") if report.facts is not None else None
    message = report.error.replace(str(decoded), str(path)) if report.error else report.error
    return replace(report, path=path, facts=facts, error=message)
