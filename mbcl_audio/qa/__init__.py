"""Quality assurance of built tracks: ``mbcl-audio qa``.

Decode a finished file, measure it and check it against a loudness profile
(:func:`analyze_file` -> :class:`FileReport`), plot it (:func:`render_png`)
and write a report folder (:func:`write_report`); :mod:`~mbcl_audio.qa.files`
finds the files to check. The click command is :data:`mbcl_audio.cli.qa.qa`.
"""

from .analyze import FileFacts, FileReport, analyze_file
from .checks import Check
from .plots import render_png
from .report import ReportFiles, write_report

__all__ = ["Check", "FileFacts", "FileReport", "ReportFiles", "analyze_file", "render_png", "write_report"]
