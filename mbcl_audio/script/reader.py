"""Read the body of a script, and the blocks it includes, into items in reading order.

Text accumulates into the current utterance until something interrupts it
(paragraph end, directive, ellipsis). A problem in a line is reported and
reading goes on at the next line. Paragraph pauses are inserted at the end,
over the whole item list, so they work across include boundaries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, Optional

from mbcl_audio.script.directives import (
    LINE_DIRECTIVES,
    BlockRef,
    Directive,
    EndOptional,
    OnBeat,
    OpenPhrase,
    OptionalSpec,
    PhraseSpec,
    parse_directive,
    read_block,
    read_directive,
)
from mbcl_audio.script.lines import Line
from mbcl_audio.script.model import (
    Breathe,
    BreathPhrase,
    Item,
    PacingChange,
    Pause,
    ScriptError,
    Section,
    SourcePos,
    Speech,
)
from mbcl_audio.script.passages import Passages
from mbcl_audio.script.problems import Problems

__all__ = ["ELLIPSIS", "Reader", "insert_paragraph_pauses"]

#: One ellipsis: the single character or three or more dots. Runs of them count once.
ELLIPSIS = re.compile(r"(?:…|\.{3,})+")


@dataclass
class _File:
    """What is being read in one file (the script or a block): constructs that must end in it."""

    depth: int  # include depth: 0 for the script itself
    phrase: Optional[OpenPhrase] = None
    #: A ``[silence ... every=...]`` waiting for its prompt lines, and the prompts so far.
    silence: Optional[Pause] = None
    prompts: list[Speech] = field(default_factory=list)


#: How deep includes may nest (a block including a block ...), and how many one script may make in
#: all: shared blocks are one or two levels deep, and a track includes a handful.
MAX_INCLUDE_DEPTH = 16
MAX_INCLUSIONS = 200
#: The longest utterance (characters between two pauses): longer ones are pasted text, and would
#: be synthesized in one piece before the plan could say they do not fit.
MAX_UTTERANCE_CHARS = 4000


@dataclass
class Reader:
    """Reads the body of a script and its blocks into :attr:`items` and :attr:`passages`."""

    problems: Problems
    blocks_dir: Path
    paragraph_pause_s: float
    ellipsis_pause_s: float
    items: list[Item] = field(default_factory=list)
    passages: Passages = field(default_factory=Passages)
    # The utterance being collected.
    _parts: list[str] = field(default_factory=list)
    _start: Optional[SourcePos] = None
    _on_beat: Optional[SourcePos] = None
    _include_stack: list[str] = field(default_factory=list)
    _inclusions: int = 0
    _blocks: dict[str, list[Line]] = field(default_factory=dict)

    # ------------------------------------------------------------ driving

    def read(self, lines: list[Line]) -> list[Item]:
        """The items of the body ``lines`` of a script, paragraph pauses included."""
        self._read_file(lines)
        self.flush()
        return insert_paragraph_pauses(self.items, self.paragraph_pause_s)

    def _read_file(self, lines: list[Line]) -> None:
        file = _File(depth=len(self._include_stack))
        for line in lines:
            try:
                self._line(file, line)
            except ScriptError as err:
                # Recover at the next line: forget the half-read utterance marker and phrase.
                self._on_beat = None
                if file.phrase is not None:
                    file.phrase.broken = True
                self.problems.report(err)
        self._guard(self._end_phrase, file)
        self._guard(self._end_silence, file)
        opened = self.passages.open
        if opened is not None and opened.depth == file.depth:
            self.passages.open = None
            self.problems.report(
                ScriptError(
                    opened.pos,
                    "this optional passage is never closed: add a line [end optional] after its last line"
                    + (" (in the same file)" if file.depth else ""),
                )
            )

    def _guard(self, step: Callable[[_File], None], file: _File) -> None:
        try:
            step(file)
        except ScriptError as err:
            self.problems.report(err)

    def _line(self, file: _File, line: Line) -> None:
        stripped = line.text.strip()
        if stripped.startswith("//"):
            return  # comments are invisible: they neither end nor continue anything
        if file.silence is not None:
            if stripped.startswith(">"):
                self._prompt(file, line)
                return
            self._guard(self._end_silence, file)
        if file.phrase is not None:
            if stripped and not stripped.startswith(("#", "[", ">")):
                file.phrase.add(line, 0)
                return
            self._guard(self._end_phrase, file)
        if not stripped:
            self.flush()
        elif stripped.startswith("#"):
            self.add(parse_heading(line))
        elif stripped.startswith(">"):
            raise ScriptError(
                line.pos(line.text.index(">")),
                "a '> ' prompt line must directly follow a [silence ... every=...] line or another prompt line, "
                "e.g. [silence 1m..6m every=90s] then '> Gently come back to the wish.'",
            )
        else:
            self._text_line(file, line)
            if self._on_beat is not None and self._start is None:
                raise ScriptError(
                    self._on_beat, "[on-beat] needs the text it marks after it on the same line, e.g. [on-beat] Stand still."
                )
            self.line_break()

    # ------------------------------------------------------------ utterances

    def text(self, line: Line, start: int, text: str) -> None:
        """Add ``text`` found at 0-based index ``start`` of ``line``."""
        stripped = text.lstrip()
        if not stripped:
            return
        if self._start is None:
            self._start = line.pos(start + len(text) - len(stripped))
        self._parts.append(text)

    def line_break(self) -> None:
        """End a line of the current paragraph."""
        # Lines of one paragraph join with a space; whitespace collapses at flush.
        self._parts.append(" ")

    def flush(self) -> None:
        """End the current utterance (paragraph end, directive or ellipsis)."""
        spoken = " ".join("".join(self._parts).split())
        # A piece with no letters or digits (a closing quote after an ellipsis,
        # a lone dash) cannot be spoken on its own, so it is dropped.
        if self._start is not None and any(ch.isalnum() for ch in spoken):
            if len(spoken) > MAX_UTTERANCE_CHARS:
                raise ScriptError(
                    self._start,
                    f"this paragraph is {len(spoken):,} characters long, more than the {MAX_UTTERANCE_CHARS:,} one "
                    "utterance may have (about 6 minutes of speech): split it with empty lines or pauses",
                )
            self.items.append(Speech(spoken, self._start, self.passages.current, on_beat=self._on_beat is not None))
            self._on_beat = None
        self._parts, self._start = [], None

    def add(self, item: Item) -> None:
        """Append a non-speech item (it ends the utterance) in the open passage."""
        if self._on_beat is not None and self._start is None:
            raise ScriptError(
                self._on_beat, "[on-beat] needs the text it marks right after it, e.g. [on-beat] Stand still."
            )
        self.flush()
        self.items.append(replace(item, passage=self.passages.current))

    # ------------------------------------------------------------ text lines and directives

    def _text_line(self, file: _File, line: Line) -> None:
        text = line.text
        spans = list(scan_brackets(line))
        directives = [(start, end) for kind, start, end in spans if kind == "directive"]
        indent = len(text) - len(text.lstrip())
        if directives and directives[0][0] == indent:
            opening, closing = directives[0]
            directive = read_directive(line, opening, closing)
            alone = not text[closing + 1 :].strip()
            if directive.name in LINE_DIRECTIVES and not alone:
                raise ScriptError(
                    line.token_pos(closing + 1),
                    f"[{directive.name} ...] must stand on its own line: move what follows it to the next line",
                )
            if directive.name == "breath-locked" or directive.name in LINE_DIRECTIVES:
                self._line_directive(file, directive)
                return
            if directive.name == "silence" and alone:
                silence = parse_directive(directive)
                if isinstance(silence, Pause) and silence.prompt_every_s is not None:
                    self.flush()
                    file.silence, file.prompts = silence, []
                    return
        self._inline(line, spans, indent)

    def _inline(self, line: Line, spans: list[tuple[str, int, int]], indent: int) -> None:
        """Split one text line at directives and ellipses, feeding the pieces to the utterance."""
        for kind, start, end in spans:
            if kind == "directive":
                self._inline_directive(read_directive(line, start, end), indent)
                continue
            cursor = start
            for match in ELLIPSIS.finditer(line.text, start, end):
                self.text(line, cursor, line.text[cursor : match.start()])
                self.add(Pause(self.ellipsis_pause_s, self.ellipsis_pause_s, line.pos(match.start()), implicit=True))
                cursor = match.end()
            self.text(line, cursor, line.text[cursor:end])

    def _inline_directive(self, directive: Directive, indent: int) -> None:
        """A directive inside a text line (or starting one, when it need not stand alone)."""
        pos = directive.pos
        if directive.name == "breath-locked":
            raise ScriptError(
                pos, "[breath-locked ...] must start its line; its phrase runs to the end of the paragraph"
            )
        if directive.name in LINE_DIRECTIVES:  # a line directive with something else on its line
            raise ScriptError(pos, f"[{directive.name} ...] must stand on its own line")
        parsed = parse_directive(directive)
        if isinstance(parsed, OnBeat):
            if directive.opening != indent or self._start is not None:
                raise ScriptError(
                    pos,
                    "[on-beat] must start a paragraph (after an empty line, a heading or a directive line), "
                    "e.g. [on-beat] Stand still.",
                )
            self._on_beat = parsed.pos
        elif isinstance(parsed, Pause) and parsed.prompt_every_s is not None:
            raise ScriptError(
                pos,
                "a silence with prompts (every=...) must stand on its own line, "
                "with its '> ' prompt lines directly below it",
            )
        elif isinstance(parsed, (Pause, Breathe)):
            self.add(parsed)

    def _line_directive(self, file: _File, directive: Directive) -> None:
        """A directive that stands alone on its line, or ``[breath-locked ...]`` that starts one."""
        parsed = parse_directive(directive)
        if isinstance(parsed, PhraseSpec):
            self.flush()
            file.phrase = OpenPhrase(parsed, self.passages.current)
            file.phrase.add(directive.line, directive.closing + 1)
        elif isinstance(parsed, PacingChange):
            self.add(parsed)
        elif isinstance(parsed, OptionalSpec):
            self._open_passage(file, parsed)
        elif isinstance(parsed, EndOptional):
            self._close_passage(file, parsed.pos)
        elif isinstance(parsed, BlockRef):
            self._include(parsed)

    # ------------------------------------------------------------ silences with prompts

    def _prompt(self, file: _File, line: Line) -> None:
        marker = line.text.index(">")
        rest = line.text[marker + 1 :]
        stripped = rest.strip()
        for index, ch in enumerate(rest):
            if ch in "[]":
                raise ScriptError(
                    line.pos(marker + 1 + index),
                    "a prompt is spoken as one piece: no [...] directives or brackets inside a '> ' line",
                )
        if not any(ch.isalnum() for ch in stripped):
            raise ScriptError(
                line.pos(marker),
                "empty prompt: write the words after '> ', e.g. '> Gently come back to the wish.'",
            )
        start = line.pos(marker + 1 + len(rest) - len(rest.lstrip()))
        file.prompts.append(Speech(" ".join(stripped.split()), start, self.passages.current))

    def _end_silence(self, file: _File) -> None:
        silence, prompts = file.silence, tuple(file.prompts)
        if silence is None:
            return
        file.silence, file.prompts = None, []
        if not prompts:
            self.add(replace(silence, prompt_every_s=None))
            raise ScriptError(
                silence.pos,
                "every= needs prompt lines: write one or more lines starting with '> ' directly below the "
                "silence, e.g. '> Gently come back to the wish.', or remove every=",
            )
        self.add(replace(silence, prompts=prompts))

    # ------------------------------------------------------------ breath-locked phrases

    def _end_phrase(self, file: _File) -> None:
        phrase = file.phrase
        if phrase is None:
            return
        file.phrase = None
        if not phrase.broken:
            self.items.append(phrase.finish())

    # ------------------------------------------------------------ optional passages

    def _open_passage(self, file: _File, spec: OptionalSpec) -> None:
        name = self.passages.name(spec)
        self.flush()  # what came before the passage is not part of it
        self.passages.begin(spec, name, file.depth, len(self.items))

    def _close_passage(self, file: _File, pos: SourcePos) -> None:
        opened = self.passages.open
        if opened is None:
            raise ScriptError(pos, "[end optional] without an open passage: add [optional N] before the passage, or remove this line")
        if opened.depth != file.depth:
            raise ScriptError(
                pos,
                f"[end optional] closes the passage opened at {opened.pos}, in another file: "
                "open and close a passage in the same file",
            )
        self._guard(self._end_phrase, file)
        self.flush()
        self.passages.open = None
        if len(self.items) == opened.first_item:
            raise ScriptError(
                opened.pos,
                "this optional passage is empty: put text, pauses or breathing between [optional N] and "
                "[end optional], or remove both lines",
            )

    # ------------------------------------------------------------ includes

    def _include(self, ref: BlockRef) -> None:
        if len(self._include_stack) >= MAX_INCLUDE_DEPTH:
            chain = " -> ".join(self._include_stack[:3] + ["..."] + self._include_stack[-2:] + [ref.name])
            raise ScriptError(
                ref.pos, f"includes nest more than {MAX_INCLUDE_DEPTH} deep ({chain}); include the blocks side by side"
            )
        self._inclusions += 1
        if self._inclusions > MAX_INCLUSIONS:
            raise ScriptError(
                ref.pos,
                f"more than {MAX_INCLUSIONS} inclusions in one script: blocks that include other blocks "
                "several times multiply; include each block where it is spoken, once",
            )
        lines = read_block(ref, self.blocks_dir, self._include_stack, self._blocks)
        self._include_stack.append(ref.name)
        try:
            self._read_file(lines)
        finally:
            self._include_stack.pop()


def parse_heading(line: Line) -> Section:
    """A ``# Title`` line."""
    hash_index = line.text.index("#")
    rest = line.text[hash_index + 1 :]
    if rest and not rest[0].isspace():
        raise ScriptError(
            line.pos(hash_index + 1),
            "expected a space after '#': a section heading is written '# Title' (one '#' only)",
        )
    title = " ".join(rest.split())
    if not title:
        raise ScriptError(
            line.pos(hash_index), "empty section title: write the chapter title after '# ', e.g. '# Aware presence'"
        )
    return Section(title, line.pos(hash_index))


def scan_brackets(line: Line) -> Iterator[tuple[str, int, int]]:
    """Yield ("text", start, end) and ("directive", index of '[', index of ']') spans."""
    text = line.text
    cursor = 0
    while True:
        opening = text.find("[", cursor)
        closing = text.find("]", cursor)
        if closing >= 0 and (opening < 0 or closing < opening):
            raise ScriptError(
                line.pos(closing),
                "stray ']' without a matching '[': square brackets are only for directives such as [pause 3s]",
            )
        if opening < 0:
            yield ("text", cursor, len(text))
            return
        next_opening = text.find("[", opening + 1)
        if closing < 0 or 0 <= next_opening < closing:
            raise ScriptError(line.pos(opening), "unclosed '[': close the directive with ']' on the same line, e.g. [pause 3s]")
        yield ("text", cursor, opening)
        yield ("directive", opening, closing)
        cursor = closing + 1


def insert_paragraph_pauses(items: list[Item], pause_s: float) -> list[Item]:
    """Put a paragraph pause before every Speech that directly follows another Speech.

    Sections and pacing changes do not separate speech (they add no silence),
    so the pause goes after them, right before the second paragraph: positions
    stay in reading order and each chapter starts with its own lead-in. Pauses,
    silences, breathe blocks and breath-locked phrases do separate speech: no
    paragraph pause is added next to them.

    The pause belongs to the optional passage of the speech it precedes, so it
    is left out exactly when that speech is: leaving out passages never leaves
    two paragraph pauses in a row (each one still stands right before its own
    speech). It can leave two speeches with nothing between them, when the
    silence that separated them was inside the left-out passage.
    """
    result: list[Item] = []
    after_speech = False
    for item in items:
        if isinstance(item, Speech):
            if after_speech:
                result.append(Pause(pause_s, pause_s, item.pos, passage=item.passage, implicit=True))
            after_speech = True
        elif isinstance(item, (Pause, Breathe, BreathPhrase)):
            after_speech = False
        result.append(item)
    return result
