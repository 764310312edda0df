"""The project's own ``TXXX`` frames: where the pacing tone's breath cycles are and where the voice
speaks, as compact JSON (sample rate plus rows of sample numbers), so ``mbcl-audio qa`` can
measure and draw any built file without its build plan.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = [
    "PACING_DESC", "SPEECH_DESC", "PacingCycles", "SpeechSpans",
    "pacing_tag_json", "parse_pacing_tag", "parse_speech_tag", "speech_tag_json",
]

#: ``TXXX`` description of the pacing-cycle frame.
PACING_DESC = "MBCL pacing"
#: ``TXXX`` description of the frame that says where the voice speaks.
SPEECH_DESC = "MBCL speech"


@dataclass(frozen=True)
class PacingCycles:
    """Where the pacing tone sounds: one ``(start_sample, in_samples, cycle_samples)`` per breath cycle.

    A cycle runs ``[start, start + cycle_samples)``: in-breath for the first
    ``in_samples``, out-breath for the rest. Samples are at ``sample_rate`` (Hz).
    """

    sample_rate: int
    cycles: tuple[tuple[int, int, int], ...]


def pacing_tag_json(cycles: Sequence[Sequence[int]], sample_rate: int) -> str:
    """Compact, deterministic JSON for the pacing frame.

    ``{"cycles": [[start_sample, in_samples, cycle_samples], ...], "sample_rate": 44100}``,
    cycles sorted by start, keys sorted, no spaces: the same cycles always give
    the same bytes. Raises ``ValueError`` for a cycle that is not three whole
    numbers with ``0 <= start``, ``0 <= in_samples <= cycle_samples`` and
    ``cycle_samples > 0``.
    """
    return _tag_json("pacing", sample_rate, "cycles", _checked_cycles(cycles))


def parse_pacing_tag(text: str) -> PacingCycles:
    """Read the pacing frame's JSON back; ``ValueError`` if it is not what :func:`pacing_tag_json` writes."""
    rate, cycles = _parse_tag("pacing", text, "cycles")
    return PacingCycles(sample_rate=rate, cycles=_checked_cycles(cycles))


def _tag_json(tag: str, sample_rate: int, key: str, items: Sequence[Sequence[int]]) -> str:
    """``{"<key>": [[...], ...], "sample_rate": N}``: keys sorted, no spaces, so the same items give the same bytes."""
    return json.dumps(
        {key: [list(item) for item in items], "sample_rate": _checked_rate(sample_rate, tag)},
        sort_keys=True,
        separators=(",", ":"),
    )


def _parse_tag(tag: str, text: str, key: str) -> tuple[int, list]:
    """``(sample_rate, items)`` of what :func:`_tag_json` wrote; ``ValueError`` naming ``tag`` otherwise."""
    try:
        data = json.loads(text)
    except (TypeError, json.JSONDecodeError) as err:
        raise ValueError(f"{tag} tag is not JSON: {err}") from None
    if not isinstance(data, dict) or key not in data or "sample_rate" not in data:
        raise ValueError(f'{tag} tag must be {{"sample_rate": ..., "{key}": [...]}}')
    if not isinstance(data[key], list):
        raise ValueError(f"{tag} tag: {key} must be a list")
    return _checked_rate(data["sample_rate"], tag), data[key]


def _checked_rate(sample_rate, tag: str = "pacing") -> int:
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, int) or sample_rate <= 0:
        raise ValueError(f"{tag} sample_rate must be a positive whole number, got {sample_rate!r}")
    return sample_rate


@dataclass(frozen=True)
class SpeechSpans:
    """Where the voice speaks: ``(start_sample, stop_sample)`` spans at ``sample_rate`` (Hz), in time order."""

    sample_rate: int
    spans: tuple[tuple[int, int], ...]


def speech_tag_json(spans: Sequence[Sequence[int]], sample_rate: int) -> str:
    """Compact, deterministic JSON for the speech frame: ``{"sample_rate": 44100, "spans": [[start, stop], ...]}``.

    Spans sorted, keys sorted, no spaces. Raises ``ValueError`` for a span that
    is not two whole numbers with ``0 <= start < stop``.
    """
    return _tag_json("speech", sample_rate, "spans", _checked_spans(spans))


def parse_speech_tag(text: str) -> SpeechSpans:
    """Read the speech frame's JSON back; ``ValueError`` if it is not what :func:`speech_tag_json` writes."""
    rate, spans = _parse_tag("speech", text, "spans")
    return SpeechSpans(sample_rate=rate, spans=_checked_spans(spans))


def _whole_rows(rows, width: int, valid: Callable[[tuple[int, ...]], bool], what: str) -> tuple[tuple[int, ...], ...]:
    """``rows`` as sorted tuples of ``width`` whole numbers each passing ``valid``; ``ValueError`` naming ``what`` else."""
    out = []
    for row in rows:
        whole = isinstance(row, (list, tuple)) and len(row) == width and all(
            isinstance(v, int) and not isinstance(v, bool) for v in row
        )
        if not (whole and valid(tuple(row))):
            raise ValueError(f"{what}, got {row!r}")
        out.append(tuple(int(v) for v in row))
    return tuple(sorted(out))


def _checked_spans(spans) -> tuple[tuple[int, int], ...]:
    return _whole_rows(
        spans, 2, lambda s: 0 <= s[0] < s[1], "speech span must be [start_sample, stop_sample] with 0 <= start < stop"
    )


def _checked_cycles(cycles) -> tuple[tuple[int, int, int], ...]:
    return _whole_rows(
        cycles, 3, lambda c: c[0] >= 0 and 0 <= c[1] <= c[2] and c[2] > 0,
        "pacing cycle must be [start_sample, in_samples, cycle_samples]",
    )
