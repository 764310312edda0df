"""``[breathe N]``: N pacing cycles with the tone audible and no speech."""

from __future__ import annotations

from mbcl_audio.script.directives.base import COUNT, Directive
from mbcl_audio.script.model import Breathe, ScriptError

__all__ = ["parse_breathe"]


def parse_breathe(directive: Directive) -> Breathe:
    """``[breathe N]``: N pacing cycles, N a positive whole number."""
    tokens = directive.words()
    if not tokens:
        raise ScriptError(directive.pos, "breathe needs a number of breath cycles, e.g. [breathe 3]")
    count = tokens[0]
    if not COUNT.fullmatch(count.group()) or int(count.group()) == 0:
        raise ScriptError(
            directive.line.pos(count.start()),
            f"breathe count must be a positive whole number of breath cycles, e.g. [breathe 3]; got {count.group()!r}",
        )
    if len(tokens) > 1:
        extra = tokens[1]
        raise ScriptError(
            directive.line.pos(extra.start()),
            f"unexpected {extra.group()!r} after the breathe count: write e.g. [breathe 3]",
        )
    return Breathe(int(count.group()), directive.pos)
