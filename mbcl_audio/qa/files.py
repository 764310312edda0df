"""The files ``mbcl-audio qa`` checks and where its report goes by default."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..audio import AUDIO_SUFFIXES
from ..errors import MbclError

__all__ = ["DEFAULT_REPORT_DIR", "QA_SUFFIXES", "NoAudioFiles", "default_report_dir", "find_audio_files"]

#: What ``qa`` finds in folders: what soundfile decodes, and the set's other delivery formats
#: (Opus in Ogg, and M4A through ffmpeg: :mod:`mbcl_audio.qa.formats`).
QA_SUFFIXES = (*AUDIO_SUFFIXES, ".opus", ".m4a")

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
                if p.is_file() and p.suffix.lower() in QA_SUFFIXES and not p.name.startswith(".")
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
        raise NoAudioFiles(f"no audio files ({', '.join(QA_SUFFIXES)}) found in {where}")
    return unique


def default_report_dir(paths: Sequence[Path]) -> Path:
    """``qa-report`` under the first path given (its folder, for a file)."""
    first = paths[0]
    return (first if first.is_dir() else first.parent) / DEFAULT_REPORT_DIR
