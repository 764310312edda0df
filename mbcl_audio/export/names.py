"""File names that are valid on Windows, macOS and Linux.

The set ships as a folder of MP3s that people copy to phones, USB sticks
(FAT32/exFAT) and Windows PCs, so a name must survive the strictest of those
file systems, not only the one the build ran on.
"""

from __future__ import annotations

import re
import unicodedata

#: Default cap on a file name (UTF-8 bytes). File systems allow 255 bytes
#: (ext4) or 255 UTF-16 units (NTFS, APFS); 150 leaves room for the folder
#: path under Windows' classic 260-character MAX_PATH.
MAX_NAME_BYTES = 150

# Characters Windows forbids in names, mapped to readable stand-ins. A colon
# in a title ("Week 1: ...") reads best as a dash; a straight double quote as
# an apostrophe. Typographic quotes (‘ ’ “ ”) are legal everywhere and kept.
_REPLACEMENTS = {
    ":": " - ",
    "/": "-",
    "\\": "-",
    "|": "-",
    '"': "'",
    "<": "",
    ">": "",
    "?": "",
    "*": "",
}

# C0 and C1 control characters and DEL: illegal on Windows, invisible elsewhere.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")

# Device names Windows reserves with any extension ("con.mp3" is reserved too).
# Windows 10/11 also treats COM/LPT with superscript digits 1-3 as reserved.
_RESERVED = (
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{d}" for dev in ("COM", "LPT") for d in "0123456789\u00b9\u00b2\u00b3"}
)

# A trailing ".ext" preserved when a long name is shortened.
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,5}$")


def safe_filename(name: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """Turn ``name`` into a file name valid on Windows, macOS and Linux.

    NFC-normalizes (macOS may hand back decomposed names; NFC makes the same
    title compare equal everywhere), replaces characters Windows forbids and
    control characters, collapses whitespace, strips leading and trailing
    dots and spaces (Windows drops trailing ones silently; a leading dot
    hides a file on Unix), suffixes reserved device names (``CON``, ``NUL``,
    ``COM1`` ...) with ``_``, and caps the UTF-8 length at ``max_bytes``
    bytes without splitting a character or a base letter from its accents.
    A short trailing extension such as ``.mp3`` survives the cap. Returns
    ``"_"`` if nothing usable is left.
    """
    if max_bytes < 16:
        raise ValueError(f"max_bytes must be at least 16, got {max_bytes}")
    text = _clean(name)
    ext_match = _EXTENSION.search(text)
    ext = ext_match.group(0) if ext_match and ext_match.start() > 0 else ""
    stem = text[: len(text) - len(ext)]
    stem = _fit(stem, max_bytes - len(ext.encode("utf-8")))

    # Windows compares the part before the first dot, ignoring trailing spaces.
    head, dot, tail = stem.partition(".")
    if head.rstrip(" ").upper() in _RESERVED:
        stem = f"{head.rstrip(' ')}_{dot}{tail}"
    return stem + ext


def track_filename(track: int, title: str, variant: str = "", extension: str = "mp3") -> str:
    """``"01 Title.mp3"``, or ``"01 Title (10 min).mp3"`` with a variant.

    ``track`` is 1-based and zero-padded to two digits so that names sort in
    track order in file managers. Only the title is shortened to keep the
    name within :data:`MAX_NAME_BYTES`; never the number, the variant or the
    extension.
    """
    if track < 0:
        raise ValueError(f"track must be >= 0, got {track}")
    extension = extension.lstrip(".")
    if extension and not re.fullmatch(r"[A-Za-z0-9]{1,5}", extension):
        raise ValueError(f"unsupported extension {extension!r}")
    prefix = f"{track:02d} "
    variant = _fit(_clean(variant), 40) if _clean(variant) else ""
    tail = (f" ({variant})" if variant else "") + (f".{extension}" if extension else "")
    budget = MAX_NAME_BYTES - len(prefix.encode("utf-8")) - len(tail.encode("utf-8"))
    # The "NN " prefix means the result can never be a reserved device name.
    return prefix + _fit(_clean(title), budget) + tail


def _clean(text: str) -> str:
    """NFC, forbidden and control characters replaced, whitespace collapsed, edges stripped."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    text = "".join(_REPLACEMENTS.get(ch, ch) for ch in text)
    text = " ".join(text.split())  # also folds tabs and non-breaking spaces
    return _strip_edges(text)


def _fit(text: str, max_bytes: int) -> str:
    """``text`` shortened to ``max_bytes`` UTF-8 bytes, edges re-stripped; ``"_"`` if empty."""
    if len(text.encode("utf-8")) > max_bytes:
        text = _strip_edges(_truncate_utf8(text, max_bytes))
    return text or "_"


def _strip_edges(text: str) -> str:
    return text.strip(" .")


def _truncate_utf8(text: str, max_bytes: int) -> str:
    """Longest prefix of ``text`` whose UTF-8 form fits ``max_bytes`` bytes.

    Cuts on character boundaries, then backs off over combining marks so
    that an accent is not split from its base letter.
    """
    cut = text.encode("utf-8")[:max_bytes].decode("utf-8", errors="ignore")
    while cut and len(cut) < len(text) and unicodedata.combining(text[len(cut)]):
        cut = cut[:-1]
    return cut
