"""A script file as a template: its translatable units, and the structure that holds them.

A translator gets words, never markup. :func:`read_template` reads one script (or one shared
block) of the source language at the level of its lines and splits it in two:

* **units**, the words a translation replaces: the track title and album (scripts only), each
  section heading, each spoken paragraph (a run of text between directives), each prompt of a
  silence and each half of a breath-locked phrase;
* the **template**, everything else in reading order: pauses, silences, breathing, pacing,
  optional passages, includes, ``[on-beat]`` marks, paragraph breaks, with a slot per unit.

:func:`mbcl_audio.i18n.write.write_script` fills the slots with a translation, so a translated
script has the source's structure by construction. Comments (``// ...``) are notes for the
source's authors: they are handed to the translator as notes on the unit that follows and are
not copied into the translation.

Unit keys (the PO ``msgctxt``) are the utterance IDs the takes use (:mod:`mbcl_audio.takes.ids`):
a paragraph is keyed by its first utterance (a paragraph that an ellipsis splits speaks as several
utterances), a heading of section ``SS`` is ``SS-000``, the title and album are ``title`` and
``album``. A block's keys are counted within the block on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional, Union

from ..script import FrontMatter, Pause, Script, ScriptError, Section, parse_script
from ..script.directives import parse_directive, read_directive
from ..script.frontmatter import find_front_matter
from ..script.lines import Line, decode, split_lines
from ..script.problems import Problems
from ..script.reader import ELLIPSIS, Reader, scan_brackets
from ..takes.ids import UtteranceEntry, utterance_entries

__all__ = ["ELLIPSIS_NOTE", "Slot", "ellipses", "markup_in", "speech_pieces", "Template", "Unit", "UnitKind", "read_block_template", "read_template", "normalize_text"]

UnitKind = Literal["title", "album", "section", "speech", "prompt", "inhale", "exhale"]


@dataclass(frozen=True)
class Unit:
    """One translatable piece of a script.

    Attributes:
        key: The PO ``msgctxt`` (see the module docstring).
        kind: What it is: ``title``, ``album``, ``section`` (a heading), ``speech`` (a paragraph
            or a run of text between inline directives), ``prompt`` (inside a silence),
            ``inhale`` / ``exhale`` (the halves of a breath-locked phrase).
        text: The words, whitespace collapsed and every ellipsis written ``…`` (the ``msgid``).
        line: The 1-based line of the script file it starts on.
        utterances: The takes' utterance IDs it speaks as (several when ellipses split it).
        section: Title of the section it is in (``""`` before the first heading).
        passage: Name of the optional passage it is in, or ``""``.
        after: What follows it when the track plays, in words (``"pause 20-60 s"``).
        notes: The source authors' comments right above it.
        positions: Where each of its utterances starts in its file (line, column), in order.
    """

    key: str
    kind: UnitKind
    text: str
    line: int
    utterances: tuple[str, ...] = ()
    section: str = ""
    passage: str = ""
    after: str = ""
    notes: tuple[str, ...] = ()
    positions: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Slot:
    """Where the translation of unit ``key`` goes in a template line."""

    key: str


#: One line of a template: literal markup and slots, joined as they stand.
TemplateLine = tuple[Union[str, Slot], ...]


@dataclass(frozen=True)
class Template:
    """A source script (or block) split into units and the structure around them.

    Attributes:
        path: The source file.
        block: The block's name, or ``""`` for a track's script.
        front: The parsed front matter (``None`` for a block).
        front_lines: The lines between the ``+++`` fences, as written (``()`` for a block).
        lines: The body as template lines. A paragraph is one line here; the writer wraps it.
        units: Every unit in reading order.
        notes: The authors' comments that stand apart from any unit (a file's header notes).
        script: The parsed source (for a block: the block read on its own).
    """

    path: Path
    block: str
    front: Optional[FrontMatter]
    front_lines: tuple[str, ...]
    lines: tuple[TemplateLine, ...]
    units: tuple[Unit, ...]
    script: Script
    notes: tuple[str, ...] = ()

    @property
    def track(self) -> Optional[int]:
        return self.front.track if self.front is not None else None

    def unit(self, key: str) -> Unit:
        for unit in self.units:
            if unit.key == key:
                return unit
        raise KeyError(key)


def ellipses(text: str) -> int:
    """How many ellipsis pauses ``text`` makes (``…`` or three dots or more; a run counts once)."""
    return len(ELLIPSIS.findall(text))


#: What a translator is told about the ellipses of a unit.
ELLIPSIS_NOTE = "each “…” is a pause in the speech: keep as many as the source has"


def speech_pieces(text: str) -> list[str]:
    """The utterances ``text`` speaks as: split at each ellipsis, pieces without letters dropped
    (as the script reader splits a paragraph)."""
    return [p for p in (" ".join(x.split()) for x in ELLIPSIS.split(text)) if any(c.isalnum() for c in p)]


def normalize_text(text: str) -> str:
    """Whitespace collapsed and each ellipsis (``…`` or three dots or more) written ``…``."""
    return ELLIPSIS.sub("…", " ".join(text.split()))


# --------------------------------------------------------------------------- reading


def read_template(path: str | Path) -> Template:
    """The template of the track script at ``path`` (it must parse: ``check`` it first).

    Raises :class:`~mbcl_audio.script.ScriptError` for a script that does not parse.
    """
    path = Path(path)
    script = parse_script(path)
    lines = split_lines(decode(path.read_bytes(), str(path)), str(path))
    fence = find_front_matter(lines, str(path))
    front_lines = tuple(line.text for line in lines[fence.open.number : fence.close.number - 1])
    body = lines[fence.close.number :]
    scanner = _Scanner(str(path), script)
    units = [Unit("title", "title", script.front.title, _setting_line(front_lines, "title"))]
    if script.front.album:
        units.append(Unit("album", "album", script.front.album, _setting_line(front_lines, "album")))
    scanner.scan(body)
    return Template(
        path, "", script.front, front_lines, tuple(scanner.lines), tuple(units + scanner.units), script,
        tuple(scanner.general),
    )


def read_block_template(path: str | Path, language: str) -> Template:
    """The template of the shared block at ``path`` (``scripts/<lang>/_blocks/NAME.txt``), keyed on its own."""
    path = Path(path)
    lines = split_lines(decode(path.read_bytes(), str(path)), str(path))
    reader = Reader(problems=Problems(strict=True), blocks_dir=path.parent, paragraph_pause_s=1.5, ellipsis_pause_s=1.0)
    items = reader.read(lines)
    front = FrontMatter(track=0, title="", language=language)
    script = Script(path=path, front=front, items=tuple(items), passages=tuple(reader.passages.found))
    scanner = _Scanner(str(path), script)
    scanner.scan(lines)
    return Template(path, path.stem, None, (), tuple(scanner.lines), tuple(scanner.units), script, tuple(scanner.general))


def _setting_line(front_lines: tuple[str, ...], name: str) -> int:
    """The file line of front matter setting ``name`` (the fence is line 1)."""
    for number, text in enumerate(front_lines, start=2):
        if text.split("=")[0].strip() == name:
            return number
    return 1


@dataclass
class _Paragraph:
    """A paragraph being collected: literal markup and text pieces (line, start, end) in order."""

    parts: list[Union[str, tuple[Line, int, int]]] = field(default_factory=list)


class _Scanner:
    """Reads a file's lines as the script reader does, but keeps the words apart from the markup."""

    def __init__(self, path: str, script: Script) -> None:
        self.path = path
        self.lines: list[TemplateLine] = []
        self.units: list[Unit] = []
        self._entries = [e for e in utterance_entries(script) if e.pos.path == path]
        self._sections = _section_numbers(script, path)
        self._passages = script.passages
        self._passage_of_line = _passages_by_line(script, path)
        self._paragraph: Optional[_Paragraph] = None
        self._phrase: Optional[tuple[str, list[tuple[Line, int]]]] = None
        self._in_silence = False
        self._notes: list[str] = []
        #: Comments not directly above a unit (separated from it by an empty line or a directive).
        self.general: list[str] = []
        self._section = ""

    # ---------------------------------------------------------------- the line loop

    def scan(self, lines: list[Line]) -> None:
        for line in lines:
            self._line(line)
        self._end_phrase()
        self._end_paragraph()
        while self.lines and self.lines[-1] == ():
            self.lines.pop()

    def _line(self, line: Line) -> None:
        stripped = line.text.strip()
        if stripped.startswith("//"):
            note = stripped[2:].strip()
            if note:
                self._notes.append(note)
            return
        if self._in_silence:
            if stripped.startswith(">"):
                marker = line.text.index(">")
                self._add_line(("> ", self._unit("prompt", [(line, marker + 1, len(line.text))])))
                return
            self._in_silence = False
        if self._phrase is not None:
            if stripped and not stripped.startswith(("#", "[", ">")):
                self._phrase[1].append((line, 0))
                return
            self._end_phrase()
        if not stripped or (stripped.startswith("[") and self._paragraph is None):
            # A comment directly above a unit is about it; one further away is about the file.
            self.general.extend(self._notes)
            self._notes = []
        if not stripped:
            self._end_paragraph()
            if self.lines and self.lines[-1] != ():
                self.lines.append(())
        elif stripped.startswith("#"):
            self._end_paragraph()
            hash_index = line.text.index("#")
            self._add_line(("# ", self._unit("section", [(line, hash_index + 1, len(line.text))])))
        else:
            self._text_line(line)

    def _text_line(self, line: Line) -> None:
        text = line.text
        spans = list(scan_brackets(line))
        indent = len(text) - len(text.lstrip())
        directives = [(start, end) for kind, start, end in spans if kind == "directive"]
        if directives and directives[0][0] == indent:
            opening, closing = directives[0]
            directive = read_directive(line, opening, closing)
            alone = not text[closing + 1 :].strip()
            markup = text[opening : closing + 1]
            if directive.name == "breath-locked":
                self._end_paragraph()
                self._phrase = (markup, [(line, closing + 1)])
                return
            if alone:  # a directive on its own line stays on its own line (the reader reads it alike)
                self._end_paragraph()
                parsed = parse_directive(directive)
                self._in_silence = isinstance(parsed, Pause) and parsed.prompt_every_s is not None
                self._add_line((markup,))
                return
        paragraph = self._paragraph = self._paragraph or _Paragraph()
        for kind, start, end in spans:
            if kind == "directive":
                paragraph.parts.append(text[start : end + 1])
            elif text[start:end].strip():
                paragraph.parts.append((line, start, end))

    # ---------------------------------------------------------------- paragraphs and phrases

    def _end_paragraph(self) -> None:
        paragraph, self._paragraph = self._paragraph, None
        if paragraph is None or not paragraph.parts:
            return
        out: list[Union[str, Slot]] = []
        run: list[tuple[Line, int, int]] = []

        def close_run() -> None:
            if run:
                words = normalize_text(" ".join(line.text[a:b] for line, a, b in run))
                if any(ch.isalnum() for ch in words):
                    out.append(self._unit("speech", list(run)))
                else:  # a lone "…" or dash speaks nothing: it stays as written (a pause, or nothing)
                    out.append(words)
                run.clear()

        for part in paragraph.parts:
            if isinstance(part, str):
                close_run()
                out.append(part)
            else:
                run.append(part)
        close_run()
        self._add_line(tuple(out))

    def _end_phrase(self) -> None:
        phrase, self._phrase = self._phrase, None
        if phrase is None:
            return
        markup, pieces = phrase
        # The halves split at the one '|' of the phrase (the parser has checked there is exactly one).
        inhale: list[tuple[Line, int, int]] = []
        exhale: list[tuple[Line, int, int]] = []
        target = inhale
        for line, start in pieces:
            bar = line.text.find("|", start)
            if bar >= 0 and target is inhale:
                inhale.append((line, start, bar))
                target = exhale
                exhale.append((line, bar + 1, len(line.text)))
            else:
                target.append((line, start, len(line.text)))
        self._add_line((markup + " ", self._unit("inhale", inhale), " | ", self._unit("exhale", exhale)))

    def _add_line(self, line: TemplateLine) -> None:
        self.lines.append(line)

    # ---------------------------------------------------------------- units

    def _unit(self, kind: UnitKind, pieces: list[tuple[Line, int, int]]) -> Slot:
        text = normalize_text(" ".join(line.text[a:b] for line, a, b in pieces))
        first = pieces[0][0]
        notes, self._notes = tuple(self._notes), []
        if kind == "section":
            self._section = text
            number = self._sections.get(first.number, 0)
            unit = Unit(f"{number:02d}-000", kind, text, first.number, (), text, self._passage(first.number), "", notes)
        else:
            entries = [e for e in self._entries if _inside(e, pieces)]
            if not entries:
                raise ScriptError(first.pos(pieces[0][1]), "internal: no utterance found for this text")
            unit = Unit(
                entries[0].id, kind, text, first.number, tuple(e.id for e in entries), self._section,
                self._passage(first.number), entries[-1].pause_after, notes,
                tuple((e.pos.line, e.pos.column) for e in entries),
            )
        self.units.append(unit)
        return Slot(unit.key)

    def _passage(self, line_number: int) -> str:
        index = self._passage_of_line.get(line_number)
        return self._passages[index].name if index is not None else ""


def _inside(entry: UtteranceEntry, pieces: list[tuple[Line, int, int]]) -> bool:
    return any(entry.pos.line == line.number and a < entry.pos.column <= b for line, a, b in pieces)


def _section_numbers(script: Script, path: str) -> dict[int, int]:
    """Line of each heading in ``path`` -> its section number in the (expanded) script."""
    numbers: dict[int, int] = {}
    count = 0
    for item in script.items:
        if isinstance(item, Section):
            count += 1
            if item.pos.path == path:
                numbers[item.pos.line] = count
    return numbers


def _passages_by_line(script: Script, path: str) -> dict[int, int]:
    """Line -> optional passage index, for every item of ``path`` that is in a passage."""
    found: dict[int, int] = {}
    # Prompts and phrase halves carry their passage like the items that hold them.
    for item in (*script.items, *script.utterances):
        if item.passage is not None and item.pos.path == path:
            found[item.pos.line] = item.passage
    return found



# Words that a translation may not contain, because the script reader would read them as markup.
_MARKUP = re.compile(r"[\[\]|]|//|(?:^|\s)[#>]")


def markup_in(text: str) -> Optional[str]:
    """The first piece of script markup in ``text`` (``[``, ``]``, ``|``, ``//``, or ``#`` / ``>``
    starting a word), or ``None``: a translation is words only."""
    match = _MARKUP.search(text)
    return match.group(0).strip() if match else None
