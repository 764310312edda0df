"""PO files for translators: one per track (``po/<lang>/NN-slug.po``) and one per shared block
(``po/<lang>/_blocks/NAME.po``), made and read with polib.

An entry per unit (:mod:`.units`): ``msgctxt`` is the unit's key, ``msgid`` the source's words,
``msgstr`` the translation, the reference its source file and line, and the extracted comments
(``#.``) what a translator needs: where the unit sits, how long the source speaks it, its budget
(:mod:`.budget`), and for a breath-locked half the breath phase it must fit.

Exporting again merges as ``msgmerge`` does: a translation stays with its entry; an entry whose
source words changed keeps its translation, marked fuzzy with the previous words (``#| msgid``);
an entry whose key moved (an ellipsis added earlier in the section renumbers the utterances after
it) is found again by its words; entries the source no longer has are kept as obsolete (``#~``).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

import polib

from ..atomic import write_atomic
from ..errors import MbclError
from ..plan.estimate import estimate_seconds
from .budget import CALM_SYLLABLES_PER_S, phase_seconds, syllables
from .units import Template, Unit

__all__ = ["I18nError", "PoTarget", "entry_comment", "load_po", "merge_po", "po_name", "slugify", "write_po"]


#: How alike (difflib's ratio) an old entry's words must be to carry its translation, fuzzy, to a
#: changed unit: msgmerge's own threshold is about the same.
FUZZY_SIMILARITY = 0.6


class I18nError(MbclError, ValueError):
    """A problem with a translation file or a translation request."""


#: The PO header's fields (no dates: the same source and translations give the same bytes).
def _metadata(language: str, source_language: str) -> dict[str, str]:
    return {
        "Project-Id-Version": "mbcl-audio scripts",
        "Report-Msgid-Bugs-To": "",
        "PO-Revision-Date": "",
        "Last-Translator": "",
        "Language-Team": "",
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Source-Language": source_language,
    }


_KEEP_METADATA = ("PO-Revision-Date", "Last-Translator", "Language-Team")


def slugify(text: str) -> str:
    """A file-name slug: lowercase ASCII words joined by dashes (``ä`` -> ``ae``, ``ß`` -> ``ss``)."""
    text = text.lower().translate(str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"}))
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return "-".join(re.findall(r"[a-z0-9]+", text))


def po_name(track: int, title: str) -> str:
    """The file stem of a track's PO file and translated script: ``03-slug-of-title``."""
    return f"{track:02d}-{slugify(title)}"


def load_po(path: Path) -> polib.POFile:
    """Read the PO file at ``path``; a file polib cannot read is an error naming it."""
    try:
        return polib.pofile(str(path), wrapwidth=0)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise I18nError(f"{path}: not a readable PO file: {exc}") from None


# --------------------------------------------------------------------------- comments


@dataclass(frozen=True)
class PoTarget:
    """Where a template's PO goes and what it is measured by.

    Attributes:
        language: The target language.
        factor: The budget factor of the template's file (:func:`.budget.file_factors`).
        source_voice: The voice the source is estimated in.
        source_language: The source language.
    """

    language: str
    factor: float
    source_voice: str
    source_language: str


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


def entry_comment(unit: Unit, template: Template, target: PoTarget, before: str) -> str:
    """The extracted comment of ``unit``: where it sits, its durations, its budget and its rules."""
    lines: list[str] = []
    if unit.kind == "title":
        return "The track's title (tags, player page, file name). Leave it empty to take the catalogue's title."
    if unit.kind == "album":
        return "The album name in the tags (the same for every track)."
    where = f"section “{unit.section}”" if unit.section else "before the first section"
    if template.block:
        where += f" of the shared block “{template.block}” (translated once for every track that includes it)"
    if unit.kind == "section":
        lines.append(f"Section heading (a chapter title in players), {where.removeprefix('section ')}.")
        if unit.passage:
            lines.append(f"In the optional passage “{unit.passage}”.")
        return "\n".join(lines + list(_notes(unit)))
    kind = {
        "speech": "Spoken paragraph",
        "prompt": "Re-anchoring prompt, spoken inside a silence",
        "inhale": "In-breath half of a breath-locked phrase",
        "exhale": "Out-breath half of a breath-locked phrase",
    }[unit.kind]
    lines.append(f"{kind}, {where}.")
    if unit.passage:
        lines.append(f"In the optional passage “{unit.passage}” (left out of short versions).")
    if unit.kind == "speech":
        lines.append(f"Before: {before}. After: {unit.after}.")
    source_s = estimate_seconds(unit.text, target.source_voice, target.source_language)
    lines.append(f"Spoken in the source: about {_seconds(source_s)} ({target.source_voice}, {target.source_language}).")
    if unit.kind in ("inhale", "exhale"):
        inhale_s, exhale_s = phase_seconds(template.script)
        phase = inhale_s if unit.kind == "inhale" else exhale_s
        breath = "in-breath" if unit.kind == "inhale" else "out-breath"
        lines.append(
            f"Starts on the {breath} and must end inside it: {_seconds(phase)}, "
            f"about {int(phase * CALM_SYLLABLES_PER_S)} syllables at a calm pace "
            f"(the source has {syllables(unit.text)})."
        )
    elif unit.kind == "speech":
        lines.append(f"Budget: {_seconds(source_s * target.factor)} (the track must still reach its shortest length).")
    pieces = unit.text.count("…")
    if pieces:
        lines.append(
            f"Keep {'the' if pieces == 1 else 'all'} {pieces} “…”: each is a pause in the speech; put "
            f"{'it' if pieces == 1 else 'them'} where the pause falls in your language."
        )
    lines.append(f"Takes: {', '.join(unit.utterances)}.")
    return "\n".join(lines + list(_notes(unit)))


def _notes(unit: Unit) -> tuple[str, ...]:
    return tuple(f"Source note: {note}" for note in unit.notes)


# --------------------------------------------------------------------------- merging and writing


def merge_po(
    template: Template,
    comments: Mapping[str, str],
    existing: Optional[polib.POFile],
    fills: Mapping[str, str],
    language: str,
    source_language: str,
    reference: str,
    take_fills: bool = False,
) -> polib.POFile:
    """The PO for ``template``: translations from ``existing`` (merged as msgmerge does), else from
    ``fills`` (an existing script of the target language), else empty. With ``take_fills`` the
    fills win over the existing translations (a language whose scripts are edited by hand)."""
    po = polib.POFile(wrapwidth=0)
    po.metadata = _metadata(language, source_language)
    what = f"shared block “{template.block}”" if template.block else f"track {template.track}"
    po.header = (
        f"Translation ({language}) of the mbcl-audio exercise script for {what}.\n"
        f"Source ({source_language}): {reference}\n"
        "Translate each msgstr; keep every “…”. Timing stays in the source: never add [ ] | // # or >."
    )
    if template.notes:
        po.header += "\n\nNotes in the source script:\n" + "\n".join(template.notes)
    old: dict[str, polib.POEntry] = {}
    by_words: dict[str, polib.POEntry] = {}
    if existing is not None:
        for key in _KEEP_METADATA:
            if existing.metadata.get(key):
                po.metadata[key] = existing.metadata[key]
        for entry in existing:
            if entry.obsolete:
                continue
            old[entry.msgctxt or ""] = entry
            if entry.msgstr:
                by_words.setdefault(entry.msgid, entry)
    entries = [
        polib.POEntry(msgctxt=unit.key, msgid=unit.text, occurrences=[(reference, str(unit.line))], comment=comments.get(unit.key, ""))
        for unit in template.units
    ]
    used: set[int] = set()
    done: set[int] = set()

    def take(index: int, previous: polib.POEntry, fuzzy: bool) -> None:
        entry = entries[index]
        entry.msgstr = previous.msgstr
        entry.flags = ["fuzzy"] if fuzzy or "fuzzy" in previous.flags else []
        if fuzzy:
            entry.previous_msgid = previous.msgid
        elif "fuzzy" in previous.flags:
            entry.previous_msgid = previous.previous_msgid
        used.add(id(previous))
        done.add(index)

    units = list(enumerate(template.units))
    for index, unit in units:  # the script's own words, when asked to win
        if take_fills and unit.key in fills:
            entries[index].msgstr = fills[unit.key]
            done.add(index)
            if unit.key in old:
                used.add(id(old[unit.key]))
    for index, unit in units:  # the same entry, the same words
        previous = old.get(unit.key)
        if index not in done and previous is not None and previous.msgid == unit.text and previous.msgstr:
            take(index, previous, False)
    for index, unit in units:  # the same words under another key (an ellipsis renumbered the section)
        moved = by_words.get(unit.text)
        if index not in done and moved is not None and id(moved) not in used:
            take(index, moved, False)
    for index, unit in units:  # changed words: the most similar translated entry left, as msgmerge
        if index in done:
            continue
        candidates = [e for e in old.values() if e.msgstr and id(e) not in used]
        scored = [(difflib.SequenceMatcher(None, e.msgid, unit.text).ratio(), e.msgctxt == unit.key, e) for e in candidates]
        best = max(scored, key=lambda row: (row[0], row[1]), default=None)
        if best is not None and best[0] >= FUZZY_SIMILARITY:
            take(index, best[2], True)
        elif unit.key in fills:
            entries[index].msgstr = fills[unit.key]
    for entry in entries:
        po.append(entry)
    if existing is not None:
        current = {(unit.key, unit.text) for unit in template.units}
        for entry in existing:
            if id(entry) in used or not entry.msgstr or (entry.msgctxt, entry.msgid) in current:
                continue
            po.append(polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid, msgstr=entry.msgstr, obsolete=True))
    return po


def write_po(po: polib.POFile, path: Path) -> None:
    """Write ``po`` to ``path`` whole or not at all."""
    text = str(po)
    write_atomic(path, text if text.endswith("\n") else text + "\n")
