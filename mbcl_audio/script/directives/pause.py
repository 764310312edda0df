"""``[pause D]``, ``[pause MIN..MAX weight=W prefer=P]`` and ``[silence ... every=E]``."""

from __future__ import annotations

import math

from mbcl_audio.script.directives.base import Directive, duration_range, reject_leftovers
from mbcl_audio.script.model import Pause, ScriptError, SourcePos
from mbcl_audio.units import parse_duration_s

__all__ = ["parse_pause"]

_OPTIONS = {"pause": ("weight", "prefer"), "silence": ("weight", "prefer", "every")}


def parse_pause(directive: Directive) -> Pause:
    """``[pause D]`` / ``[pause MIN..MAX]`` (or ``[silence ...]``) then options; durations in seconds."""
    kind = directive.name
    line, pos = directive.line, directive.pos
    options = directive.options()
    spec_end = directive.options_start(options)
    reject_leftovers(directive, options, spec_end, kind)
    if not line.text[directive.args_start : spec_end].strip():
        raise ScriptError(pos, f"{kind} needs a duration, e.g. [{kind} 3s] or [{kind} 20s..60s]")
    min_s, max_s = duration_range(directive, directive.args_start, spec_end, kind)
    values: dict[str, tuple[float, SourcePos]] = {}
    allowed = _OPTIONS[kind]
    for option in options:
        key, raw = option.group(1), option.group(2)
        key_pos = line.pos(option.start(1))
        value_pos = line.pos(option.start(2))
        if key not in allowed:
            if key == "every":
                raise ScriptError(
                    key_pos, "every= only applies to [silence ...] with prompt lines, e.g. [silence 1m..6m every=90s]"
                )
            listed = ", ".join(f"{k}=" for k in allowed)
            raise ScriptError(key_pos, f"unknown {kind} option {key!r}: expected {listed}, e.g. weight=2")
        if key in values:
            raise ScriptError(key_pos, f"{key} is given twice in one {kind}: keep one")
        if key in ("weight", "prefer") and max_s == min_s:
            example = f"[{kind} 20s..60s {key}={'2' if key == 'weight' else '30s'}]"
            raise ScriptError(key_pos, f"{key} only applies to an elastic {kind}: give a range first, e.g. {example}")
        if key == "weight":
            values[key] = (_weight(raw, kind, value_pos), key_pos)
        else:
            values[key] = (_option_duration_s(raw, key, kind, min_s, max_s, value_pos), key_pos)
    return Pause(
        min_s,
        max_s,
        pos,
        weight=values.get("weight", (1.0, pos))[0],
        preferred_s=values["prefer"][0] if "prefer" in values else None,
        silence=kind == "silence",
        prompt_every_s=values["every"][0] if "every" in values else None,
    )


def _weight(raw: str, kind: str, pos: SourcePos) -> float:
    """``weight=W``: how much of the stretch this pause takes relative to others."""
    try:
        weight = float(raw)
    except ValueError:
        weight = math.nan
    if not math.isfinite(weight) or not 0.01 <= weight <= 100:
        raise ScriptError(pos, f"{kind} weight must be a number from 0.01 to 100, e.g. weight=2; got {raw!r}")
    return weight


def _option_duration_s(raw: str, key: str, kind: str, min_s: float, max_s: float, pos: SourcePos) -> float:
    """``prefer=P`` (inside the range) or ``every=E`` (longer than 0), in seconds."""
    try:
        seconds = parse_duration_s(raw)
    except ValueError as err:
        raise ScriptError(pos, f"{kind} {key}: {err}") from None
    if key == "prefer" and not min_s <= seconds <= max_s:
        raise ScriptError(
            pos,
            f"{kind} prefer={raw} lies outside its range {min_s:g}s..{max_s:g}s: "
            f"choose a duration inside it, e.g. prefer={0.5 * (min_s + max_s):g}s",
        )
    if key == "every" and seconds <= 0:
        raise ScriptError(pos, f"every must be longer than 0 seconds, e.g. every=90s; got {raw!r}")
    return seconds
