"""The body's directives in square brackets, one parser per directive (one module each).

:data:`PARSERS` maps each directive name to its parser; every parser takes a
:class:`Directive` and returns what the directive says: an item for the
script (a :class:`Pause`, :class:`Breathe` or :class:`PacingChange`) or a
value the reader acts on (an on-beat mark, a phrase to read, a passage to open
or close, a block to include). Where a directive may stand (alone on its line,
at its start) is the reader's business (:mod:`mbcl_audio.script.reader`).
"""

from __future__ import annotations

import difflib
import re
from typing import Callable, Union

from mbcl_audio.script.directives.base import Directive
from mbcl_audio.script.directives.breath_locked import OpenPhrase, PhraseSpec, parse_breath_locked
from mbcl_audio.script.directives.breathe import parse_breathe
from mbcl_audio.script.directives.include import BlockRef, parse_include, read_block
from mbcl_audio.script.directives.on_beat import OnBeat, parse_on_beat
from mbcl_audio.script.directives.optional import EndOptional, OptionalSpec, parse_end, parse_optional
from mbcl_audio.script.directives.pacing import parse_pacing
from mbcl_audio.script.directives.pause import parse_pause
from mbcl_audio.script.lines import Line
from mbcl_audio.script.model import Breathe, PacingChange, Pause, ScriptError

__all__ = [
    "LINE_DIRECTIVES",
    "PARSERS",
    "BlockRef",
    "Directive",
    "EndOptional",
    "OnBeat",
    "OpenPhrase",
    "OptionalSpec",
    "Parsed",
    "PhraseSpec",
    "parse_directive",
    "read_block",
    "read_directive",
]

#: What a directive parser returns.
Parsed = Union[Pause, Breathe, PacingChange, PhraseSpec, OnBeat, OptionalSpec, EndOptional, BlockRef]

#: Every directive by name, in the order the reference lists them.
PARSERS: dict[str, Callable[[Directive], Parsed]] = {
    "pause": parse_pause,
    "breathe": parse_breathe,
    "silence": parse_pause,
    "breath-locked": parse_breath_locked,
    "on-beat": parse_on_beat,
    "pacing": parse_pacing,
    "optional": parse_optional,
    "end": parse_end,
    "include": parse_include,
}

#: Directives that must stand alone on their line.
LINE_DIRECTIVES = ("optional", "end", "include", "pacing")

_FIRST_WORD = re.compile(r"\s*(\S+)")


def read_directive(line: Line, opening: int, closing: int) -> Directive:
    """The directive ``line.text[opening : closing + 1]``, its name checked against :data:`PARSERS`."""
    match = _FIRST_WORD.match(line.text, opening + 1, closing)
    if not match:
        raise ScriptError(line.pos(opening), "empty directive '[]': write e.g. [pause 3s] or [breathe 3]")
    name = match.group(1).lower()
    if name not in PARSERS:
        guess = difflib.get_close_matches(name, list(PARSERS), n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        raise ScriptError(
            line.pos(match.start(1)),
            f"unknown directive {match.group(1)!r}: expected pause or breathe, or silence, breath-locked, "
            f"on-beat, pacing, optional, end optional, include; e.g. [pause 3s] or [breathe 3]{hint}",
        )
    return Directive(name, line, opening, closing, match.end(1))


def parse_directive(directive: Directive) -> Parsed:
    """What ``directive`` says, by its own parser."""
    return PARSERS[directive.name](directive)
