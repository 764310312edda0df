"""What every directive parser gets, and the pieces of directive syntax they share.

A parser takes one :class:`Directive` (``[name arguments]`` on a line, its
name already read) and returns what it says, or raises a :class:`ScriptError`
located at the offending token.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Optional

from mbcl_audio.script.lines import Line
from mbcl_audio.script.model import ScriptError, SourcePos
from mbcl_audio.units import parse_duration_s

__all__ = ["COUNT", "MAX_COUNT", "Directive", "is_count", "duration_range", "no_arguments", "reject_leftovers"]

# ``weight=2`` or ``weight = 2`` inside a directive.
_OPTION = re.compile(r"([A-Za-z_]\w*)\s*=\s*(\S*)")
_WORD = re.compile(r"\S+")
#: A count written as digits only (no sign, no decimals).
COUNT = re.compile(r"[0-9]+")
#: The largest count a directive takes (repeats, breath cycles, priorities): a 24-hour track holds
#: 8,640 breath cycles, and no exercise repeats a phrase more than a few dozen times.
MAX_COUNT = 1000


def is_count(text: str) -> bool:
    """``text`` is a whole number from 1 to :data:`MAX_COUNT`."""
    return bool(COUNT.fullmatch(text)) and 0 < int(text) <= MAX_COUNT


@dataclass(frozen=True)
class Directive:
    """``[name arguments]`` at ``line.text[opening : closing + 1]``; arguments start at ``args_start``."""

    name: str  # lowercased
    line: Line
    opening: int  # index of '['
    closing: int  # index of ']'
    args_start: int

    @property
    def pos(self) -> SourcePos:
        """Where the directive starts (its '[')."""
        return self.line.pos(self.opening)

    @property
    def args(self) -> str:
        """The text between the name and the ']'."""
        return self.line.text[self.args_start : self.closing]

    def words(self, end: Optional[int] = None) -> list[re.Match[str]]:
        """The blank-separated words of the arguments (up to index ``end``, default the ']')."""
        return list(_WORD.finditer(self.line.text, self.args_start, self.closing if end is None else end))

    def options(self) -> list[re.Match[str]]:
        """The ``key=value`` options among the arguments; group 1 is the key, group 2 the value."""
        return list(_OPTION.finditer(self.line.text, self.args_start, self.closing))

    def options_start(self, options: list[re.Match[str]]) -> int:
        """Where the arguments before the first option end."""
        return options[0].start() if options else self.closing


def reject_leftovers(directive: Directive, options: list[re.Match[str]], spec_end: int, kind: str) -> None:
    """Anything after the first option that is not itself an option is a mistake."""
    text = directive.line.text
    cursor = spec_end
    for option in [*options, None]:
        gap_end = option.start() if option else directive.closing
        gap = text[cursor:gap_end]
        if gap.strip():
            raise ScriptError(
                directive.line.pos(cursor + len(gap) - len(gap.lstrip())),
                f"unexpected {gap.strip()!r} in {kind}: write the duration first, then options, "
                f"e.g. [{kind} 20s..60s weight=2]",
            )
        if option:
            cursor = option.end()


def duration_range(directive: Directive, start: int, end: int, kind: str) -> tuple[float, float]:
    """``D`` -> (D, D); ``MIN..MAX`` -> (MIN, MAX) in seconds, from ``line.text[start:end]``; MIN <= MAX."""
    spec = directive.line.text[start:end]
    if ".." not in spec:
        value_s = _duration(directive.line, start, end, "duration", kind)
        return value_s, value_s
    split = start + spec.index("..")
    min_s = _duration(directive.line, start, split, "minimum", kind)
    max_s = _duration(directive.line, split + 2, end, "maximum", kind)
    if min_s > max_s:
        raise ScriptError(
            directive.line.token_pos(start),
            f"{kind} minimum ({min_s:g}s) is longer than its maximum ({max_s:g}s): "
            f"write the shorter duration first, e.g. [{kind} 20s..60s]",
        )
    return min_s, max_s


def _duration(line: Line, start: int, end: int, role: Literal["duration", "minimum", "maximum"], kind: str) -> float:
    """Read the duration token ``line.text[start:end]`` (seconds), erroring at its own column."""
    token = line.text[start:end].strip()
    where = line.token_pos(start)
    if not token:
        if role == "maximum":
            where = line.pos(end)
        raise ScriptError(where, f"{kind} range needs a {role} on each side of '..', e.g. [{kind} 20s..60s]")
    try:
        return parse_duration_s(token)
    except ValueError as err:
        raise ScriptError(where, f"{kind} {role}: {err}") from None


def no_arguments(directive: Directive, example: str) -> None:
    """Reject any word after the directive's name."""
    extra = directive.words()
    if extra:
        raise ScriptError(
            directive.line.pos(extra[0].start()),
            f"unexpected {extra[0].group()!r} in [{directive.name}]: write e.g. {example}",
        )
