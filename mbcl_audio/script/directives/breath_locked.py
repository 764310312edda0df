"""``[breath-locked x3] May I | be at ease``: a phrase whose halves are locked to the breath.

The directive starts its line and its phrase runs to the end of the
paragraph, so the phrase is read over several lines (:class:`OpenPhrase`)
and checked when it ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from mbcl_audio.script.directives.base import MAX_COUNT, Directive, is_count, duration_range
from mbcl_audio.script.lines import Line
from mbcl_audio.script.model import BreathPhrase, ScriptError, SourcePos, Speech

__all__ = ["OpenPhrase", "PhraseSpec", "parse_breath_locked"]

_EXAMPLE = "e.g. [breath-locked x3] May I | be at ease"


@dataclass(frozen=True)
class PhraseSpec:
    """How long a phrase runs: ``repeats`` cycles, or as many as fit ``min_s`` to ``max_s`` seconds."""

    pos: SourcePos
    repeats: Optional[int]
    min_s: float
    max_s: float


def parse_breath_locked(directive: Directive) -> PhraseSpec:
    """``x3`` -> 3 repeats; ``30s..90s`` -> a span of 30 to 90 seconds."""
    line, pos = directive.line, directive.pos
    tokens = directive.words()
    example = "write a repeat count such as x3 or a span such as 30s..90s, e.g. [breath-locked x3] May I | be at ease"
    if not tokens:
        raise ScriptError(pos, f"breath-locked needs a count or a span: {example}")
    spec = directive.args.strip()
    where = line.token_pos(directive.args_start)
    if spec[:1] in "xX×" and ".." not in spec:
        if len(tokens) > 1:
            extra = tokens[1]
            raise ScriptError(
                line.pos(extra.start()), f"unexpected {extra.group()!r} after the breath-locked count: {example}"
            )
        digits = spec[1:]
        if not is_count(digits):
            raise ScriptError(
                where,
                f"breath-locked repeat count must be x and a whole number from 1 to {MAX_COUNT}, e.g. x3; got {spec!r}",
            )
        return PhraseSpec(pos, int(digits), 0.0, 0.0)
    if ".." not in spec:
        raise ScriptError(where, f"unexpected {spec!r} in breath-locked: {example}")
    min_s, max_s = duration_range(directive, directive.args_start, directive.closing, "breath-locked")
    if min_s <= 0:
        raise ScriptError(where, f"breath-locked span must be longer than 0 seconds, e.g. 30s..90s; got {spec!r}")
    return PhraseSpec(pos, None, min_s, max_s)


@dataclass
class OpenPhrase:
    """A phrase being read: its text may continue on the next lines of the paragraph."""

    spec: PhraseSpec
    passage: Optional[int]
    #: The lines of the phrase with the index its text starts at, in order.
    pieces: list[tuple[Line, int]] = field(default_factory=list)
    broken: bool = False  # a problem was reported: drop it quietly at its end

    def add(self, line: Line, start: int) -> None:
        """Add ``line.text[start:]`` to the phrase."""
        for index in range(start, len(line.text)):
            if line.text[index] in "[]":
                raise ScriptError(
                    line.pos(index),
                    "a breath-locked phrase runs to the end of its paragraph and cannot contain directives: "
                    "end the phrase with an empty line first",
                )
        self.pieces.append((line, start))

    def finish(self) -> BreathPhrase:
        """The phrase, split at its one '|' into in-breath and out-breath halves."""
        # The phrase as (character, position) pairs; lines join with a space.
        chars: list[tuple[str, Optional[SourcePos]]] = []
        for line, start in self.pieces:
            chars += [(ch, line.pos(start + i)) for i, ch in enumerate(line.text[start:])]
            chars.append((" ", None))
        bars = [k for k, (ch, _) in enumerate(chars) if ch == "|"]
        spec = self.spec
        if not "".join(ch for ch, _ in chars).strip():
            raise ScriptError(spec.pos, f"[breath-locked ...] needs a phrase after it, {_EXAMPLE}")
        if not bars:
            raise ScriptError(
                spec.pos,
                f"a breath-locked phrase needs one '|' between its in-breath and out-breath halves, {_EXAMPLE}",
            )
        if len(bars) > 1:
            raise ScriptError(
                chars[bars[1]][1],  # type: ignore[arg-type]
                f"a breath-locked phrase has exactly one '|' (in-breath | out-breath); this is a second one: {_EXAMPLE}",
            )
        bar = bars[0]
        halves = []
        for part, role in ((chars[:bar], "in-breath half before"), (chars[bar + 1 :], "out-breath half after")):
            text = " ".join("".join(ch for ch, _ in part).split())
            if not any(ch.isalnum() for ch in text):
                raise ScriptError(chars[bar][1], f"the {role} '|' is empty: {_EXAMPLE}")  # type: ignore[arg-type]
            first = next(p for ch, p in part if not ch.isspace())
            halves.append(Speech(text, first, self.passage))  # type: ignore[arg-type]
        return BreathPhrase(halves[0], halves[1], spec.pos, spec.repeats, spec.min_s, spec.max_s, self.passage)
