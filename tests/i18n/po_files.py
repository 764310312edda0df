"""Filling PO files in the translation tests (a plain module: ``from po_files import fill``; the project
copy to work in is ``scripts_copy``, tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import polib


def fill(path: Path, text=lambda entry: entry.msgid) -> polib.POFile:
    """Give every live entry of the PO at ``path`` the translation ``text(entry)`` and save it."""
    po = polib.pofile(str(path), wrapwidth=0)
    for entry in po:
        if not entry.obsolete:
            entry.msgstr = text(entry)
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save(str(path))
    return po
