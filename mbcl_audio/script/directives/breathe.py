"""``[breathe N]``: N pacing cycles with the tone audible and no speech."""

from __future__ import annotations

from mbcl_audio.script.directives.base import MAX_COUNT, Directive, is_count
from mbcl_audio.script.model import Breathe, ScriptError

__all__ = ["parse_breathe"]


def parse_breathe(directive: Directive) -> Breathe:
    """``[breathe N]``: N pacing cycles, N a whole number from 1 to ``MAX_COUNT``."""
    tokens = directive.words()
    if not tokens:
        raise ScriptError(directive.pos, "breathe needs a number of breath cycles, e.g. [breathe 3]")
    count = tokens[0]
    if not is_count(count.group()):
        raise ScriptError(
            directive.line.pos(count.start()),
            f"breathe count must be a number of breath cycles from 1 to {MAX_COUNT}, e.g. [breathe 3]; got {count.group()!r}",
        )
    if len(tokens) > 1:
        extra = tokens[1]
        raise ScriptError(
            directive.line.pos(extra.start()),
            f"unexpected {extra.group()!r} after the breathe count: write e.g. [breathe 3]",
        )
    return Breathe(int(count.group()), directive.pos)
