"""``mbcl-audio i18n``: translate the scripts through PO files (export, import, status, check)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import click

from ..catalog import catalog_path, load_catalog
from ..atomic import write_atomic
from ..i18n import export_po, import_po, read_sources
from ..i18n.po import I18nError, po_name
from ..i18n.text_import import draft_script
from ..i18n.write import default_voice
from ..script import track_scripts
from ..i18n.review import Counts, check_language, language_status
from .boundary import BoundaryGroup
from .options import SCRIPTS_OPTION, parse_languages, parse_track_numbers

__all__ = ["i18n", "import_text"]

PO_OPTION = click.option(
    "--po", "po_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("po"), show_default=True,
    help="Folder with one sub-folder of PO files per language.",
)
FROM_OPTION = click.option("--from", "source_language", default=None, metavar="LANG",
                           help="Source language (default: the catalogue's source_language, nl).")
TRACK_OPTION = click.option("--track", "tracks", callback=parse_track_numbers, metavar="N[-M],...",
                            help="Only these tracks, e.g. 1-9 (default: all).")


def _source_language(scripts_dir: Path, given: Optional[str]) -> str:
    if given:
        return given
    path = catalog_path(scripts_dir)
    return load_catalog(path).source_language if path.is_file() else "nl"


@click.group(cls=BoundaryGroup)
def i18n() -> None:
    """Translate the scripts through gettext PO files, with the source's timing kept.

    \b
    Example: German from the Dutch scripts
      mbcl-audio i18n export --from nl --to de --track 1-9
      (translate po/de/*.po in Poedit, Weblate, Lokalize, ...)
      mbcl-audio i18n check --lang de
      mbcl-audio i18n import po/de/
    """


@i18n.command("export")
@FROM_OPTION
@click.option("--to", "language", required=True, metavar="LANG", help="Target language, e.g. de.")
@TRACK_OPTION
@click.option("--take-scripts", is_flag=True,
              help="Take the words of the target language's existing scripts over the PO's (hand-written scripts).")
@SCRIPTS_OPTION
@PO_OPTION
def export_command(source_language: Optional[str], language: str, tracks: Optional[list[int]], take_scripts: bool,
                   scripts_dir: Path, po_dir: Path) -> None:
    """Write the PO files of language --to: one per track and one per shared block.

    An existing PO is merged: translations stay, changed source words make them fuzzy.
    Existing scripts of the target language with the source's structure fill empty entries.
    """
    source = read_sources(scripts_dir, _source_language(scripts_dir, source_language))
    written = export_po(source, po_dir, language, tracks, take_scripts=take_scripts)
    click.echo(f"{len(written)} PO files written to {po_dir / language}")


@i18n.command("import")
@click.argument("po_folder", type=click.Path(file_okay=False, path_type=Path))
@FROM_OPTION
@TRACK_OPTION
@click.option("--draft", is_flag=True, help="Keep the source's words where a translation is missing, and mark the script a draft.")
@SCRIPTS_OPTION
def import_command(po_folder: Path, source_language: Optional[str], tracks: Optional[list[int]], draft: bool, scripts_dir: Path) -> None:
    """Write scripts/<lang>/ from the PO files in PO_FOLDER (e.g. po/de/), with the source's structure."""
    source = read_sources(scripts_dir, _source_language(scripts_dir, source_language))
    written = import_po(source, po_folder, tracks, draft=draft)
    for path in written:
        click.echo(f"wrote {path}")


def _status_table(rows: list[Counts]) -> list[str]:
    header = ["lang", "file", "units", "translated", "fuzzy", "untranslated", "stale", ""]
    body = [
        [r.language, r.name, str(r.units), str(r.translated), str(r.fuzzy), str(r.untranslated), str(r.stale),
         "complete" if r.complete else ("no PO" if not r.has_po else "")]
        for r in rows
    ]
    widths = [max(len(line[k]) for line in [header, *body]) for k in range(len(header))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in [header, *body]]


@i18n.command("status")
@click.option("--lang", "languages", default=None, metavar="LANGS",
              help="Comma-separated languages (default: the source and every language under --po).")
@FROM_OPTION
@TRACK_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@SCRIPTS_OPTION
@PO_OPTION
def status_command(languages: Optional[str], source_language: Optional[str], tracks: Optional[list[int]], as_json: bool,
                   scripts_dir: Path, po_dir: Path) -> None:
    """Per language and file: translated, fuzzy, untranslated and stale units."""
    source = read_sources(scripts_dir, _source_language(scripts_dir, source_language))
    langs = parse_languages(languages) or [source.language] + sorted(p.name for p in po_dir.glob("*") if p.is_dir())
    rows = language_status(source, po_dir, langs, tracks)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], indent=2, ensure_ascii=False))
        return
    for line in _status_table(rows):
        click.echo(line)
    for lang in langs:
        track_rows = [r for r in rows if r.language == lang and r.track is not None]
        complete = [r.track for r in track_rows if r.complete]
        blocks = [r for r in rows if r.language == lang and r.track is None]
        click.echo(f"{lang}: {len(complete)} of {len(track_rows)} tracks complete"
                   f"{' (' + _ranges(complete) + ')' if complete else ''}, "
                   f"{sum(r.complete for r in blocks)} of {len(blocks)} blocks")


def _ranges(numbers: list[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``"1-3, 5"``."""
    out: list[str] = []
    for n in sorted(numbers):
        if out and out[-1].split("-")[-1] == str(n - 1):
            out[-1] = f"{out[-1].split('-')[0]}-{n}"
        else:
            out.append(str(n))
    return ", ".join(out)


@i18n.command("check")
@click.option("--lang", "languages", default=None, metavar="LANGS",
              help="Comma-separated languages (default: every language under --po).")
@FROM_OPTION
@TRACK_OPTION
@SCRIPTS_OPTION
@PO_OPTION
def check_command(languages: Optional[str], source_language: Optional[str], tracks: Optional[list[int]],
                  scripts_dir: Path, po_dir: Path) -> None:
    """Report structure drift, lost or extra "…", markup, breath-locked halves that do not fit and
    translations over their budget, each naming its PO entry or script line. Exits 1 on any finding."""
    source = read_sources(scripts_dir, _source_language(scripts_dir, source_language))
    langs = parse_languages(languages) or sorted(p.name for p in po_dir.glob("*") if p.is_dir() and p.name != source.language)
    total = 0
    for lang in langs:
        findings = check_language(source, po_dir, lang, tracks)
        for finding in findings:
            click.echo(str(finding))
        click.echo(f"{lang}: {len(findings)} finding{'s' if len(findings) != 1 else ''}")
        total += len(findings)
    if total:
        raise SystemExit(1)


@click.command("import-text")
@click.argument("text_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--track", "track", type=click.IntRange(1, 99), required=True, help="The track the text is the exercise of.")
@click.option("--lang", "language", required=True, metavar="LANG", help="The text's language, e.g. nl.")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write the draft (default: scripts/<lang>/NN-slug.txt; '-' prints it).")
@click.option("--force", is_flag=True, help="Replace an existing script.")
@SCRIPTS_OPTION
def import_text(text_file: Path, track: int, language: str, out_path: Optional[Path], force: bool, scripts_dir: Path) -> None:
    """Turn exercise text from a book or a PDF into a draft script, and report every guess made.

    Page numbers and running heads go, hyphenation is undone, numbered steps and headings become
    paragraphs and sections, and elastic pauses follow questions and paragraphs with the bounds of
    the catalogue's timing notes. See docs/import-text.md for the rules.
    """
    data = text_file.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise I18nError(f"{text_file}: not UTF-8 text (byte {exc.start}): save it as UTF-8") from None
    path = catalog_path(scripts_dir)
    if not path.is_file():
        raise I18nError(f"{path}: no track catalogue here (the draft takes its title and timing notes from it); use --scripts")
    info = load_catalog(path).get(track)
    if info is None:
        raise I18nError(f"track {track} is not in the catalogue {path}")
    title = info.title(language) or info.title("en") or f"Track {track}"
    draft = draft_script(text, track, language, title, default_voice(language), info.question_pause,
                         info.paragraph_pause, info.max_s)
    if out_path is not None and str(out_path) == "-":
        click.echo(draft.text, nl=False)
    else:
        target = out_path or scripts_dir / language / f"{po_name(track, title)}.txt"
        existing = [p for p in track_scripts(target.parent, track) if p != target] if out_path is None else []
        if (target.exists() or existing) and not force:
            raise I18nError(f"{target if target.exists() else existing[0]} exists: use --force to replace it, or --out")
        for old in existing:
            old.unlink()
        write_atomic(target, draft.text)
        click.echo(f"wrote {target}")
    click.echo(f"{len(draft.guesses)} guesses:", err=True)
    for guess in draft.guesses:
        click.echo(f"  {guess}", err=True)
