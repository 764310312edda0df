"""Scripts shared by tests: the project's own (paths) and small test scripts (text)."""

from pathlib import Path

#: The repository root, for the shipped scripts, voices and docs.
ROOT = Path(__file__).resolve().parents[1]
SCRIPTS_DIR = ROOT / "scripts"
VOICES_DIR = ROOT / "voices"
SCRIPT_FORMAT_DOC = ROOT / "docs" / "script-format.md"
#: The real tracks: track 1 (3-8 min) and track 3 (10-25 min) in both languages.
TRACK1_NL = SCRIPTS_DIR / "nl" / "01-ademruimte-met-vriendelijkheid.txt"
TRACK1_EN = SCRIPTS_DIR / "en" / "01-breathing-space-with-kindness.txt"
TRACK3_NL = SCRIPTS_DIR / "nl" / "03-mildheidmeditatie-jezelf.txt"
TRACK3_EN = SCRIPTS_DIR / "en" / "03-kindness-meditation-yourself.txt"
TRACK3_DE = SCRIPTS_DIR / "de" / "03-meditation-der-freundlichkeit-fuer-dich-selbst.txt"
#: Short test scripts in the real format, for full builds that take seconds (tests/data/scripts).
TEST_SCRIPTS_DIR = ROOT / "tests" / "data" / "scripts"
#: Track 3's shape in about a minute: an include, two optional passages, a silence with prompts.
SHORT_TRACK3 = TEST_SCRIPTS_DIR / "nl" / "03-korte-mildheid.txt"

#: A 20-second Dutch script with two sections and one elastic pause.
SHORT = """+++
track = 3
title = "Korte test: rust"
language = "nl"
length = "20s"
bed = "none"
+++

# Begin

Je kunt even rustig ademen.

[pause 2s..30s]

# Einde

Dat was het.
"""


def write_script(folder: Path, name: str, text: str) -> Path:
    """Write ``text`` to ``folder / name`` (UTF-8) and return the path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
