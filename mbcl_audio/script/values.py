"""Value checks for settings: the front matter's and the options of ``[pacing on ...]``.

Each is a :data:`mbcl_audio.schema.Check`: it takes ``(value, key)`` and
returns the value converted (durations in seconds, ratios as the in-breath
share) or raises a :class:`~mbcl_audio.schema.FieldError` whose message names
the key, shows a correct example and says what it got; the caller places it
at the value's line and column. Front matter values arrive as TOML values;
directive options as text.
"""

from __future__ import annotations

import math
import re
from typing import Any

from mbcl_audio.schema import Check, FieldError, is_number, is_whole_number, toml_kind
from mbcl_audio.units import check_duration_s, parse_duration_s
from mbcl_audio.vocab import BELL_PLACES, FIRST_TRACK, LAST_TRACK, TONE_FAMILIES, TRACK_NUMBERS

__all__ = [
    "Check",
    "check_bell",
    "check_bpm",
    "check_choice",
    "check_duration",
    "check_language",
    "check_rate",
    "check_ratio",
    "check_text",
    "check_tone",
    "check_track",
    "toml_kind",
]

_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]+)*")
_RATIO = re.compile(r"\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*")


def check_track(value: Any, key: str) -> int:
    """A track number of the set (:data:`mbcl_audio.vocab.TRACK_NUMBERS`)."""
    if not is_whole_number(value) or value not in TRACK_NUMBERS:
        raise FieldError(
            f"{key} must be a whole number from {FIRST_TRACK} to {LAST_TRACK} (no quotes), "
            f"e.g. {key} = 1; got {toml_kind(value)}",
        )
    return value


def check_text(non_empty: bool, example: str) -> Check:
    """Text in quotes, stripped; ``example`` is a correct line shown in the message."""

    def check(value: Any, key: str) -> str:
        if not isinstance(value, str) or (non_empty and not value.strip()):
            need = "non-empty text" if non_empty else "text"
            raise FieldError(f"{key} must be {need} in quotes, e.g. {example}; got {toml_kind(value)}")
        return value.strip()

    return check


def check_language(value: Any, key: str) -> str:
    """A lowercase language code, optionally with a region (``"en-GB"``)."""
    if not isinstance(value, str) or not _LANGUAGE.fullmatch(value):
        raise FieldError(
            f'{key} must be a lowercase language code in quotes such as "nl", "en" or "de" '
            f'(a region may follow, e.g. "en-GB"); got {toml_kind(value)}',
        )
    return value


def check_duration(allow_zero: bool, example: str) -> Check:
    """Durations: a string ``parse_duration_s`` reads, or a TOML number of seconds."""

    def check(value: Any, key: str) -> float:
        if isinstance(value, str):
            try:
                seconds = parse_duration_s(value)
            except ValueError as err:
                raise FieldError(f"{key}: {err}") from None
        elif is_number(value):
            try:
                seconds = check_duration_s(float(value), value)
            except (ValueError, OverflowError) as err:
                raise FieldError(f"{key}: {err}") from None
        else:
            raise FieldError(
                f"{key} must be a duration such as {example} or a number of seconds; got {toml_kind(value)}"
            )
        if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not allow_zero):
            bound = "0 seconds or more" if allow_zero else "longer than 0 seconds"
            raise FieldError(f"{key} must be {bound}, e.g. {key} = {example}; got {toml_kind(value)}")
        return seconds

    return check


def check_rate(example: str, low: float, high: float) -> Check:
    """A rate per minute within ``[low, high]``: outside it no listener could follow it."""

    def check(value: Any, key: str) -> float:
        if not is_number(value) or not math.isfinite(value) or not low <= value <= high:
            raise FieldError(
                f"{key} must be a number from {low:g} to {high:g} (no quotes), e.g. {key} = {example}; "
                f"got {toml_kind(value)}",
            )
        return float(value)

    return check


#: Breaths per minute.
check_bpm = check_rate("6", 1, 30)


def check_choice(*choices: str) -> Check:
    """One of ``choices``, in quotes; the first is the example."""

    def check(value: Any, key: str) -> str:
        if value not in choices:
            options = " or ".join(f'"{c}"' for c in choices)
            raise FieldError(f'{key} must be {options} (in quotes), e.g. {key} = "{choices[0]}"; got {toml_kind(value)}')
        return value

    return check


#: A pacing-tone family.
check_tone = check_choice(*TONE_FAMILIES)


def check_bell(value: Any, key: str) -> tuple[str, ...]:
    """``["start", "end"]`` (any of start, end, sections), or ``"none"``."""
    if value == "none":
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or any(v not in BELL_PLACES for v in value):
        places = ", ".join(f'"{p}"' for p in BELL_PLACES)
        raise FieldError(
            f'{key} must be a list of places from {places}, e.g. {key} = ["start", "end"], or "none"; '
            f"got {toml_kind(value)}",
        )
    return tuple(dict.fromkeys(value))


def check_ratio(value: Any, key: str) -> float:
    """``"4:6"`` (in-breath : out-breath) -> share of the cycle that is the in-breath (0.4)."""
    match = _RATIO.fullmatch(value) if isinstance(value, str) else None
    if match:
        in_part, out_part = float(match.group(1)), float(match.group(2))
        if in_part > 0 and out_part > 0:
            return in_part / (in_part + out_part)
    raise FieldError(
        f'{key} must be in-breath:out-breath in quotes, two numbers greater than 0, e.g. {key} = "4:6"; '
        f"got {toml_kind(value)}",
    )
