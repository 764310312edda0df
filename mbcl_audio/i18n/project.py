"""The translation workflow on a project's folders: ``scripts/<lang>/`` <-> ``po/<lang>/``.

:func:`read_sources` reads the source language's scripts and blocks as templates;
:func:`export_po` writes (or merges) the PO files of a target language; :func:`import_po` writes
the target language's scripts from them. Status and checks are in :mod:`.review`.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import polib

from ..atomic import write_atomic
from ..catalog import Catalog, catalog_path, load_catalog
from ..errors import MbclError
from ..script import Pause, Speech, parse_text, track_scripts
from ..script.shape import shape_difference
from ..takes.ids import item_words
from .budget import file_factors, track_room
from .po import I18nError, PoTarget, entry_comment, load_po, merge_po, po_name, write_po
from .units import Template, Unit, ellipses, markup_in, read_block_template, read_template
from .write import default_voice, write_script

__all__ = [
    "SourceSet",
    "aligned_texts",
    "comments",
    "block_po_path",
    "export_po",
    "import_po",
    "included_blocks",
    "po_path",
    "read_sources",
    "read_target",
    "selected_templates",
    "target_script",
    "track_po_path",
    "translations",
]

_INCLUDE = re.compile(r"^\[include\s+([^\]\s]+)\s*\]$")


@dataclass
class SourceSet:
    """The source language's scripts and blocks as templates, with what times them.

    Attributes:
        scripts_dir: The ``scripts/`` folder.
        language: The source language.
        tracks: Track number -> template of its script.
        blocks: Block name -> template.
        catalog: The track catalogue (``None`` when the folder has none).
        factors: Spoken file -> its budget factor (:mod:`.budget`).
    """

    scripts_dir: Path
    language: str
    tracks: dict[int, Template]
    blocks: dict[str, Template]
    catalog: Optional[Catalog]
    factors: dict[str, float] = field(default_factory=dict)

    def target(self, template: Template, language: str) -> PoTarget:
        """What ``template``'s PO in ``language`` is measured by (a block: in the tracks' voice)."""
        voice = template.front.voice if template.front else default_voice(self.language)
        if template.block:
            voice = next((t.front.voice for t in self.tracks.values() if t.front), voice)
        return PoTarget(language, self.factors.get(str(template.path), 1.0), voice, self.language)


def read_sources(scripts_dir: Path, language: str) -> SourceSet:
    """Every script and block of ``scripts_dir/language`` as a template (each must parse)."""
    folder = Path(scripts_dir) / language
    if not folder.is_dir():
        raise I18nError(f"no scripts in the source language: {folder} does not exist")
    cat_file = catalog_path(Path(scripts_dir))
    catalog = load_catalog(cat_file) if cat_file.is_file() else None
    tracks: dict[int, Template] = {}
    for path in sorted(folder.glob("[0-9][0-9]-*.txt")):
        template = read_template(path)
        tracks[template.track] = template
    blocks = {p.stem: read_block_template(p, language) for p in sorted((folder / "_blocks").glob("*.txt"))}
    rooms = [track_room(t.script, catalog) for t in tracks.values()]
    return SourceSet(Path(scripts_dir), language, tracks, blocks, catalog, file_factors(rooms))


def included_blocks(source: SourceSet, template: Template) -> list[str]:
    """The blocks ``template`` includes, directly or through other blocks, in first-use order."""
    found: list[str] = []

    def visit(t: Template) -> None:
        for line in t.lines:
            if len(line) == 1 and isinstance(line[0], str):
                match = _INCLUDE.match(line[0].strip())
                if match and match.group(1) not in found and match.group(1) in source.blocks:
                    found.append(match.group(1))
                    visit(source.blocks[match.group(1)])

    visit(template)
    return found


def selected_templates(source: SourceSet, tracks: Optional[Iterable[int]] = None) -> list[Template]:
    """The tracks asked for (all by default) and the blocks they include (every block by default)."""
    wanted = sorted(source.tracks) if tracks is None else sorted(set(tracks) & set(source.tracks))
    blocks: list[str] = []
    for track in wanted:
        blocks += [b for b in included_blocks(source, source.tracks[track]) if b not in blocks]
    if tracks is None:
        blocks += [b for b in source.blocks if b not in blocks]
    return [source.tracks[t] for t in wanted] + [source.blocks[b] for b in blocks]


def _before(template: Template, unit: Unit) -> str:
    """What the listener hears right before a paragraph, in words."""
    items = template.script.items
    for index, item in enumerate(items):
        if isinstance(item, Speech) and item.pos.path == str(template.path) and item.pos.line == unit.line:
            for earlier in reversed(items[:index]):
                if isinstance(earlier, Pause) and earlier.implicit:
                    return f"the paragraph before, after {earlier.min_s:g} s"
                words = item_words(earlier)
                if words is not None:
                    return "a paragraph, directly" if words.startswith("the next utterance") else words
            return "the start of the block" if template.block else "the start of the track"
    return "the paragraph before"


def comments(source: SourceSet, template: Template, language: str) -> dict[str, str]:
    """The extracted comment of every unit of ``template``."""
    target = source.target(template, language)
    return {u.key: entry_comment(u, template, target, _before(template, u) if u.kind == "speech" else "") for u in template.units}


# --------------------------------------------------------------------------- paths


def track_po_path(po_dir: Path, source: SourceSet, track: int, language: str) -> Path:
    """``po/<lang>/NN-slug.po``: an existing PO's name, else the target script's, else the catalogue title's."""
    folder = Path(po_dir) / language
    existing = sorted(folder.glob(f"{track:02d}-*.po"))
    if existing:
        return existing[0]
    scripts = track_scripts(source.scripts_dir / language, track)
    if scripts:
        return folder / f"{scripts[0].stem}.po"
    info = source.catalog.get(track) if source.catalog else None
    title = (info.title(language) if info else None) or source.tracks[track].front.title
    return folder / f"{po_name(track, title)}.po"


def block_po_path(po_dir: Path, language: str, name: str) -> Path:
    """``po/<lang>/_blocks/NAME.po``."""
    return Path(po_dir) / language / "_blocks" / f"{name}.po"


def po_path(po_dir: Path, source: SourceSet, template: Template, language: str) -> Path:
    """The PO file of ``template`` (a track or a block) in ``language``."""
    if template.block:
        return block_po_path(po_dir, language, template.block)
    return track_po_path(po_dir, source, template.track, language)


def target_script(source: SourceSet, language: str, template: Template) -> Optional[Path]:
    """The target language's existing script (or block) for ``template``, if there is one."""
    if template.block:
        path = source.scripts_dir / language / "_blocks" / f"{template.block}.txt"
        return path if path.is_file() else None
    found = track_scripts(source.scripts_dir / language, template.track)
    return found[0] if len(found) == 1 else None


def aligned_texts(source: Template, target: Template) -> Optional[dict[str, str]]:
    """The target's words keyed by the source's units, when both have the same units in the same
    order (and the same shape); ``None`` otherwise."""
    if [u.kind for u in source.units] != [u.kind for u in target.units]:
        return None
    if not source.block and shape_difference(target.script, source.script) is not None:
        return None
    return {s.key: t.text for s, t in zip(source.units, target.units)}


def read_target(path: Path, language: str, block: bool) -> Optional[Template]:
    """A target language's script as a template; ``None`` when it does not read."""
    try:
        return read_block_template(path, language) if block else read_template(path)
    except MbclError:
        return None  # a target script with problems fills nothing; check reports it


# --------------------------------------------------------------------------- export


def export_po(
    source: SourceSet, po_dir: Path, language: str, tracks: Optional[Iterable[int]] = None, take_scripts: bool = False
) -> list[Path]:
    """Write (or merge into) the PO files of ``language`` for ``tracks`` (all by default) and the
    blocks they include; return the files written.

    Existing scripts of ``language`` with the source's units fill the entries that have no
    translation; with ``take_scripts`` their words replace the PO's (for hand-written scripts).
    """
    if language == source.language:
        raise I18nError(f"the target language {language!r} is the source language: choose another --to")
    for track in tracks or ():
        if track not in source.tracks:
            raise I18nError(f"track {track} has no {source.language} script in {source.scripts_dir / source.language}")
    written: list[Path] = []
    jobs = [(t, po_path(po_dir, source, t, language)) for t in selected_templates(source, tracks)]
    for template, path in jobs:
        fills: dict[str, str] = {}
        target_path = target_script(source, language, template)
        if target_path is not None:
            target = read_target(target_path, language, bool(template.block))
            fills = (aligned_texts(template, target) if target else None) or {}
        info = source.catalog.get(template.track) if source.catalog and template.track else None
        if info is not None and info.title(language) and "title" not in fills:
            fills["title"] = info.title(language)
        existing = load_po(path) if path.is_file() else None
        reference = _relative(template.path, source.scripts_dir.parent)
        po = merge_po(
            template, comments(source, template, language), existing, fills, language, source.language, reference,
            take_fills=take_scripts,
        )
        write_po(po, path)
        written.append(path)
    return written


def _relative(path: Path, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return Path(path).as_posix()


# --------------------------------------------------------------------------- import


def translations(po: polib.POFile) -> dict[str, str]:
    """Key -> translation of every translated, current (not fuzzy, not obsolete) entry."""
    return {e.msgctxt or "": e.msgstr for e in po if e.msgstr and not e.obsolete and "fuzzy" not in e.flags}


def _texts_for(template: Template, po: polib.POFile, po_path: Path, draft: bool, title: Optional[str]) -> tuple[dict[str, str], list[str]]:
    """The words for every slot of ``template``, and what had to come from the source (drafts)."""
    done = translations(po)
    texts: dict[str, str] = {}
    missing: list[str] = []
    for unit in template.units:
        text = done.get(unit.key)
        if unit.kind == "title" and not text and title:
            text = title
        if text is not None:
            bad = markup_in(text)
            if bad:
                raise I18nError(f"{po_path}: entry {unit.key}: the translation contains the markup {bad!r}; "
                                "write words only (the timing stays in the source)")
            if ellipses(text) != ellipses(unit.text):
                raise I18nError(f"{po_path}: entry {unit.key}: the source has {unit.text.count('…')} “…” "
                                "(each a pause) and the translation another number; keep them")
            texts[unit.key] = text
        else:
            missing.append(unit.key)
            texts[unit.key] = unit.text
    if missing and not draft:
        state = {e.msgctxt: ("fuzzy" if "fuzzy" in e.flags else "untranslated") for e in po if not e.obsolete}
        listed = ", ".join(f"{k} ({state.get(k, 'missing')})" for k in missing[:12])
        more = f" and {len(missing) - 12} more" if len(missing) > 12 else ""
        raise I18nError(f"{po_path}: {len(missing)} entries are not translated: {listed}{more}; "
                        "translate them, or import with --draft to keep the source's words for now")
    return texts, missing


def _header(po_path: Path, template: Template, root: Path, missing: list[str]) -> tuple[str, ...]:
    lines = (
        f"Made from {_relative(po_path, root)} by 'mbcl-audio i18n import' "
        f"(source: {_relative(template.path, root)}).",
        "Edit the translation in the PO file and import it again: edits made here are overwritten.",
    )
    if missing:
        lines += (f"DRAFT: {len(missing)} entries are still in the source language: {', '.join(missing)}.",)
    return lines


def import_po(
    source: SourceSet, po_folder: Path, tracks: Optional[Iterable[int]] = None, draft: bool = False
) -> list[Path]:
    """Write ``scripts/<lang>/`` from the PO files in ``po_folder`` (``po/<lang>``): the tracks
    (all the folder has, or ``tracks``) and every block they include. Nothing is written unless
    every file can be; return the scripts written."""
    po_folder = Path(po_folder)
    language = po_folder.name
    if not po_folder.is_dir():
        raise I18nError(f"{po_folder}: no such folder of PO files")
    files = {int(p.name[:2]): p for p in sorted(po_folder.glob("[0-9][0-9]-*.po"))}
    wanted = sorted(files) if tracks is None else sorted(set(tracks))
    for track in wanted:
        if track not in files:
            raise I18nError(f"{po_folder}: no PO file for track {track} (run mbcl-audio i18n export --to {language})")
        if track not in source.tracks:
            raise I18nError(f"{files[track]}: track {track} has no {source.language} script to take the structure from")
    root = source.scripts_dir.parent
    out_dir = source.scripts_dir / language
    outputs: list[tuple[Path, str]] = []
    blocks: list[str] = []
    for track in wanted:
        blocks += [b for b in included_blocks(source, source.tracks[track]) if b not in blocks]
    for name in blocks:
        path = block_po_path(po_folder.parent, language, name)
        if not path.is_file():
            raise I18nError(f"{path}: missing: the tracks include the block {name!r} (run mbcl-audio i18n export)")
        template = source.blocks[name]
        texts, missing = _texts_for(template, load_po(path), path, draft, None)
        outputs.append((out_dir / "_blocks" / f"{name}.txt", write_script(template, texts, language, _header(path, template, root, missing))))
    for track in wanted:
        template = source.tracks[track]
        info = source.catalog.get(track) if source.catalog else None
        texts, missing = _texts_for(template, load_po(files[track]), files[track], draft, info.title(language) if info else None)
        existing = track_scripts(out_dir, track)
        target = existing[0] if len(existing) == 1 else out_dir / f"{files[track].stem}.txt"
        outputs.append((target, write_script(template, texts, language, _header(files[track], template, root, missing))))
    _verify(outputs)
    for path, text in outputs:
        write_atomic(path, text)
    return [path for path, _ in outputs]


def _verify(outputs: list[tuple[Path, str]]) -> None:
    """Parse every script about to be written (with the blocks about to be written beside it)."""
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        for path, text in outputs:
            if path.parent.name == "_blocks":
                (scratch / "_blocks").mkdir(exist_ok=True)
                (scratch / "_blocks" / path.name).write_text(text, encoding="utf-8")
        for path, text in outputs:
            if path.parent.name != "_blocks":
                try:
                    parse_text(text, str(scratch / path.name))
                except MbclError as exc:
                    raise I18nError(f"{path}: the translated script would not read: {exc}") from None
