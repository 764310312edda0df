"""How far each language is, and what its translators should fix (``i18n status``, ``i18n check``).

Status counts, per language and PO file, the source's units as:

* **translated**: a current translation (not fuzzy) of the source's current words;
* **fuzzy**: a translation waiting for review (the source changed, or a translator flagged it);
* **untranslated**: no translation yet;
* **stale**: the PO is behind the source: the unit is missing from it, or its ``msgid`` is not the
  source's current words (run ``i18n export`` again to merge).

Check reports each problem once, naming the PO entry (``po/de/03-x.po:41 [02-004]``) or the script
line: entries missing from the PO, entries the source does not have, entries out of the source's
order, stale and fuzzy entries, markup in a translation, a different number of ``…``, breath-locked
halves longer than their breath phase, a translated track that no longer reaches its shortest
length (naming the units over their budget), a script whose shape differs from the source's, and a
script whose words differ from its PO.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

import polib

from .. import SAMPLE_RATE
from ..catalog import with_default_length
from ..errors import MbclError
from ..plan.estimate import estimate_seconds
from ..script import parse_script, track_scripts
from ..script.shape import shape_difference
from ..units import format_duration
from .budget import phase_seconds, shortest_s
from .po import load_po
from .project import (
    SourceSet,
    read_target,
    target_script,
    aligned_texts,
    included_blocks,
    po_path,
    selected_templates,
    translations,
)
from .units import ELLIPSIS_NOTE, Template, ellipses, markup_in, normalize_text, speech_pieces
from .write import default_voice

__all__ = ["Counts", "Finding", "check_language", "language_status"]


@dataclass(frozen=True)
class Counts:
    """The units of one PO file (or of one track with no PO yet) by state."""

    language: str
    name: str
    track: Optional[int]
    units: int
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    stale: int = 0
    has_po: bool = True

    @property
    def complete(self) -> bool:
        return self.translated == self.units

    def as_dict(self) -> dict:
        return {
            "language": self.language, "file": self.name, "track": self.track, "units": self.units,
            "translated": self.translated, "fuzzy": self.fuzzy, "untranslated": self.untranslated,
            "stale": self.stale, "complete": self.complete, "po": self.has_po,
        }


def _counts(source: SourceSet, po_dir: Path, template: Template, language: str) -> Counts:
    path = po_path(po_dir, source, template, language)
    name = f"_blocks/{template.block}" if template.block else path.stem
    units = len(template.units)
    if language == source.language:
        return Counts(language, template.path.stem if not template.block else name, template.track, units, units, has_po=False)
    if not path.is_file():
        return Counts(language, name, template.track, units, untranslated=units, has_po=False)
    entries = {e.msgctxt: e for e in load_po(path) if not e.obsolete}
    translated = fuzzy = untranslated = stale = 0
    for unit in template.units:
        entry = entries.get(unit.key)
        if entry is None or entry.msgid != unit.text:
            stale += 1
        elif "fuzzy" in entry.flags:
            fuzzy += 1
        elif entry.msgstr:
            translated += 1
        else:
            untranslated += 1
    return Counts(language, name, template.track, units, translated, fuzzy, untranslated, stale)


def language_status(
    source: SourceSet, po_dir: Path, languages: Iterable[str], tracks: Optional[Iterable[int]] = None
) -> list[Counts]:
    """Counts per language, track and block (the source language counts as complete); with
    ``tracks``, those tracks and the blocks they include."""
    templates = selected_templates(source, tracks)
    return [_counts(source, po_dir, template, language) for language in languages for template in templates]


# --------------------------------------------------------------------------- check


@dataclass(frozen=True)
class Finding:
    """One problem: where (a PO entry or a script line) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def _entry_where(path: Path, entry: Optional[polib.POEntry], key: str) -> str:
    line = f":{entry.linenum}" if entry is not None and entry.linenum else ""
    return f"{path}{line} [{key}]"


def _po_findings(path: Path, po: polib.POFile, template: Template, target_voice: str, language: str) -> list[Finding]:
    found: list[Finding] = []
    entries = [e for e in po if not e.obsolete]
    by_key = {e.msgctxt: e for e in entries}
    keys = [u.key for u in template.units]
    for unit in template.units:
        if unit.key not in by_key:
            found.append(Finding(f"{path} [{unit.key}]", f"the entry is missing (source {template.path}:{unit.line}): run mbcl-audio i18n export to add it"))
    for entry in entries:
        if entry.msgctxt not in keys:
            found.append(Finding(_entry_where(path, entry, entry.msgctxt or ""), "the source has no such entry: run mbcl-audio i18n export to merge"))
    present = [e.msgctxt for e in entries if e.msgctxt in keys]
    expected = [k for k in keys if k in present]
    for got, want in zip(present, expected):
        if got != want:
            found.append(Finding(_entry_where(path, by_key[got], got or ""), f"the entry is out of the source's order (the source has {want} here); the PO must follow the script"))
            break
    inhale_s, exhale_s = phase_seconds(template.script)
    for unit in template.units:
        entry = by_key.get(unit.key)
        if entry is None:
            continue
        where = _entry_where(path, entry, unit.key)
        if entry.msgid != unit.text:
            found.append(Finding(where, f"stale: the source now reads differently ({template.path}:{unit.line}): run mbcl-audio i18n export to merge"))
        if not entry.msgstr:
            continue
        if "fuzzy" in entry.flags:
            found.append(Finding(where, "fuzzy: the translation waits for review (the source changed, or it was flagged); review it and clear the flag"))
        bad = markup_in(entry.msgstr)
        if bad:
            found.append(Finding(where, f"the translation contains the markup {bad!r}: write words only (the timing stays in the source)"))
        if ellipses(entry.msgstr) != ellipses(unit.text):
            found.append(Finding(where, f"the source has {ellipses(unit.text)} “…” and the translation {ellipses(entry.msgstr)}: {ELLIPSIS_NOTE}"))
        if unit.kind in ("inhale", "exhale"):
            phase = inhale_s if unit.kind == "inhale" else exhale_s
            spoken = estimate_seconds(entry.msgstr, target_voice, language)
            if spoken > phase:
                found.append(Finding(where, f"this half lasts about {spoken:.1f} s, longer than its {phase:.1f} s breath phase: shorten it"))
    return found


Key = tuple[str, str]  # (template file, unit key)


def _track_length_findings(
    source: SourceSet, template: Template, texts: dict[Key, str], where: dict[Key, str], voice: str, language: str
) -> list[Finding]:
    """The translated track must reach its catalogue's shortest length; else name the units over budget."""
    info = source.catalog.get(template.track) if source.catalog else None
    if info is None:
        return []
    parts = [template] + [source.blocks[b] for b in included_blocks(source, template)]
    spoken_at: dict[tuple[str, int, int], str] = {}
    for part in parts:
        for unit in part.units:
            text = texts.get((str(part.path), unit.key))
            if text is None:
                continue
            pieces = speech_pieces(text)
            for n, (line, column) in enumerate(unit.positions):
                piece = pieces[n] if len(pieces) == len(unit.positions) else (text if n == 0 else "")
                spoken_at[(str(part.path), line, column)] = piece
    script = with_default_length(template.script, source.catalog)
    durations = []
    for utterance in script.utterances:
        pos = utterance.pos
        text = spoken_at.get((pos.path, pos.line, pos.column), utterance.text)
        durations.append(int(round(estimate_seconds(text, voice, language) * SAMPLE_RATE)))
    shortest = shortest_s(script, durations)
    if shortest <= info.min_s:
        return []
    summary = (f"translated, track {template.track} is {format_duration(shortest, 'up')} at its shortest, "
               f"longer than the catalogue's shortest {format_duration(info.min_s)}")
    over = []
    for part in parts:
        factor = source.factors.get(str(part.path), 1.0)
        source_voice = source.target(part, language).source_voice
        for unit in part.units:
            text = texts.get((str(part.path), unit.key))
            if unit.kind != "speech" or text is None:
                continue
            budget = estimate_seconds(unit.text, source_voice, source.language) * factor
            spoken = estimate_seconds(text, voice, language)
            if spoken > budget:
                over.append((spoken - budget, part, unit, spoken, budget))
    over.sort(key=lambda row: -row[0])
    # Name the units furthest over their budgets, as many as it takes to win back the overshoot.
    needed, named = shortest - info.min_s, []
    for row in over:
        named.append(row)
        needed -= row[0]
        if needed <= 0:
            break
    findings = [
        Finding(where[(str(part.path), unit.key)], f"about {spoken:.1f} s, over its budget of {budget:.1f} s ({summary}): shorten it")
        for _, part, unit, spoken, budget in named
    ]
    return findings or [Finding(str(template.path), summary + ": shorten the translation")]


def _script_findings(source: SourceSet, template: Template, language: str, po: Optional[polib.POFile], po_path: Path) -> list[Finding]:
    """The target language's script (or block) must keep the source's shape and say what its PO says."""
    path = target_script(source, language, template)
    if path is None:
        return []
    target = read_target(path, language, bool(template.block))
    if target is None:
        return [Finding(str(path), "the script does not read: run mbcl-audio check on it")]
    found: list[Finding] = []
    if not template.block:
        difference = shape_difference(target.script, template.script)
        if difference is not None:
            pos, message = difference
            found.append(Finding(str(pos), f"the shape differs from the source {template.path}: {message}"))
    texts = aligned_texts(template, target) if not found else None
    if texts is None:
        if not found:
            found.append(Finding(str(path), f"its paragraphs, prompts and phrase halves do not match the source {template.path} one to one: "
                                            "import the PO again (mbcl-audio i18n import)"))
        return found
    done = translations(po) if po is not None else {}
    for unit, (key, text) in zip(target.units, texts.items()):
        if key in done and normalize_text(done[key]) != text:
            found.append(Finding(f"{path}:{unit.line}", f"the script's words differ from {po_path} [{key}]: import the PO again "
                                                        "(i18n import), or take the script's words into it (i18n export --take-scripts)"))
    return found


def check_language(source: SourceSet, po_dir: Path, language: str, tracks: Optional[Iterable[int]] = None) -> list[Finding]:
    """Every finding for ``language`` (see the module docstring), tracks first, then blocks."""
    templates = selected_templates(source, tracks)
    findings: list[Finding] = []
    texts: dict[Key, str] = {}
    where: dict[Key, str] = {}
    pos: dict[str, tuple[Path, Optional[polib.POFile], str]] = {}
    for template in templates:
        path = po_path(po_dir, source, template, language)
        po = load_po(path) if path.is_file() else None
        voice = _voice(source, template, language)  # parses the target script: once per template
        pos[str(template.path)] = (path, po, voice)
        if po is None:
            continue
        findings += _po_findings(path, po, template, voice, language)
        for entry in po:
            if not entry.obsolete and entry.msgstr:
                texts[(str(template.path), entry.msgctxt or "")] = entry.msgstr
                where[(str(template.path), entry.msgctxt or "")] = _entry_where(path, entry, entry.msgctxt or "")
    for template in templates:
        path, po, voice = pos[str(template.path)]
        findings += _script_findings(source, template, language, po, path)
        if po is not None and not template.block:
            findings += _track_length_findings(source, template, texts, where, voice, language)
    return findings


def _voice(source: SourceSet, template: Template, language: str) -> str:
    """The voice the target language speaks ``template`` in: its script's, else the language's default."""
    track = template.track or next(iter(source.tracks), None)
    found = track_scripts(source.scripts_dir / language, track) if track else []
    if len(found) == 1:
        try:
            return parse_script(found[0]).front.voice
        except MbclError:
            pass
    return default_voice(language)
