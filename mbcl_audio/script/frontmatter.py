"""The front matter: a TOML block between two ``+++`` lines, checked key by key.

:data:`FIELDS` is the table of every setting (a :class:`mbcl_audio.schema.Field`):
its value check (:mod:`.values`), whether it is required, the
:class:`FrontMatter` attribute it fills and a correct line for messages.
:func:`mbcl_audio.schema.check_table` checks the table; TOML errors and value
errors are located at the script's own line and column.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any, Optional

from mbcl_audio.schema import Field, FieldError, MissingKey, UnknownKey, check_table
from mbcl_audio.script.lines import Line, split_lines
from mbcl_audio.script.model import FrontMatter, ScriptError, SourcePos
from mbcl_audio.script.problems import Problems
from mbcl_audio.script.values import (
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

__all__ = ["FENCE", "FIELDS", "Fence", "find_front_matter", "front_matter_positions", "parse_front_matter"]

FENCE = "+++"

# Where a top-level key (or table header) sits in a TOML line, to locate value errors.
_TOML_KEY = re.compile(r"""\s*\[*\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*[=.\]]""")
_TOML_ERROR_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_ERROR_END = re.compile(r"\s*\(at end of document\)\s*$")


#: Every front matter key, in the order missing keys are reported: its check, whether it is
#: required, the FrontMatter attribute it fills and a correct line for messages.
FIELDS: dict[str, Field] = {
    "track": Field(check_track, required=True, example="track = 1"),
    "title": Field(check_text(True, 'title = "Breathing space"'), required=True, example='title = "Breathing space"'),
    "language": Field(check_language, required=True, example='language = "en"'),
    "length": Field(check_duration(False, '"5m"'), name="length_s", example='length = "5m"'),
    "voice": Field(check_text(True, 'voice = "espeak"'), example='voice = "espeak"'),
    "bed": Field(check_text(True, 'bed = "warm-pad"'), example='bed = "warm-pad"'),
    "album": Field(check_text(False, 'album = "My album"'), example='album = "..."'),
    "artist": Field(check_text(False, 'artist = "My name"'), example='artist = "..."'),
    "paragraph_pause": Field(check_duration(True, '"1.5s"'), name="paragraph_pause_s", example='paragraph_pause = "1.5s"'),
    "ellipsis_pause": Field(check_duration(True, '"1s"'), name="ellipsis_pause_s", example='ellipsis_pause = "1s"'),
    "breaths_per_minute": Field(check_bpm, example="breaths_per_minute = 6"),
    "breath_ratio": Field(check_ratio, name="in_fraction", example='breath_ratio = "4:6"'),
    "grid": Field(check_choice(*GRIDS), example='grid = "steps"'),
    "steps_per_minute": Field(check_rate("100", 10, 240), example="steps_per_minute = 100"),
    "pacing": Field(check_choice(*PACING_STATES), example='pacing = "on"'),
    "pacing_sound": Field(check_tone, example='pacing_sound = "ocean"'),
    "pacing_ramp_from": Field(check_bpm, example="pacing_ramp_from = 8"),
    "pacing_ramp": Field(check_duration(False, '"1m"'), name="pacing_ramp_s", example='pacing_ramp = "1m"'),
    "bell": Field(check_bell, example='bell = ["start", "end"]'),
    "profile": Field(check_text(True, 'profile = "podcast"'), example='profile = "podcast"'),
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

    def fail(err: FieldError) -> None:
        nonlocal ok
        ok = False
        key_pos, value_pos = where.get(err.key, (fallback, fallback))
        if isinstance(err, UnknownKey):
            problems.report(ScriptError(key_pos, _unknown_key_message(err)))
        elif isinstance(err, MissingKey):
            message = f"missing required setting {err.key!r} in the front matter: add e.g. {err.example}"
            problems.report(ScriptError(fallback, message))
        else:
            problems.report(ScriptError(value_pos, err.message))

    values = check_table(table, FIELDS, fail)
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


def _unknown_key_message(err: UnknownKey) -> str:
    return f"unknown setting {err.key!r} in the front matter{err.hint}: known settings are {', '.join(err.known)}"


def front_matter_positions(text: str, path: str) -> dict[str, SourcePos]:
    """Where each front matter key of a script's ``text`` is written (for messages about its value)."""
    lines = split_lines(text, path)
    block = lines[1 : find_front_matter(lines, path).close.number - 1]
    return {key: key_pos for key, (key_pos, _) in _key_positions(block).items()}
