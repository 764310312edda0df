"""Read an exercise script (format version 1) into a :class:`~mbcl_audio.script.model.Script`.

A script is a UTF-8 text file: a TOML front matter block between two ``+++``
lines, then the spoken text with ``# Section`` headings, ``// comments`` and
``[pause ...]`` / ``[breathe N]`` directives. ``docs/script-format.md`` is the
reference for people who write scripts; this module is the implementation.

Every problem raises :class:`ScriptError` located at a 1-based line and column
(columns count characters, not bytes), so editors and CI logs can jump there.
One error at a time is reported.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from mbcl_audio.script.model import (
    Breathe,
    FrontMatter,
    Item,
    Pause,
    Script,
    ScriptError,
    Section,
    SourcePos,
    Speech,
)
from mbcl_audio.units import parse_duration_s

__all__ = ["parse_script", "parse_text", "find_scripts"]

FENCE = "+++"
TRACK_MIN, TRACK_MAX = 1, 27

_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]+)*")
# One ellipsis: the single character or three or more dots. Runs of them count once.
_ELLIPSIS = re.compile(r"(?:…|\.{3,})+")
# ``weight=2`` or ``weight = 2`` inside a directive.
_OPTION = re.compile(r"([A-Za-z_]\w*)\s*=\s*(\S*)")
# Where a top-level key (or table header) sits in a TOML line, to locate value errors.
_TOML_KEY = re.compile(r"""\s*\[*\s*([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*[=.\]]""")
_TOML_ERROR_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_ERROR_END = re.compile(r"\s*\(at end of document\)\s*$")
_FIRST_WORD = re.compile(r"\s*(\S+)")
_WORD = re.compile(r"\S+")


# --------------------------------------------------------------------------- entry points


def parse_script(path: str | Path) -> Script:
    """Read and parse the script file at ``path`` (must be UTF-8)."""
    data = Path(path).read_bytes()
    return parse_text(_decode(data, str(path)), str(path))


def parse_text(text: str, path: str = "<string>") -> Script:
    """Parse script ``text``; ``path`` is only used in positions and error messages."""
    if text.startswith("\ufeff"):
        # Windows Notepad writes a byte-order mark; it is not part of line 1.
        text = text[1:]
    # Normalise line endings so line numbers match what every editor shows.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    fence = _find_front_matter(lines, path)
    front = _parse_front_matter(lines, fence, path)
    items = _parse_body(lines, fence.close_line + 1, front, path)
    if not any(isinstance(i, Speech) for i in items):
        raise ScriptError(
            SourcePos(path, fence.close_line, 1),
            "the script has no speech: write at least one line of text after the front matter",
        )
    return Script(path=Path(path), front=front, items=tuple(items))


def find_scripts(scripts_dir: Path, language: str, track: int) -> Path:
    """Find the one script ``<scripts_dir>/<language>/NN-*.txt`` for ``track`` (NN = 01..27).

    Raises :class:`FileNotFoundError` saying which folder and pattern were
    searched and what is there, when there is no match or more than one.
    """
    folder = Path(scripts_dir) / language
    pattern = f"{track:02d}-*.txt"
    if not folder.is_dir():
        present = sorted(p.name for p in Path(scripts_dir).glob("*") if p.is_dir())
        raise FileNotFoundError(
            f"no script folder for language {language!r}: {folder} does not exist "
            f"(language folders present: {', '.join(present) or 'none'})"
        )
    matches = sorted(folder.glob(pattern))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        present = sorted(p.name for p in folder.glob("*.txt"))
        raise FileNotFoundError(
            f"no script for track {track} in {folder}: expected one file matching {pattern} "
            f"(scripts present: {', '.join(present) or 'none'})"
        )
    raise FileNotFoundError(
        f"several scripts for track {track} in {folder} match {pattern}: "
        f"{', '.join(p.name for p in matches)}; keep exactly one"
    )


# --------------------------------------------------------------------------- decoding


def _decode(data: bytes, path: str) -> str:
    """Decode UTF-8, locating the first bad byte by line and character column."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        line = data.count(b"\n", 0, err.start) + 1
        # Everything before the first bad byte decodes, so this counts characters.
        before = data[line_start : err.start].decode("utf-8")
        if line == 1 and before.startswith("\ufeff"):
            before = before[1:]
        raise ScriptError(
            SourcePos(path, line, len(before) + 1),
            f"the file is not valid UTF-8 (byte 0x{data[err.start]:02x}): "
            "save it as UTF-8 in your editor (e.g. 'Save as' > Encoding: UTF-8)",
        ) from None


# --------------------------------------------------------------------------- front matter


@dataclass(frozen=True)
class _Fence:
    """Line numbers (1-based) of the opening and closing ``+++`` lines."""

    open_line: int
    close_line: int


def _find_front_matter(lines: list[str], path: str) -> _Fence:
    if not lines or lines[0].strip() != FENCE:
        raise ScriptError(
            SourcePos(path, 1, 1),
            "expected front matter: the first line must be '+++', "
            "followed by settings such as track = 1 and a closing '+++' line",
        )
    for index in range(1, len(lines)):
        if lines[index].strip() == FENCE:
            return _Fence(open_line=1, close_line=index + 1)
    raise ScriptError(
        SourcePos(path, 1, 1),
        "the front matter opened here is never closed: add a line '+++' after the last setting",
    )


def _parse_front_matter(lines: list[str], fence: _Fence, path: str) -> FrontMatter:
    """Load the TOML between the fences and check every key against :data:`_FIELDS`."""
    block = lines[fence.open_line : fence.close_line - 1]
    first_line = fence.open_line + 1  # script line number of the block's first line
    table = _load_toml(block, first_line, fence, path)
    where = _key_positions(block, first_line, path)
    fallback = SourcePos(path, fence.open_line, 1)

    for key in table:
        if key not in _FIELDS:
            key_pos, _ = where.get(key, (fallback, fallback))
            raise ScriptError(key_pos, _unknown_key_message(key))

    values: dict[str, Any] = {}
    for key, spec in _FIELDS.items():
        if key not in table:
            if spec.required:
                raise ScriptError(
                    fallback,
                    f"missing required setting {key!r} in the front matter: add e.g. {spec.example}",
                )
            continue
        _, value_pos = where.get(key, (fallback, fallback))
        values[spec.field] = spec.check(table[key], key, value_pos)
    return FrontMatter(**values)


def _load_toml(block: list[str], first_line: int, fence: _Fence, path: str) -> dict[str, Any]:
    """``tomllib.loads`` with its error position moved to the script's own line numbers."""
    try:
        return tomllib.loads("\n".join(block) + "\n")
    except tomllib.TOMLDecodeError as err:
        message = str(err)
        at = _TOML_ERROR_AT.search(message)
        if at:
            pos = SourcePos(path, int(at.group(1)) + first_line - 1, int(at.group(2)))
            message = message[: at.start()]
        else:
            # "(at end of document)": the TOML ran out where the closing fence is.
            pos = SourcePos(path, fence.close_line, 1)
            message = _TOML_ERROR_END.sub("", message)
        raise ScriptError(
            pos,
            f"front matter is not valid TOML: {message}; "
            'write one setting per line as key = value, with text in quotes, e.g. title = "Breathing space"',
        ) from None


def _key_positions(block: list[str], first_line: int, path: str) -> dict[str, tuple[SourcePos, SourcePos]]:
    """Map each top-level key to (position of the key, position of its value)."""
    found: dict[str, tuple[SourcePos, SourcePos]] = {}
    for offset, text in enumerate(block):
        match = _TOML_KEY.match(text)
        if not match or text.lstrip().startswith("#"):
            continue
        key = match.group(1).strip("\"'")
        line = first_line + offset
        key_pos = SourcePos(path, line, match.start(1) + 1)
        value_pos = key_pos
        equals = text.find("=", match.end(1))
        if text[match.end(1) : equals].strip() == "" and equals >= 0:
            value_col = len(text) - len(text[equals + 1 :].lstrip()) + 1
            value_pos = SourcePos(path, line, value_col)
        found.setdefault(key, (key_pos, value_pos))
    return found


def _unknown_key_message(key: str) -> str:
    known = ", ".join(sorted(_FIELDS))
    guess = difflib.get_close_matches(key, list(_FIELDS), n=1)
    hint = f" (did you mean {guess[0]!r}?)" if guess else ""
    return f"unknown setting {key!r} in the front matter{hint}: known settings are {known}"


# Value checkers: (value, key, position of the value) -> converted value or ScriptError.


def _toml_kind(value: Any) -> str:
    """How a TOML value reads to a script writer, for 'got ...' in messages."""
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int):
        return f"the whole number {value}"
    if isinstance(value, float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"


def _is_number(value: Any) -> bool:
    # TOML true/false arrive as bool, which Python counts as int: not a number here.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_track(value: Any, key: str, pos: SourcePos) -> int:
    if not (isinstance(value, int) and not isinstance(value, bool)) or not TRACK_MIN <= value <= TRACK_MAX:
        raise ScriptError(
            pos,
            f"{key} must be a whole number from {TRACK_MIN} to {TRACK_MAX} (no quotes), "
            f"e.g. {key} = 1; got {_toml_kind(value)}",
        )
    return value


def _check_text(non_empty: bool, example: str) -> Callable[[Any, str, SourcePos], str]:
    def check(value: Any, key: str, pos: SourcePos) -> str:
        if not isinstance(value, str) or (non_empty and not value.strip()):
            need = "non-empty text" if non_empty else "text"
            raise ScriptError(pos, f"{key} must be {need} in quotes, e.g. {example}; got {_toml_kind(value)}")
        return value.strip()

    return check


def _check_language(value: Any, key: str, pos: SourcePos) -> str:
    if not isinstance(value, str) or not _LANGUAGE.fullmatch(value):
        raise ScriptError(
            pos,
            f'{key} must be a lowercase language code in quotes such as "nl", "en" or "de" '
            f'(a region may follow, e.g. "en-GB"); got {_toml_kind(value)}',
        )
    return value


def _check_duration(allow_zero: bool, example: str) -> Callable[[Any, str, SourcePos], float]:
    """Durations: a string ``parse_duration_s`` reads, or a TOML number of seconds."""

    def check(value: Any, key: str, pos: SourcePos) -> float:
        if isinstance(value, str):
            try:
                seconds = parse_duration_s(value)
            except ValueError as err:
                raise ScriptError(pos, f"{key}: {err}") from None
        elif _is_number(value):
            seconds = float(value)
        else:
            raise ScriptError(
                pos, f"{key} must be a duration such as {example} or a number of seconds; got {_toml_kind(value)}"
            )
        if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not allow_zero):
            bound = "0 seconds or more" if allow_zero else "longer than 0 seconds"
            raise ScriptError(pos, f"{key} must be {bound}, e.g. {key} = {example}; got {_toml_kind(value)}")
        return seconds

    return check


def _check_bpm(value: Any, key: str, pos: SourcePos) -> float:
    if not _is_number(value) or not math.isfinite(value) or value <= 0:
        raise ScriptError(
            pos, f"{key} must be a number greater than 0 (no quotes), e.g. {key} = 6; got {_toml_kind(value)}"
        )
    return float(value)


@dataclass(frozen=True)
class _FieldSpec:
    field: str  # FrontMatter attribute
    required: bool
    example: str  # a correct line, shown in messages
    check: Callable[[Any, str, SourcePos], Any]


#: Every front matter key, in the order missing keys are reported.
_FIELDS: dict[str, _FieldSpec] = {
    "track": _FieldSpec("track", True, "track = 1", _check_track),
    "title": _FieldSpec("title", True, 'title = "Breathing space"', _check_text(True, 'title = "Breathing space"')),
    "language": _FieldSpec("language", True, 'language = "en"', _check_language),
    "length": _FieldSpec("length_s", True, 'length = "5m"', _check_duration(False, '"5m"')),
    "voice": _FieldSpec("voice", False, 'voice = "espeak"', _check_text(True, 'voice = "espeak"')),
    "bed": _FieldSpec("bed", False, 'bed = "warm-pad"', _check_text(True, 'bed = "warm-pad"')),
    "album": _FieldSpec("album", False, 'album = "..."', _check_text(False, 'album = "My album"')),
    "artist": _FieldSpec("artist", False, 'artist = "..."', _check_text(False, 'artist = "My name"')),
    "paragraph_pause": _FieldSpec("paragraph_pause_s", False, 'paragraph_pause = "1.5s"', _check_duration(True, '"1.5s"')),
    "ellipsis_pause": _FieldSpec("ellipsis_pause_s", False, 'ellipsis_pause = "1s"', _check_duration(True, '"1s"')),
    "breaths_per_minute": _FieldSpec("breaths_per_minute", False, "breaths_per_minute = 6", _check_bpm),
}


# --------------------------------------------------------------------------- body


@dataclass
class _Body:
    """Collects items in reading order; text accumulates until something interrupts it."""

    path: str
    ellipsis_pause_s: float
    items: list[Item] = field(default_factory=list)
    _parts: list[str] = field(default_factory=list)
    _start: SourcePos | None = None

    def text(self, line_no: int, start: int, text: str) -> None:
        """Add ``text`` found at 0-based index ``start`` of line ``line_no``."""
        stripped = text.lstrip()
        if not stripped:
            return
        if self._start is None:
            self._start = SourcePos(self.path, line_no, start + len(text) - len(stripped) + 1)
        self._parts.append(text)

    def line_break(self) -> None:
        # Lines of one paragraph join with a space; whitespace collapses at flush.
        self._parts.append(" ")

    def flush(self) -> None:
        """End the current utterance (paragraph end, directive or ellipsis)."""
        spoken = " ".join("".join(self._parts).split())
        # A piece with no letters or digits (a closing quote after an ellipsis,
        # a lone dash) cannot be spoken on its own, so it is dropped.
        if self._start is not None and any(ch.isalnum() for ch in spoken):
            self.items.append(Speech(spoken, self._start))
        self._parts, self._start = [], None

    def add(self, item: Item) -> None:
        self.flush()
        self.items.append(item)


def _parse_body(lines: list[str], first_line: int, front: FrontMatter, path: str) -> list[Item]:
    body = _Body(path, front.ellipsis_pause_s)
    for line_no in range(first_line, len(lines) + 1):
        line = lines[line_no - 1]
        stripped = line.strip()
        if stripped.startswith("//"):
            continue  # comments are invisible: they neither end nor continue a paragraph
        if not stripped:
            body.flush()
        elif stripped.startswith("#"):
            body.add(_parse_heading(line, line_no, path))
        else:
            _parse_text_line(line, line_no, body)
            body.line_break()
    body.flush()
    return _insert_paragraph_pauses(body.items, front.paragraph_pause_s)


def _parse_heading(line: str, line_no: int, path: str) -> Section:
    hash_index = line.index("#")
    pos = SourcePos(path, line_no, hash_index + 1)
    rest = line[hash_index + 1 :]
    if rest and not rest[0].isspace():
        raise ScriptError(
            SourcePos(path, line_no, hash_index + 2),
            "expected a space after '#': a section heading is written '# Title' (one '#' only)",
        )
    title = " ".join(rest.split())
    if not title:
        raise ScriptError(pos, "empty section title: write the chapter title after '# ', e.g. '# Aware presence'")
    return Section(title, pos)


def _parse_text_line(line: str, line_no: int, body: _Body) -> None:
    """Split one text line at directives and ellipses, feeding the pieces to ``body``."""
    for kind, start, end in _scan_brackets(line, line_no, body.path):
        if kind == "directive":
            body.add(_parse_directive(line, line_no, start, end, body.path))
            continue
        cursor = start
        for match in _ELLIPSIS.finditer(line, start, end):
            body.text(line_no, cursor, line[cursor : match.start()])
            pos = SourcePos(body.path, line_no, match.start() + 1)
            body.add(Pause(body.ellipsis_pause_s, body.ellipsis_pause_s, pos))
            cursor = match.end()
        body.text(line_no, cursor, line[cursor:end])


def _scan_brackets(line: str, line_no: int, path: str) -> Iterator[tuple[str, int, int]]:
    """Yield ("text", start, end) and ("directive", index of '[', index of ']') spans."""
    cursor = 0
    while True:
        opening = line.find("[", cursor)
        closing = line.find("]", cursor)
        if closing >= 0 and (opening < 0 or closing < opening):
            raise ScriptError(
                SourcePos(path, line_no, closing + 1),
                "stray ']' without a matching '[': square brackets are only for [pause ...] and [breathe N]",
            )
        if opening < 0:
            yield ("text", cursor, len(line))
            return
        next_opening = line.find("[", opening + 1)
        if closing < 0 or 0 <= next_opening < closing:
            raise ScriptError(
                SourcePos(path, line_no, opening + 1),
                "unclosed '[': close the directive with ']' on the same line, e.g. [pause 3s]",
            )
        yield ("text", cursor, opening)
        yield ("directive", opening, closing)
        cursor = closing + 1


def _parse_directive(line: str, line_no: int, opening: int, closing: int, path: str) -> Item:
    pos = SourcePos(path, line_no, opening + 1)
    name_match = _FIRST_WORD.match(line, opening + 1, closing)
    if not name_match:
        raise ScriptError(pos, "empty directive '[]': write e.g. [pause 3s] or [breathe 3]")
    name = name_match.group(1)
    args = (name_match.end(1), closing)
    if name.lower() == "pause":
        return _parse_pause(line, line_no, args, pos)
    if name.lower() == "breathe":
        return _parse_breathe(line, line_no, args, pos)
    raise ScriptError(
        SourcePos(path, line_no, name_match.start(1) + 1),
        f"unknown directive {name!r}: expected pause or breathe, e.g. [pause 3s] or [breathe 3]",
    )


def _parse_pause(line: str, line_no: int, args: tuple[int, int], pos: SourcePos) -> Pause:
    """``[pause D]`` or ``[pause MIN..MAX]`` then optional ``weight=W``; durations in seconds."""
    start, end = args
    options = list(_OPTION.finditer(line, start, end))
    spec_end = options[0].start() if options else end
    _reject_leftovers(line, line_no, options, spec_end, end, pos)
    spec = line[start:spec_end]
    if not spec.strip():
        raise ScriptError(pos, "pause needs a duration, e.g. [pause 3s] or [pause 20s..60s]")
    if ".." in spec:
        split = start + spec.index("..")
        min_s = _directive_duration(line, line_no, start, split, pos, "minimum")
        max_s = _directive_duration(line, line_no, split + 2, spec_end, pos, "maximum")
        if min_s > max_s:
            raise ScriptError(
                _token_pos(line, line_no, start, pos),
                f"pause minimum ({min_s:g}s) is longer than its maximum ({max_s:g}s): "
                "write the shorter duration first, e.g. [pause 20s..60s]",
            )
    else:
        min_s = max_s = _directive_duration(line, line_no, start, spec_end, pos, "duration")
    weight = _pause_weight(options, line_no, pos, elastic=max_s > min_s)
    return Pause(min_s, max_s, pos, weight)


def _reject_leftovers(
    line: str, line_no: int, options: list[re.Match[str]], spec_end: int, end: int, pos: SourcePos
) -> None:
    """Anything after the first option that is not itself an option is a mistake."""
    cursor = spec_end
    for option in options + [None]:
        gap_end = option.start() if option else end
        gap = line[cursor:gap_end]
        if gap.strip():
            column = cursor + len(gap) - len(gap.lstrip()) + 1
            raise ScriptError(
                SourcePos(pos.path, line_no, column),
                f"unexpected {gap.strip()!r} in pause: write the duration first, then options, "
                "e.g. [pause 20s..60s weight=2]",
            )
        if option:
            cursor = option.end()


def _token_pos(line: str, line_no: int, start: int, pos: SourcePos) -> SourcePos:
    """Position of the first non-blank character at or after ``start``."""
    skipped = len(line[start:]) - len(line[start:].lstrip())
    return SourcePos(pos.path, line_no, start + skipped + 1)


def _directive_duration(line: str, line_no: int, start: int, end: int, pos: SourcePos, role: str) -> float:
    """Read the duration token ``line[start:end]`` (seconds), erroring at its own column."""
    token = line[start:end].strip()
    where = _token_pos(line, line_no, start, pos)
    if not token:
        if role == "maximum":
            where = SourcePos(pos.path, line_no, end + 1)
        raise ScriptError(where, f"pause range needs a {role} on each side of '..', e.g. [pause 20s..60s]")
    try:
        return parse_duration_s(token)
    except ValueError as err:
        raise ScriptError(where, f"pause {role}: {err}") from None


def _pause_weight(options: list[re.Match[str]], line_no: int, pos: SourcePos, elastic: bool) -> float:
    weight = 1.0
    seen = False
    for option in options:
        key_pos = SourcePos(pos.path, line_no, option.start(1) + 1)
        if option.group(1) != "weight":
            raise ScriptError(key_pos, f"unknown pause option {option.group(1)!r}: expected weight=N, e.g. weight=2")
        if seen:
            raise ScriptError(key_pos, "weight is given twice in one pause: keep one")
        if not elastic:
            raise ScriptError(
                key_pos, "weight only applies to an elastic pause: give a range first, e.g. [pause 20s..60s weight=2]"
            )
        value_pos = SourcePos(pos.path, line_no, option.start(2) + 1)
        try:
            weight = float(option.group(2))
        except ValueError:
            weight = math.nan
        if not math.isfinite(weight) or weight <= 0:
            raise ScriptError(
                value_pos, f"pause weight must be a number greater than 0, e.g. weight=2; got {option.group(2)!r}"
            )
        seen = True
    return weight


def _parse_breathe(line: str, line_no: int, args: tuple[int, int], pos: SourcePos) -> Breathe:
    """``[breathe N]``: N pacing cycles, N a positive whole number."""
    tokens = list(_WORD.finditer(line, *args))
    if not tokens:
        raise ScriptError(pos, "breathe needs a number of breath cycles, e.g. [breathe 3]")
    count = tokens[0]
    count_pos = SourcePos(pos.path, line_no, count.start() + 1)
    if not re.fullmatch(r"\d+", count.group()) or int(count.group()) == 0:
        raise ScriptError(
            count_pos,
            f"breathe count must be a positive whole number of breath cycles, e.g. [breathe 3]; got {count.group()!r}",
        )
    if len(tokens) > 1:
        extra = tokens[1]
        raise ScriptError(
            SourcePos(pos.path, line_no, extra.start() + 1),
            f"unexpected {extra.group()!r} after the breathe count: write e.g. [breathe 3]",
        )
    return Breathe(int(count.group()), pos)


def _insert_paragraph_pauses(items: list[Item], pause_s: float) -> list[Item]:
    """Put a paragraph pause before every Speech that directly follows another Speech.

    Sections do not separate speech (a heading alone adds no silence), so the
    pause goes after the heading, right before the second paragraph: positions
    stay in reading order and each chapter starts with its own lead-in.
    """
    result: list[Item] = []
    after_speech = False
    for item in items:
        if isinstance(item, Speech):
            if after_speech:
                result.append(Pause(pause_s, pause_s, item.pos))
            after_speech = True
        elif isinstance(item, (Pause, Breathe)):
            after_speech = False
        result.append(item)
    return result
