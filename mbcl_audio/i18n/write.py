"""Write a translated script: the source's template with a translation in every slot.

The front matter is the source's, with the track's title (and album) in the target language, the
target ``language`` and its default voice; every other setting (length, bed, pacing, bell, ...)
times the track and stays as the source has it.
"""

from __future__ import annotations

import re
from typing import Mapping, Optional

from .units import Slot, Template, TemplateLine

__all__ = ["DEFAULT_VOICES", "default_voice", "toml_string", "write_script", "wrap_line"]

#: The voice a language's scripts get unless a translator chooses another: the neural English
#: voice for English, espeak-ng (every language, offline) for the rest.
DEFAULT_VOICES: dict[str, str] = {"en": "piper-joe"}
#: Text lines are wrapped to this many characters (a paragraph is read as one piece anyway).
WRAP_COLUMNS = 100
#: The front matter settings a translation writes itself; the others are copied from the source.
_OWN_SETTINGS = ("title", "language", "voice", "album")


def default_voice(language: str) -> str:
    """The default voice of ``language`` (``"piper-joe"`` for English, ``"espeak"`` otherwise)."""
    return DEFAULT_VOICES.get(language.split("-")[0].lower(), "espeak")


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_script(
    template: Template,
    texts: Mapping[str, str],
    language: str,
    header: tuple[str, ...] = (),
    voice: Optional[str] = None,
) -> str:
    """The text of the translated script (or block) of ``template`` with ``texts[key]`` in each slot.

    ``header`` lines are written as ``//`` comments at the top of the body. Raises
    :class:`KeyError` for a slot without a text.
    """
    out: list[str] = []
    if template.front is not None:
        out.append("+++")
        for line in template.front_lines:
            name = line.split("=")[0].strip()
            if name in _OWN_SETTINGS:
                continue
            out.append(line)
            if name == "track":
                out.append(f"title = {toml_string(texts['title'])}")
                out.append(f"language = {toml_string(language)}")
                out.append(f"voice = {toml_string(voice or default_voice(language))}")
                if "album" in texts:
                    out.append(f"album = {toml_string(texts['album'])}")
        out.append("+++")
        out.append("")
    out.extend(f"// {text}".rstrip() for text in header)
    if header:
        out.append("")
    for line in template.lines:
        out.extend(wrap_line(line, texts))
    return "\n".join(out).rstrip("\n") + "\n"


def wrap_line(line: TemplateLine, texts: Mapping[str, str]) -> list[str]:
    """One template line filled in, wrapped at :data:`WRAP_COLUMNS` between words of the text.

    Markup (a directive, ``# ``, ``> ``, `` | ``) is never broken, and a wrapped line never starts
    with a character the reader takes as markup.
    """
    if not line:
        return [""]
    tokens: list[tuple[str, bool]] = []  # (token, glued to the one before)
    for part in line:
        if isinstance(part, Slot):
            tokens.extend((word, False) for word in texts[part.key].split())
        elif part.strip():
            tokens.append((part.strip(), False))
    if isinstance(line[0], str) and line[0] in ("# ", "> "):
        # A heading and a prompt are one line each: the reader reads no continuation for them.
        return [" ".join(token for token, _ in tokens).replace("# ", "# ", 1)]
    lines: list[str] = []
    current = ""
    for token, _ in tokens:
        if current and len(current) + 1 + len(token) > WRAP_COLUMNS and not _is_markup_start(token):
            lines.append(current)
            current = token
        else:
            current = f"{current} {token}" if current else token
    lines.append(current)
    return lines


_MARKUP_START = re.compile(r"^(?:[#>\[|]|//)")


def _is_markup_start(token: str) -> bool:
    """Whether a line starting with ``token`` would read as markup (so it must not start one)."""
    return bool(_MARKUP_START.match(token))
