"""Measurements shared by tests: the independent reference meters (pyloudnorm, ffmpeg)."""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pyloudnorm
import pytest

requires_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg not installed")


def ffmpeg_ebur128(path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file by ffmpeg's ``ebur128=peak=true``."""
    run = subprocess.run(
        ["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True, text=True, check=True,
    )
    summary = run.stderr[run.stderr.rindex("Summary:") :]
    lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))
    return lufs, peak


def reference_lufs(x, sample_rate: int) -> float:
    """Integrated loudness (LUFS) of ``x`` by pyloudnorm: the independent meter every test compares against.

    pyloudnorm's ``"DeMan"`` filters are BS.1770's K-weighting, as ours are; its default
    (RBJ-cookbook) stages miss the standard's curve by up to 0.05 dB, which would hide a
    0.02 LU error of ours.
    """
    meter = pyloudnorm.Meter(sample_rate, filter_class="DeMan")
    return float(meter.integrated_loudness(np.asarray(x, dtype=np.float64)))


def rms_db(x) -> float:
    """RMS level (dBFS) over all samples and channels; digital silence gives about -200, not -inf."""
    return float(10 * np.log10(np.mean(np.asarray(x, dtype=np.float64) ** 2) + 1e-20))


def decoded_voice_lufs(path) -> float:
    """The voice level of a built file, measured on its decoded audio over the spans of its speech tag."""
    from mbcl_audio.audio import FileSource
    from mbcl_audio.export.frames import parse_speech_tag
    from mbcl_audio.export.tags import read_tags
    from mbcl_audio.measure import measure

    spans = parse_speech_tag(read_tags(path)["speech"]).spans
    with FileSource(path) as source:
        return measure(source, speech_spans=spans).voice_lufs
