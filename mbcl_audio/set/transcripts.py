"""Transcripts of a built track: WebVTT and SRT cues from the plan, one per utterance where it sounds.

A cue starts where the voice sets in (the utterance's onset in the file) and ends where its clip
ends; cues never overlap (a cue is cut where the next begins).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..plan import Plan
from ..units import format_timestamp

__all__ = ["Cue", "plan_cues", "srt_text", "vtt_text"]


@dataclass(frozen=True)
class Cue:
    start_s: float
    stop_s: float
    text: str


def plan_cues(plan: Plan, shift_samples: int = 0, length_samples: int | None = None) -> list[Cue]:
    """One cue per placed utterance of ``plan``, moved by ``shift_samples`` (a file that starts
    elsewhere than its plan, e.g. trimmed for ACX) and cut at ``length_samples``."""
    rate = plan.sample_rate
    end = plan.length_samples + shift_samples if length_samples is None else length_samples
    spans = []
    for event in plan.voice:
        start = max(event.onset_sample + shift_samples, 0)
        stop = min(event.stop_sample + shift_samples, end)
        text = " ".join(event.text.split())
        if stop > start and text:
            spans.append([start, stop, text])
    for a, b in zip(spans, spans[1:]):
        a[1] = min(a[1], b[0])
    return [Cue(start / rate, stop / rate, text) for start, stop, text in spans if stop > start]


def _safe(text: str) -> str:
    # "-->" would end a cue's timing line early, and an empty line would end the cue.
    return text.replace("-->", "->").strip()


def vtt_text(cues: Sequence[Cue], title: str = "") -> str:
    """A WebVTT file: the header (with the title as a note), then numbered cues."""
    lines = ["WEBVTT", ""]
    if title:
        lines += [f"NOTE {_safe(title)}", ""]
    for k, cue in enumerate(cues, 1):
        lines += [str(k), f"{format_timestamp(cue.start_s)} --> {format_timestamp(cue.stop_s)}", _safe(cue.text), ""]
    return "\n".join(lines)


def srt_text(cues: Sequence[Cue]) -> str:
    """A SubRip file: numbered cues with comma-separated milliseconds."""
    lines: list[str] = []
    for k, cue in enumerate(cues, 1):
        lines += [str(k), f"{format_timestamp(cue.start_s, ',')} --> {format_timestamp(cue.stop_s, ',')}", _safe(cue.text), ""]
    return "\n".join(lines)
