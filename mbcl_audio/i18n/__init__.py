"""Translating the exercise scripts through gettext PO files, with the source's timing kept.

``scripts/<source>/`` -> :func:`export_po` -> ``po/<lang>/*.po`` (translated in Poedit, Weblate,
Lokalize, ...) -> :func:`import_po` -> ``scripts/<lang>/``. A PO holds words only: the structure
(pauses, silences, breathing, pacing, optional passages, includes) is the source's
(:mod:`.units`), so a translated script times like its source by construction.
:mod:`.review` tells how far each language is and what to fix; :mod:`.budget` how long a
translation may speak. ``docs/translating.md`` is the translators' guide.
"""

from .po import I18nError
from .project import SourceSet, export_po, import_po, read_sources
from .units import Template, Unit, read_block_template, read_template

__all__ = [
    "I18nError",
    "SourceSet",
    "Template",
    "Unit",
    "export_po",
    "import_po",
    "read_block_template",
    "read_sources",
    "read_template",
]
