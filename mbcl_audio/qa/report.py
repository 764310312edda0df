"""The QA report folder: ``report.json``, ``report.md`` and one PNG per decodable track.

``report.json`` holds every measurement and check, per file, in a fixed key
order; levels are rounded to 0.01 dB, times to 1 ms, and ``-inf`` (silence)
is written as ``null``. ``report.md`` is the same for people: one summary
table, then per track its failing checks, all checks and the plot.
Every file is written to a temporary name first and renamed into place, so a
reader never sees half a report.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Optional, Union
from urllib.parse import quote

from ..master.profiles import LoudnessProfile
from .analyze import FileReport, finite_or_none
from .checks import Check, fmt
from ..atomic import write_atomic
from .plots import render_png

PathLike = Union[str, "os.PathLike[str]"]
JSON_NAME = "report.json"
MARKDOWN_NAME = "report.md"


@dataclass(frozen=True)
class ReportFiles:
    """Where :func:`write_report` put things."""

    json: Path
    markdown: Path
    pngs: tuple[Path, ...]


def write_report(reports: Sequence[FileReport], out_dir: PathLike) -> ReportFiles:
    """Write ``report.json``, ``report.md`` and a PNG per decodable track into ``out_dir``.

    PNGs are named after the tracks (``01 Title.png``; a second track with the
    same stem gets ``-2``, and so on). Creates ``out_dir``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    names = png_names(reports)
    pngs = []
    for report, name in zip(reports, names):
        if name is not None:
            pngs.append(render_png(report, out / name))
    json_path, md_path = out / JSON_NAME, out / MARKDOWN_NAME
    write_atomic(json_path, (json.dumps(report_json(reports, names), indent=2, ensure_ascii=False) + "\n").encode())
    write_atomic(md_path, report_markdown(reports, names).encode())
    return ReportFiles(json=json_path, markdown=md_path, pngs=tuple(pngs))


def png_names(reports: Sequence[FileReport]) -> list[Optional[str]]:
    """A unique PNG file name per report with measurements (None for an undecodable file).

    A track is named after its file (``01 Title.png``). Tracks whose file names
    coincide (the same track built in several folders) are named after their
    path below the folder they share (``glide-rain - nl - 01 Title.png``).
    """
    measured = [r for r in reports if r.facts is not None]
    stems = [(r.path.stem or "track").lower() for r in measured]
    clashing = [r for r, stem in zip(measured, stems) if stems.count(stem) > 1]
    root = Path(os.path.commonpath([str(r.path.resolve().parent) for r in clashing])) if clashing else None
    used: set[str] = set()
    names: list[Optional[str]] = []
    for report in reports:
        if report.facts is None:
            names.append(None)
            continue
        stem = report.path.stem or "track"
        if root is not None and report in clashing:
            parts = report.path.resolve().with_suffix("").relative_to(root).parts
            stem = " - ".join(parts)
        name, k = f"{stem}.png", 1
        while name.lower() in used:
            k += 1
            name = f"{stem}-{k}.png"
        used.add(name.lower())
        names.append(name)
    return names


# --- JSON -------------------------------------------------------------------------------------

def _level(value: Optional[float]) -> Optional[float]:
    value = finite_or_none(value)
    return None if value is None else round(value, 2)


def _seconds(value: Optional[float]) -> Optional[float]:
    value = finite_or_none(value)
    return None if value is None else round(value, 3)


def _profile_json(profile: LoudnessProfile) -> dict[str, Any]:
    data = asdict(profile)
    return {key: list(v) if isinstance(v, tuple) else v for key, v in data.items()}


def _check_json(check: Check) -> dict[str, Any]:
    measured = check.measured
    if isinstance(measured, float):
        measured = _seconds(measured) if check.unit == "s" else _level(measured)
    return {
        "name": check.name,
        "passed": check.passed,
        "measured": measured,
        "unit": check.unit,
        "low": check.low,
        "high": check.high,
        "limit": check.limit,
        "message": check.message,
    }


def _file_json(report: FileReport, png: Optional[str]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": str(report.path),
        "profile": report.profile.name,
        "passed": report.passed,
        "failures": [c.name for c in report.failures],
        "error": report.error,
        "notes": list(report.notes),
    }
    facts = report.facts
    if facts is not None:
        m = facts.measurement
        data["measurement"] = {
            "integrated_lufs": _level(m.integrated_lufs),
            "loudness_range_lu": _level(m.loudness_range_lu),
            "momentary_max_lufs": _level(m.momentary_max_lufs),
            "short_term_max_lufs": _level(m.short_term_max_lufs),
            "true_peak_dbtp": _level(m.true_peak_dbtp),
            "sample_peak_dbfs": _level(m.sample_peak_dbfs),
            "rms_db": _level(m.rms_db),
            "noise_floor_db": _level(facts.noise_floor_db),
            "noise_floor_from": facts.noise_floor_from,
            "quietest_blocks_db": _level(m.noise_floor_db),
            "room_tone_db": _level(facts.room_tone_db),
            "head_s": _seconds(facts.head_s),
            "tail_s": _seconds(facts.tail_s),
            "clip_runs": facts.clip_runs,
            "first_clip_s": _seconds(facts.first_clip_s),
            "duration_s": _seconds(m.duration_s),
        }
        data["format"] = {
            "container": facts.container,
            "sample_rate_hz": facts.sample_rate_hz,
            "channels": facts.channels,
            "bitrate_kbps": facts.bitrate_kbps,
            "bitrate_mode": facts.bitrate_mode,
        }
        data["chapters"] = [
            {"title": t, "start_s": _seconds(a), "end_s": _seconds(b)} for t, a, b in facts.chapters
        ]
        data["pacing_cycles"] = len(facts.pacing.cycles) if facts.pacing is not None else None
    data["checks"] = [_check_json(c) for c in report.checks]
    data["png"] = png
    return data


def report_json(reports: Sequence[FileReport], names: Sequence[Optional[str]]) -> dict[str, Any]:
    """The ``report.json`` document (plain data, keys in a fixed order)."""
    profiles: dict[str, Any] = {}
    for report in reports:
        profiles.setdefault(report.profile.name, _profile_json(report.profile))
    return {
        "passed": all(r.passed for r in reports),
        "counts": {"files": len(reports), "passed": sum(r.passed for r in reports),
                   "failed": sum(not r.passed for r in reports)},
        "profiles": profiles,
        "files": [_file_json(r, name) for r, name in zip(reports, names)],
    }


# --- Markdown ---------------------------------------------------------------------------------

def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _verdict(report: FileReport) -> str:
    return "**PASS**" if report.passed else "**FAIL**"


def report_markdown(reports: Sequence[FileReport], names: Sequence[Optional[str]]) -> str:
    """The ``report.md`` page."""
    passed = sum(r.passed for r in reports)
    lines = ["# Quality report (`mbcl-audio qa`)", ""]
    for name in sorted({r.profile.name for r in reports}):
        profile = next(r.profile for r in reports if r.profile.name == name)
        lines.append(f"Profile **{name}**: {profile.description or '(no description)'}")
        lines.append("")
    lines += [f"{len(reports)} files: {passed} pass, {len(reports) - passed} fail.", ""]
    # Tracks are told apart the way their plots are: by file name, or by folder where names coincide.
    labels = [png[: -len(".png")] if png else r.path.name for r, png in zip(reports, names)]
    rows = []
    for r, label in zip(reports, labels):
        m = r.measurement
        noise = r.facts.noise_floor_db if r.facts is not None else None
        rows.append([
            label, r.profile.name, _verdict(r),
            fmt(m.integrated_lufs) if m else "-", fmt(m.true_peak_dbtp) if m else "-",
            fmt(m.loudness_range_lu) if m else "-", fmt(m.rms_db) if m else "-", fmt(noise),
        ])
    lines += _table(
        ["File", "Profile", "Verdict", "Integrated (LUFS)", "True peak (dBTP)", "LRA (LU)", "RMS (dB)",
         "Noise floor (dB)"],
        rows,
    )
    for r, png, label in zip(reports, names, labels):
        lines += ["", f"## {_cell(label)}", "", f"`{r.path}`: {_verdict(r)}", ""]
        if r.failures:
            lines.append("Failing checks:")
            lines.append("")
            lines += [f"- **{c.name}**: {c.message}" for c in r.failures]
            lines.append("")
        lines += _table(
            ["Check", "Result", "Measured", "Limit", "Note"],
            [[c.name, "pass" if c.passed else "**FAIL**", f"{c.shown()} {c.unit}".strip(),
              f"{c.limit} {c.unit}".strip(), c.message] for c in r.checks],
        )
        for note in r.notes:
            lines += ["", f"Note: {note}"]
        if png is not None:
            lines += ["", f"![{_cell(r.path.name)}: waveform, short-term loudness and pacing]({quote(png)})"]
    return "\n".join(lines) + "\n"
