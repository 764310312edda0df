"""``[pacing on ...]``, ``[pacing off]`` and ``[pacing fade N]``: the pacing tone from here on."""

from __future__ import annotations

import math
import re
from typing import Any, cast

from mbcl_audio.script.directives.base import MAX_COUNT, Directive, is_count, reject_leftovers
from mbcl_audio.script.model import PacingChange, ScriptError, SourcePos
from mbcl_audio.schema import Check, FieldError
from mbcl_audio.script.values import check_bpm, check_ratio, check_tone
from mbcl_audio.units import parse_duration_s
from mbcl_audio.vocab import PACING_MODES, PacingMode

__all__ = ["parse_pacing"]

_OPTIONS = ("rate", "ratio", "from", "over", "sound")
_EXAMPLE = "[pacing on], [pacing off] or [pacing fade 3]"


def parse_pacing(directive: Directive) -> PacingChange:
    """``[pacing on]`` (with options), ``[pacing off]`` or ``[pacing fade N]``."""
    line, pos = directive.line, directive.pos
    options = directive.options()
    spec_end = directive.options_start(options)
    tokens = directive.words(spec_end)
    if not tokens:
        raise ScriptError(pos, f"pacing needs a mode: {_EXAMPLE}")
    word = tokens[0].group().lower()
    mode_pos = line.pos(tokens[0].start())
    if word not in PACING_MODES:
        raise ScriptError(mode_pos, f"unknown pacing mode {tokens[0].group()!r}: write {_EXAMPLE}")
    mode = cast(PacingMode, word)
    wanted = 2 if mode == "fade" else 1
    if mode == "fade":
        if len(tokens) < 2:
            raise ScriptError(
                mode_pos, "pacing fade needs the number of breath cycles the tone still sounds, e.g. [pacing fade 3]"
            )
        count = tokens[1]
        if not is_count(count.group()):
            raise ScriptError(
                line.pos(count.start()),
                f"pacing fade count must be a number of breath cycles from 1 to {MAX_COUNT}, e.g. [pacing fade 3]; "
                f"got {count.group()!r}",
            )
    if len(tokens) > wanted:
        extra = tokens[wanted]
        raise ScriptError(line.pos(extra.start()), f"unexpected {extra.group()!r} in pacing: write {_EXAMPLE}")
    reject_leftovers(directive, options, spec_end, "pacing")
    values = _options(directive, options, mode)
    return PacingChange(
        mode,
        pos,
        int(tokens[1].group()) if mode == "fade" else 0,
        rate=values.get("rate"),
        in_fraction=values.get("ratio"),
        ramp_from=values.get("from"),
        ramp_s=values.get("over"),
        sound=values.get("sound"),
    )


def _options(directive: Directive, options: list[re.Match[str]], mode: PacingMode) -> dict[str, Any]:
    """The checked options by key: rates in breaths per minute, ``over`` in seconds."""
    values: dict[str, Any] = {}
    for option in options:
        key, raw = option.group(1), option.group(2)
        key_pos = directive.line.pos(option.start(1))
        value_pos = directive.line.pos(option.start(2))
        if mode != "on":
            raise ScriptError(key_pos, "options belong to [pacing on ...], e.g. [pacing on rate=5 ratio=4:6]")
        if key not in _OPTIONS:
            listed = ", ".join(f"{k}=" for k in _OPTIONS)
            raise ScriptError(key_pos, f"unknown pacing option {key!r}: expected {listed}, e.g. rate=5")
        if key in values:
            raise ScriptError(key_pos, f"{key} is given twice in one pacing change: keep one")
        if key in ("rate", "from"):
            try:
                value: Any = float(raw[: -len("/min")] if raw.endswith("/min") else raw)
            except ValueError:
                value = math.nan
            values[key] = _checked(check_bpm, value, key, value_pos)
        elif key == "ratio":
            values[key] = _checked(check_ratio, raw, key, value_pos)
        elif key == "over":
            values[key] = _ramp_s(raw, value_pos)
        else:
            values[key] = _checked(check_tone, raw, key, value_pos)
    if "over" in values and "from" not in values:
        raise ScriptError(
            directive.pos, "over= times a ramp: give the starting rate too, e.g. [pacing on from=8 over=1m]"
        )
    return values



def _checked(check: Check, value: Any, key: str, pos: SourcePos) -> Any:
    """``check(value, key)``, its refusal located at the option's value."""
    try:
        return check(value, key)
    except FieldError as err:
        raise ScriptError(pos, err.message) from None


def _ramp_s(raw: str, pos: SourcePos) -> float:
    """``over=D``: how long a ramp takes (seconds, longer than 0)."""
    try:
        seconds = parse_duration_s(raw)
    except ValueError as err:
        raise ScriptError(pos, f"pacing over: {err}") from None
    if seconds <= 0:
        raise ScriptError(pos, f"pacing over must be longer than 0 seconds, e.g. over=1m; got {raw!r}")
    return seconds
