"""Durations as people write them (``3s``, ``500ms``, ``5m``, ``1m30s``) and as samples."""

from __future__ import annotations

import math
import re
from typing import Literal

_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


#: The longest duration mbcl-audio takes anywhere (s): a pause, a length, a track. Longer ones are
#: typing slips, and would overflow sample counts or run for days.
MAX_DURATION_S = 24 * 3600.0


def check_duration_s(seconds: float, text: object) -> float:
    """``seconds`` if it is finite and at most :data:`MAX_DURATION_S`; ``ValueError`` naming ``text`` otherwise."""
    if not math.isfinite(seconds) or seconds > MAX_DURATION_S:
        raise ValueError(f"duration {_shown(text)!r} is longer than 24 h, the longest mbcl-audio takes")
    return seconds


def _shown(text: object) -> str:
    """``text`` as an error message quotes it: a slip of 400 digits is not repeated whole."""
    text = str(text)
    return text if len(text) <= 24 else text[:20] + "..."


def parse_duration_s(text: str) -> float:
    """Parse ``"3s"``, ``"1.5s"``, ``"500ms"``, ``"5m"``, ``"1m30s"`` or ``"2:30"`` into seconds.

    A bare number is seconds. Raises :class:`ValueError` with a readable
    message on anything else, and on anything longer than :data:`MAX_DURATION_S`.
    """
    try:
        seconds = _parse_duration_s(text)
    except OverflowError:  # "<400 digits>:00": too large for a float at all
        seconds = math.inf
    return check_duration_s(seconds, text)


def _parse_duration_s(text: str) -> float:
    t = str(text).strip().lower().replace(" ", "")
    if not t:
        raise ValueError("empty duration")
    if re.fullmatch(r"\d+:\d{1,2}(\.\d+)?", t):
        minutes, seconds = t.split(":")
        return int(minutes) * 60 + float(seconds)
    if re.fullmatch(r"\d+(\.\d+)?", t):
        return float(t)
    pos, total = 0, 0.0
    for m in _PART.finditer(t):
        if m.start() != pos:
            break
        total += float(m.group(1)) * _UNIT_S[m.group(2)]
        pos = m.end()
    if pos != len(t) or pos == 0:
        raise ValueError(
            f"cannot read duration {_shown(text)!r}: write e.g. 3s, 1.5s, 500ms, 5m, 1m30s or 2:30"
        )
    return total


def seconds_to_samples(duration_s: float, sample_rate: int) -> int:
    """Round a duration to a whole number of samples."""
    return int(round(duration_s * sample_rate))


#: Which way :func:`format_duration` rounds to tenths of a second.
Rounding = Literal["nearest", "down", "up"]


def format_minutes(duration_s: float) -> str:
    """``600.0`` -> ``"10"``, ``450.0`` -> ``"7.5"``: whole or half minutes, as the catalogue gives lengths."""
    return f"{duration_s / 60:g}"


def format_duration(duration_s: float, rounding: Rounding = "nearest") -> str:
    """``312.4`` -> ``"5:12.4"`` (tenths of a second), for messages and listings.

    ``rounding`` is ``"nearest"``, ``"down"`` or ``"up"``: a range's lower bound
    is shown rounded up and its upper bound rounded down, so that both shown
    values are really inside the range.
    """
    tenths = {"nearest": round, "down": math.floor, "up": math.ceil}[rounding](duration_s * 10 + 0.0)
    minutes, tenths = divmod(int(tenths), 600)
    return f"{minutes}:{tenths // 10:02d}.{tenths % 10}"


def format_clock(duration_s: float) -> str:
    """``312.4`` -> ``"5:12"``, ``3725`` -> ``"1:02:05"``: whole seconds, as a player shows a time."""
    hours, rest = divmod(int(round(duration_s)), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def format_timestamp(duration_s: float, separator: str = ".") -> str:
    """``62.5`` -> ``"00:01:02.500"``: hours, minutes, seconds and milliseconds, as WebVTT, SRT
    (``separator=","``) and Vorbis chapter comments write a time."""
    millis = int(round(duration_s * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}{separator}{millis:03d}"
