"""One PNG per track: waveform with chapters, short-term loudness, pacing cycles.

Three stacked panels share a time axis in minutes:

(a) the waveform as a min / max envelope per column (decimated while
    decoding, see :mod:`mbcl_audio.qa.scan`), chapter starts marked and titled;
(b) short-term loudness (3 s windows, 100 ms hop, drawn at the window's end)
    with the profile's target and the measured figures in the title;
(c) the pacing cycles from the pacing tag (in-breath and out-breath shaded in
    different colours) under the measured 100-700 Hz band envelope of the
    decoded audio, so a reader sees the tone rise and fall with the cycles.

The bytes are deterministic: a fixed figure size and dpi, no pyplot state,
matplotlib's own style defaults (not the user's matplotlibrc) and no
``Software`` metadata, so rendering twice gives the same file.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Union

import numpy as np

from ..atomic import write_atomic
from .analyze import BAND_FLOOR_DB, FileReport, band_envelope
from .checks import fmt

if TYPE_CHECKING:
    from matplotlib.figure import Figure

PathLike = Union[str, "os.PathLike[str]"]

#: Figure size (inches) and resolution (dots per inch): 1400 x 900 pixels.
FIGSIZE_IN = (14.0, 9.0)
DPI = 100
#: Lowest loudness (LUFS) drawn in panel (b); quieter windows sit on the floor.
LOUDNESS_FLOOR_LUFS = -60.0
IN_BREATH_COLOUR = "#9ecae1"
OUT_BREATH_COLOUR = "#fdd0a2"
WAVE_COLOUR = "#3b6ea5"
CHAPTER_COLOUR = "#7a3e9d"
# matplotlib's defaults, not the user's matplotlibrc, so the bytes do not depend on the machine's setup.
_STYLE = ["default", {"font.size": 9.0, "axes.titlesize": 10.0}]


def render_png(report: FileReport, path: PathLike) -> Path:
    """Draw ``report``'s track to a PNG at ``path`` (written atomically); return the path.

    Raises ``ValueError`` for a report without measurements (an undecodable file).
    """
    if report.facts is None:
        raise ValueError(f"{report.path}: nothing to plot ({report.error})")
    # matplotlib is imported here, not at module level: builds and every other command import
    # the qa package for its checks and should not pay a third of a second for a plotting library.
    import matplotlib.style
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    path = Path(path)
    buffer = io.BytesIO()
    with matplotlib.style.context(_STYLE):
        figure = _figure(report)
        FigureCanvasAgg(figure)
        figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    write_atomic(path, buffer.getvalue())
    return path


def _figure(report: FileReport) -> Figure:
    from matplotlib.figure import Figure

    facts = report.facts
    duration_min = facts.measurement.duration_s / 60.0
    figure = Figure(figsize=FIGSIZE_IN, dpi=DPI, layout="constrained")
    wave_ax, loud_ax, pace_ax = figure.subplots(3, 1, sharex=True, height_ratios=(1.2, 1.0, 0.8))
    verdict = "PASS" if report.passed else "FAIL: " + ", ".join(c.name for c in report.failures)
    figure.suptitle(f"{report.path.name}  ({report.profile.name}: {verdict})", fontsize=11)
    _waveform(wave_ax, report)
    _loudness(loud_ax, report)
    _pacing(pace_ax, report)
    pace_ax.set_xlabel("time (min)")
    pace_ax.set_xlim(0.0, max(duration_min, 1e-3))
    return figure


def _waveform(ax, report: FileReport) -> None:
    facts = report.facts
    scan = facts.series.scan
    columns = scan.wave_min.size
    # Column k covers samples [k n / columns, (k + 1) n / columns): draw it at its centre.
    times_min = (np.arange(columns) + 0.5) / columns * facts.measurement.duration_s / 60.0
    ax.fill_between(times_min, scan.wave_min, scan.wave_max, color=WAVE_COLOUR, linewidth=0.0, step="mid")
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("amplitude")
    ax.axhline(0.0, color="0.6", linewidth=0.5)
    for title, start_s, _ in facts.chapters:
        ax.axvline(start_s / 60.0, color=CHAPTER_COLOUR, linewidth=0.8)
        ax.text(start_s / 60.0, 1.0, f" {title}", rotation=90, va="top", ha="left", fontsize=7,
                color=CHAPTER_COLOUR, clip_on=True)
    m = facts.measurement
    chapters = f", {len(facts.chapters)} chapters" if facts.chapters else ", no chapters"
    ax.set_title(
        f"(a) waveform: sample peak {fmt(m.sample_peak_dbfs)} dBFS, {facts.clip_runs} clipped runs, "
        f"head {facts.head_s:.2f} s / tail {facts.tail_s:.2f} s room tone{chapters}",
        loc="left",
    )


def _loudness(ax, report: FileReport) -> None:
    facts, profile = report.facts, report.profile
    series = facts.series.loudness
    m = facts.measurement
    values = np.maximum(series.short_term_lufs, LOUDNESS_FLOOR_LUFS)
    ax.plot(series.end_times_s() / 60.0, values, color="#2b8c4e", linewidth=0.9, label="short-term (3 s)")
    if profile.target_measure != "rms":
        what = "voice target" if profile.target_measure == "voice" else "target"
        lo, hi = profile.target - profile.tolerance, profile.target + profile.tolerance
        ax.axhline(profile.target, color="#c0392b", linewidth=1.0, label=f"{what} {profile.target:.1f} LUFS")
        ax.axhspan(lo, hi, color="#c0392b", alpha=0.12, linewidth=0.0)
        target = f"{what} {profile.target:.1f} ± {profile.tolerance:.1f} LUFS"
    else:
        target = f"target RMS {profile.target_rms_db:.1f} ± {profile.tolerance:.1f} dB (not LUFS)"
    if np.isfinite(m.integrated_lufs):
        ax.axhline(m.integrated_lufs, color="0.3", linewidth=0.8, linestyle="--",
                   label=f"integrated {m.integrated_lufs:.1f} LUFS")
    if m.voice_lufs is not None and np.isfinite(m.voice_lufs):
        target += f"; voice {m.voice_lufs:.1f} LUFS"
    ceiling = f"ceiling {profile.true_peak_dbtp:.1f} dBTP"
    if profile.sample_peak_dbfs is not None:
        ceiling += f", {profile.sample_peak_dbfs:.1f} dBFS sample peak"
    ax.set_title(
        f"(b) short-term loudness: {target}; {ceiling}; measured I {fmt(m.integrated_lufs)} LUFS, "
        f"TP {fmt(m.true_peak_dbtp)} dBTP, LRA {fmt(m.loudness_range_lu)} LU, RMS {fmt(m.rms_db)} dB",
        loc="left",
    )
    finite = values[np.isfinite(values)]
    top = max(float(finite.max()) if finite.size else LOUDNESS_FLOOR_LUFS, profile.target or LOUDNESS_FLOOR_LUFS)
    ax.set_ylim(LOUDNESS_FLOOR_LUFS, min(0.0, top + 3.0))
    ax.set_ylabel("LUFS")
    ax.legend(loc="lower right", fontsize=7)


def _pacing(ax, report: FileReport) -> None:
    facts = report.facts
    times_s, level = band_envelope(facts.series.scan)
    pacing = facts.pacing
    if pacing is not None and pacing.cycles:
        rate = pacing.sample_rate
        inhale = [(s / rate / 60.0, i / rate / 60.0) for s, i, _ in pacing.cycles]
        exhale = [((s + i) / rate / 60.0, (c - i) / rate / 60.0) for s, i, c in pacing.cycles]
        span = (BAND_FLOOR_DB, 3.0 - BAND_FLOOR_DB)
        ax.broken_barh(inhale, span, facecolors=IN_BREATH_COLOUR, linewidth=0.0, label="in-breath")
        ax.broken_barh(exhale, span, facecolors=OUT_BREATH_COLOUR, linewidth=0.0, label="out-breath")
        title = f"(c) pacing: {len(pacing.cycles)} cycles from the pacing tag, with the 100-700 Hz envelope"
    else:
        title = "(c) pacing: 100-700 Hz envelope"
        note = "no pacing metadata" if not facts.pacing_note else facts.pacing_note
        ax.text(0.99, 0.92, note, transform=ax.transAxes, ha="right", va="top", fontsize=8, color="0.35")
    ax.plot(times_s / 60.0, level, color="0.15", linewidth=0.7, label="100-700 Hz envelope")
    ax.set_ylim(BAND_FLOOR_DB, 3.0)
    ax.set_ylabel("band level (dB)")
    ax.set_title(title, loc="left")
    ax.legend(loc="upper left", fontsize=7)
