"""``[optional N name]`` ... ``[end optional]``: a passage included when the track's length leaves room.

These parse the two directives; the reader opens and closes the passage
(:mod:`mbcl_audio.script.passages`), since that depends on what was read before.
"""

from __future__ import annotations

from dataclasses import dataclass

from mbcl_audio.script.directives.base import MAX_COUNT, Directive, is_count
from mbcl_audio.script.model import ScriptError, SourcePos

__all__ = ["EndOptional", "OptionalSpec", "parse_end", "parse_optional"]


@dataclass(frozen=True)
class OptionalSpec:
    """``[optional N name]``: priority N (1 is included first) and the name as written."""

    directive: Directive
    priority: int
    #: The words of the name with the index each starts at (none when no name was written).
    words: tuple[tuple[str, int], ...]

    @property
    def name(self) -> str:
        """The name as written, words joined by single spaces ("" when none)."""
        return " ".join(word for word, _ in self.words)


@dataclass(frozen=True)
class EndOptional:
    """``[end optional]``."""

    pos: SourcePos


def parse_optional(directive: Directive) -> OptionalSpec:
    """``[optional N]`` or ``[optional N some name]``."""
    tokens = directive.words()
    if not tokens:
        raise ScriptError(
            directive.pos, "optional needs a priority, e.g. [optional 1] or [optional 2 second round of wishes]"
        )
    count = tokens[0]
    if not is_count(count.group()):
        raise ScriptError(
            directive.line.pos(count.start()),
            f"optional priority must be a whole number from 1 to {MAX_COUNT} (1 is included first), "
            f"e.g. [optional 1]; got {count.group()!r}",
        )
    return OptionalSpec(directive, int(count.group()), tuple((t.group(), t.start()) for t in tokens[1:]))


def parse_end(directive: Directive) -> EndOptional:
    """``[end optional]``, the only ``[end ...]`` there is."""
    if [w.lower() for w in directive.args.split()] != ["optional"]:
        raise ScriptError(directive.pos, "write [end optional] to close an optional passage")
    return EndOptional(directive.pos)
