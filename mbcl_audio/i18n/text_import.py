"""Exercise text as it comes out of a book or a PDF, turned into a draft script (``import-text``).

The rules, in the order they run (``docs/import-text.md`` has them with examples); every rule
that guesses reports the guess with its line in the input:

1. **Page furniture** goes: a line that is only a page number (``12``, ``- 12 -``, ``p. 12``,
   ``Seite 12``), and a running head (a short line without final punctuation that occurs more
   than once, page numbers aside). Where a page break cut a sentence, its two halves join.
2. **Hyphenation** is undone: ``adem-`` at a line end and ``haling`` on the next line become
   ``ademhaling``; before a capital the hyphen stays (``Zuid-`` ``Amerika`` -> ``Zuid-Amerika``),
   and before a conjunction the hyphen and the space stay (``Noord-`` ``en Zuid-Amerika``).
3. **Numbered steps** (``1.``, ``2)``, ``Stap 3:``, ``Step 4``, ``Schritt 5``) start a new
   paragraph without their number; a step that is a short title becomes a section.
4. **Headings**: a paragraph of one short line without final punctuation becomes a ``# section``
   (in ALL CAPS it is written in sentence case); one that repeats the track's title is dropped.
5. **One-word lines**: inside a paragraph a one-word line is a line break like any other; on its
   own, ``pauze`` / ``stilte`` / ``pause`` / ``silence`` / ``Stille`` (or a lone ``…``) becomes a
   pause or a silence, a word with final punctuation is a one-word paragraph, and one without is
   a heading (rule 4).
6. **Paragraphs** are joined into one line of speech; ``...`` is written ``…`` (an ellipsis pause).
7. **Pauses**: after a paragraph that ends in a question, an elastic reflection pause with the
   catalogue's ``question_pause`` bounds; after any other paragraph, its ``paragraph_pause``.
   A closing practice silence lets the draft reach the whole of the catalogue's range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..units import format_duration
from .po import I18nError
from .units import Slot
from .write import toml_string, wrap_line

__all__ = ["Draft", "draft_script"]

_PAGE_NUMBER = re.compile(r"^[-–—]?\s*(?:(?:p|pag|page|pagina|seite|s)\.?\s*)?\d{1,4}\s*[-–—]?$", re.IGNORECASE)
#: A running head printed with its page number, apart by a wide gap: "24      Title", "Title      25".
_HEAD_WITH_FOLIO = re.compile(r"^(?:\d{1,4}\s{3,}\S.*|.*\S\s{3,}\d{1,4})$")
_STEP = re.compile(r"^(?:(?:stap|step|schritt|oefening|exercise|übung)\s+)?(\d{1,2})\s*[.):]\s*(\S.*)$", re.IGNORECASE)
_STEP_WORD = re.compile(r"^(?:stap|step|schritt)\s+(\d{1,2})\s*[.):]?\s*(.*)$", re.IGNORECASE)
_FINAL_PUNCTUATION = ".,;:?!…\"'”’)»"
_CONJUNCTIONS = {"en", "of", "und", "oder", "and", "or", "tot", "bis", "to", "noch", "nor"}
_PAUSE_WORDS = {"pauze", "pause", "stilte", "stille", "silence", "pausa"}
_SILENCE_WORDS = {"stilte", "stille", "silence"}
#: A heading is at most this many characters.
_HEADING_CHARS = 60


@dataclass
class Draft:
    """A draft script and the guesses that made it.

    Attributes:
        text: The script (front matter and body), ready for ``check``.
        guesses: One line per guess: ``line N: what was decided``.
    """

    text: str
    guesses: list[str] = field(default_factory=list)


def _seconds(value: float) -> str:
    return f"{value:g}s" if value < 60 or value % 60 else f"{value / 60:g}m"


def _range(bounds: tuple[float, float]) -> str:
    low, high = bounds
    return _seconds(low) if low == high else f"{_seconds(low)}..{_seconds(high)}"


def _furniture_key(text: str) -> str:
    """A line with its page numbers taken out, to recognise a running head on every page."""
    return " ".join(re.sub(r"\d+", " ", text).split()).lower()


def _ends_sentence(text: str) -> bool:
    return bool(text) and text[-1] in ".?!…:\"”’»"


@dataclass
class _Block:
    """A run of lines between empty lines: (input line number, text) each."""

    lines: list[tuple[int, str]]


def _remove_furniture(lines: list[tuple[int, str]], title: str, guesses: list[str]) -> list[tuple[int, str]]:
    counts: dict[str, int] = {}
    for _, text in lines:
        key = _furniture_key(text)
        if key and len(text) <= _HEADING_CHARS and not _ends_sentence(text):
            counts[key] = counts.get(key, 0) + 1
    kept: list[tuple[int, str]] = []
    cut = False  # furniture was just removed: the blank lines around it are the page's, not the text's
    for number, text in lines:
        furniture = ""
        if text and not kept and text.lower() == title.lower():
            guesses.append(f"line {number}: {text!r} dropped: it is the track's title")
            continue
        if text and _PAGE_NUMBER.match(text):
            furniture = "a page number"
        elif text and counts.get(_furniture_key(text), 0) > 1:
            furniture = "a running head (it repeats)"
        elif text and _HEAD_WITH_FOLIO.match(text) and len(text.split()) <= 12:
            furniture = "a running head (a page number beside it)"
        if furniture:
            guesses.append(f"line {number}: {text!r} dropped as {furniture}")
            while kept and not kept[-1][1]:
                kept.pop()
            cut = True
            continue
        if cut and not text:
            continue
        if cut and kept:
            if not _ends_sentence(kept[-1][1]) and text[:1].islower():
                guesses.append(f"line {number}: continues the sentence of line {kept[-1][0]} across a page break")
            else:
                kept.append((number, ""))
        cut = False
        kept.append((number, text))
    return kept


def _blocks(lines: list[tuple[int, str]]) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[tuple[int, str]] = []
    for number, text in lines:
        step = _STEP.match(text) or _STEP_WORD.match(text)
        if text and step and current:  # a numbered step starts its own paragraph
            blocks.append(_Block(current))
            current = []
        if text:
            current.append((number, text))
        elif current:
            blocks.append(_Block(current))
            current = []
    if current:
        blocks.append(_Block(current))
    return blocks


def _join(block: _Block, guesses: list[str]) -> str:
    """The block's lines as one paragraph, hyphenation undone."""
    out = ""
    previous = 0
    for number, text in block.lines:
        if not out:
            out = text
        elif out.endswith(("-", "\u00ad")) and len(out) > 1 and out[-2].isalpha():
            stem = out.rstrip("-\u00ad")
            word = text.split()[0]
            if word.lower().strip(",.;:") in _CONJUNCTIONS:
                out = f"{out} {text}"
                guesses.append(f"line {previous}: hyphen kept before {word!r} (a shortened compound)")
            elif word[:1].isupper():
                out = f"{stem}-{text}"
                guesses.append(f"line {previous}: '{stem.split()[-1]}-' + {word!r} joined with its hyphen (a capital follows)")
            else:
                out = stem + text
                guesses.append(f"line {previous}: '{stem.split()[-1]}-' + {word!r} joined as {(stem.split()[-1] + word)!r}")
        else:
            out = f"{out} {text}"
        previous = number
    return re.sub(r"\.{3,}|…+", "…", " ".join(out.replace("\u00ad", "").split()))


def _is_heading(text: str) -> bool:
    return (
        len(text) <= _HEADING_CHARS and text[-1] not in _FINAL_PUNCTUATION
        and (text[0].isupper() or text[0].isdigit()) and any(c.isalpha() for c in text)
    )


def _sentence_case(text: str) -> str:
    return text[0] + text[1:].lower() if text.isupper() else text


def draft_script(
    text: str,
    track: int,
    language: str,
    title: str,
    voice: str,
    question_pause: tuple[float, float],
    paragraph_pause: tuple[float, float],
    longest_s: float,
) -> Draft:
    """A draft script of ``text`` (see the module docstring for the rules)."""
    guesses: list[str] = []
    raw = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n\n")
    lines = [(n, line.strip()) for n, line in enumerate(raw.split("\n"), start=1)]
    blocks = _blocks(_remove_furniture(lines, title, guesses))
    body: list[str] = []

    def pause_after(number: int, paragraph: str) -> None:
        if paragraph.endswith("?"):
            body.extend(["", f"[pause {_range(question_pause)}]"])
            guesses.append(f"line {number}: a question: a reflective pause of {_range(question_pause)} after it")
        else:
            body.extend(["", f"[pause {_range(paragraph_pause)}]"])

    for block in blocks:
        first_number, first_text = block.lines[0]
        step = _STEP.match(first_text) or _STEP_WORD.match(first_text)
        if step:
            rest = step.group(2).strip()
            guesses.append(f"line {first_number}: numbered step {step.group(1)}: its number is not spoken")
            block = _Block([(first_number, rest)] + block.lines[1:]) if rest else _Block(block.lines[1:])
            if not block.lines:
                continue
            first_text = block.lines[0][1]
            if len(block.lines) > 1 and _is_heading(first_text):  # "Step 1: Arriving" over its text
                guesses.append(f"line {first_number}: {first_text!r}, the step's title, made a section heading")
                body.extend(["", f"# {_sentence_case(first_text)}"])
                block = _Block(block.lines[1:])
                first_number, first_text = block.lines[0]
        paragraph = _join(block, guesses)
        word = paragraph.strip(".…!").lower()
        if len(block.lines) == 1 and (word in _PAUSE_WORDS or paragraph == "…"):
            directive = f"[silence {_range(question_pause)}]" if word in _SILENCE_WORDS else f"[pause {_range(paragraph_pause)}]"
            if body and body[-1].startswith("[pause"):
                body.pop()
                body.pop()
            body.extend(["", directive])
            guesses.append(f"line {first_number}: {first_text!r} read as a {directive}")
            continue
        if len(block.lines) == 1 and _is_heading(paragraph):
            if paragraph.lower() == title.lower():
                guesses.append(f"line {first_number}: {paragraph!r} dropped: it is the track's title")
                continue
            heading = _sentence_case(paragraph)
            guesses.append(f"line {first_number}: {paragraph!r} made a section heading"
                           + (" (in sentence case)" if heading != paragraph else ""))
            body.extend(["", f"# {heading}"])
            continue
        if len(block.lines) == 1 and len(paragraph.split()) == 1:
            guesses.append(f"line {first_number}: the one-word line {paragraph!r} kept as a paragraph of its own")
        if "[" in paragraph or "]" in paragraph:
            # Square brackets are the script's markup: a book's "[1]" or "[sic]" is read as brackets.
            paragraph = paragraph.replace("[", "(").replace("]", ")")
            guesses.append(f"line {first_number}: square brackets written as round ones (brackets are script markup)")
        body.append("")
        body.extend(wrap_line((Slot("text"),), {"text": paragraph}))
        pause_after(block.lines[-1][0], paragraph)
    while body and body[-1].startswith("[pause"):
        body.pop()
        body.pop()
    if not any(line and not line.startswith(("[", "#")) for line in body):
        raise I18nError("no text to speak was found: every line was page furniture, a heading or a pause")
    closing = (60.0, max(60.0, longest_s))
    body.extend(["", f"[silence {_range(closing)} prefer={_seconds(closing[0] * 2)}]", ""])
    guesses.append(f"end: a closing practice silence of {format_duration(closing[0])} to {format_duration(closing[1])} "
                   "so that the draft reaches the catalogue's whole range: move it to where the exercise practises")
    front = [
        "+++",
        f"track = {track}",
        f"title = {toml_string(title)}",
        f"language = {toml_string(language)}",
        f"voice = {toml_string(voice)}",
        "+++",
        "",
        "// DRAFT made by 'mbcl-audio import-text' from book text: read it against the catalogue's",
        "// structure and timing, and replace every pause that 'guesses' reports where it misses.",
    ]
    guesses.sort(key=_guess_line)  # in the order of the input, as a reader checks them
    return Draft("\n".join(front + body).rstrip("\n") + "\n", guesses)


def _guess_line(guess: str) -> int:
    match = re.match(r"line (\d+)", guess)
    return int(match.group(1)) if match else 1 << 30
