"""The front matter: a TOML block between two ``+++`` lines, checked key by key.

:data:`FIELDS` is the table of every setting: the :class:`FrontMatter`
attribute it fills, whether it is required, a correct line for messages, and
its value check (:mod:`.values`). TOML errors and value errors are located at
the script's own line and column.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass
from typing import Any, Optional

from mbcl_audio.script.lines import Line
from mbcl_audio.script.model import FrontMatter, ScriptError, SourcePos
from mbcl_audio.script.problems import Problems
from mbcl_audio.script.values import (
    Check,
    check_bell,
    check_bpm,
    check_choice,
    check_duration,
    check_language,
    check_rate,
    check_ratio,
    check_text,
    check_tone,
    check_track,
)
from mbcl_audio.vocab import GRIDS, PACING_STATES

__all__ = ["FENCE", "FIELDS", "Fence", "FieldSpec", "find_front_matter", "parse_front_matter"]

FENCE = "+++"

# Where a top-level key (or table header) sits in a TOML line, to locate value errors.
_TOML_KEY = re.compile(r"""\s*\[*\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*[=.\]]""")
_TOML_ERROR_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_ERROR_END = re.compile(r"\s*\(at end of document\)\s*$")


@dataclass(frozen=True)
class FieldSpec:
    """One front matter key."""

    field: str  # FrontMatter attribute
    required: bool
    example: str  # a correct line, shown in messages
    check: Check


#: Every front matter key, in the order missing keys are reported.
FIELDS: dict[str, FieldSpec] = {
    "track": FieldSpec("track", True, "track = 1", check_track),
    "title": FieldSpec("title", True, 'title = "Breathing space"', check_text(True, 'title = "Breathing space"')),
    "language": FieldSpec("language", True, 'language = "en"', check_language),
    "length": FieldSpec("length_s", True, 'length = "5m"', check_duration(False, '"5m"')),
    "voice": FieldSpec("voice", False, 'voice = "espeak"', check_text(True, 'voice = "espeak"')),
    "bed": FieldSpec("bed", False, 'bed = "warm-pad"', check_text(True, 'bed = "warm-pad"')),
    "album": FieldSpec("album", False, 'album = "..."', check_text(False, 'album = "My album"')),
    "artist": FieldSpec("artist", False, 'artist = "..."', check_text(False, 'artist = "My name"')),
    "paragraph_pause": FieldSpec("paragraph_pause_s", False, 'paragraph_pause = "1.5s"', check_duration(True, '"1.5s"')),
    "ellipsis_pause": FieldSpec("ellipsis_pause_s", False, 'ellipsis_pause = "1s"', check_duration(True, '"1s"')),
    "breaths_per_minute": FieldSpec("breaths_per_minute", False, "breaths_per_minute = 6", check_bpm),
    "breath_ratio": FieldSpec("in_fraction", False, 'breath_ratio = "4:6"', check_ratio),
    "grid": FieldSpec("grid", False, 'grid = "steps"', check_choice(*GRIDS)),
    "steps_per_minute": FieldSpec("steps_per_minute", False, "steps_per_minute = 100", check_rate("100", 10, 240)),
    "pacing": FieldSpec("pacing", False, 'pacing = "on"', check_choice(*PACING_STATES)),
    "pacing_sound": FieldSpec("pacing_sound", False, 'pacing_sound = "ocean"', check_tone),
    "pacing_ramp_from": FieldSpec("pacing_ramp_from", False, "pacing_ramp_from = 8", check_bpm),
    "pacing_ramp": FieldSpec("pacing_ramp_s", False, 'pacing_ramp = "1m"', check_duration(False, '"1m"')),
    "bell": FieldSpec("bell", False, 'bell = ["start", "end"]', check_bell),
    "profile": FieldSpec("profile", False, 'profile = "podcast"', check_text(True, 'profile = "podcast"')),
}


@dataclass(frozen=True)
class Fence:
    """The opening and closing ``+++`` lines."""

    open: Line
    close: Line


def find_front_matter(lines: list[Line], path: str) -> Fence:
    """The fence lines of the front matter, which must open on line 1."""
    if not lines or lines[0].text.strip() != FENCE:
        raise ScriptError(
            SourcePos(path, 1, 1),
            "expected front matter: the first line must be '+++', "
            "followed by settings such as track = 1 and a closing '+++' line",
        )
    for line in lines[1:]:
        if line.text.strip() == FENCE:
            return Fence(open=lines[0], close=line)
    raise ScriptError(
        SourcePos(path, 1, 1),
        "the front matter opened here is never closed: add a line '+++' after the last setting",
    )


def parse_front_matter(
    lines: list[Line], fence: Fence, problems: Problems
) -> tuple[Optional[FrontMatter], dict[str, Any]]:
    """Load the TOML between the fences and check every key against :data:`FIELDS`.

    Returns the front matter (None when there was a problem) and the values
    that were valid, keyed by FrontMatter attribute, so that the body can
    still be checked with the script's own pause settings.
    """
    block = lines[fence.open.number : fence.close.number - 1]
    try:
        table = _load_toml(block, fence)
    except ScriptError as err:
        problems.report(err)
        return None, {}
    where = _key_positions(block)
    fallback = fence.open.pos(0)
    ok = True

    for key in table:
        if key not in FIELDS:
            key_pos, _ = where.get(key, (fallback, fallback))
            problems.report(ScriptError(key_pos, _unknown_key_message(key)))
            ok = False

    values: dict[str, Any] = {}
    for key, spec in FIELDS.items():
        if key not in table:
            if spec.required:
                problems.report(
                    ScriptError(
                        fallback,
                        f"missing required setting {key!r} in the front matter: add e.g. {spec.example}",
                    )
                )
                ok = False
            continue
        _, value_pos = where.get(key, (fallback, fallback))
        try:
            values[spec.field] = spec.check(table[key], key, value_pos)
        except ScriptError as err:
            problems.report(err)
            ok = False
    return (FrontMatter(**values) if ok else None), values


def _load_toml(block: list[Line], fence: Fence) -> dict[str, Any]:
    """``tomllib.loads`` with its error position moved to the script's own line numbers."""
    try:
        return tomllib.loads("\n".join(line.text for line in block) + "\n")
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        at = _TOML_ERROR_AT.search(message)
        if at:
            first_line = fence.open.number + 1  # script line number of the block's first line
            pos = SourcePos(fence.open.path, int(at.group(1)) + first_line - 1, int(at.group(2)))
            message = message[: at.start()]
        else:
            # "(at end of document)": the TOML ran out where the closing fence is.
            pos = fence.close.pos(0)
            message = _TOML_ERROR_END.sub("", message)
        raise ScriptError(
            pos,
            f"front matter is not valid TOML: {message}; "
            'write one setting per line as key = value, with text in quotes, e.g. title = "Breathing space"',
        ) from None


def _key_positions(block: list[Line]) -> dict[str, tuple[SourcePos, SourcePos]]:
    """Map each top-level key to (position of the key, position of its value)."""
    found: dict[str, tuple[SourcePos, SourcePos]] = {}
    for line in block:
        text = line.text
        match = _TOML_KEY.match(text)
        if not match or text.lstrip().startswith("#"):
            continue
        key = match.group(1).strip("\"'")
        key_pos = line.pos(match.start(1))
        value_pos = key_pos
        equals = text.find("=", match.end(1))
        if text[match.end(1) : equals].strip() == "" and equals >= 0:
            value_pos = line.pos(len(text) - len(text[equals + 1 :].lstrip()))
        found.setdefault(key, (key_pos, value_pos))
    return found


def _unknown_key_message(key: str) -> str:
    known = ", ".join(sorted(FIELDS))
    guess = difflib.get_close_matches(key, list(FIELDS), n=1)
    hint = f" (did you mean {guess[0]!r}?)" if guess else ""
    return f"unknown setting {key!r} in the front matter{hint}: known settings are {known}"
