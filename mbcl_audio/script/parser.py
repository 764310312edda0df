"""Read an exercise script (format version 1.1) into a :class:`~mbcl_audio.script.model.Script`.

A script is a UTF-8 text file: a TOML front matter block between two ``+++``
lines, then the spoken text with ``# Section`` headings, ``// comments``,
``> prompt`` lines and directives in square brackets (``[pause ...]``,
``[silence ...]``, ``[breathe N]``, ``[breath-locked ...]``, ``[on-beat]``,
``[pacing ...]``, ``[optional N name]`` / ``[end optional]``,
``[include NAME]``). ``docs/script-format.md`` is the reference for people who
write scripts; this module is the implementation.

Every problem is a :class:`ScriptError` located at a 1-based line and column
(columns count characters, not bytes), so editors and CI logs can jump there.
:func:`parse_script` / :func:`parse_text` raise the first one;
:func:`collect_problems` lists them all, recovering at the next line after
each problem in the body.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from mbcl_audio.script.model import (
    Breathe,
    BreathPhrase,
    FrontMatter,
    Item,
    PacingChange,
    Passage,
    Pause,
    Script,
    ScriptError,
    Section,
    SourcePos,
    Speech,
)
from mbcl_audio.units import parse_duration_s

__all__ = ["collect_problems", "parse_script", "parse_text", "find_scripts"]

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
    """Read and parse the script file at ``path`` (must be UTF-8); raise the first problem."""
    data = Path(path).read_bytes()
    return parse_text(_decode(data, str(path)), str(path))


def parse_text(text: str, path: str = "<string>") -> Script:
    """Parse script ``text``; raise the first problem as a :class:`ScriptError`.

    ``path`` is used in positions and error messages, and ``[include NAME]``
    reads ``Path(path).parent / "_blocks" / "NAME.txt"``.
    """
    script = _parse(text, path, _Problems(strict=True))
    assert script is not None  # strict mode raises instead of returning None
    return script


def collect_problems(path: str | Path) -> list[ScriptError]:
    """Every problem of the script file at ``path``, in reading order; ``[]`` for a good script.

    Unlike :func:`parse_script` this does not stop at the first problem: all
    front matter settings are checked, and the body reading continues at the
    next line after each problem. Problems inside included blocks carry the
    block file's position. (A missing file raises :class:`OSError`.)
    """
    problems = _Problems(strict=False)
    data = Path(path).read_bytes()
    try:
        _parse(_decode(data, str(path)), str(path), problems)
    except ScriptError as err:  # nothing more can be read: not UTF-8, or no front matter
        problems.report(err)
    return problems.found


class _Problems:
    """Where problems go: raised at once (``strict``) or collected."""

    def __init__(self, strict: bool):
        self.strict = strict
        self.found: list[ScriptError] = []
        self._seen: set[tuple[SourcePos, str]] = set()

    def report(self, err: ScriptError) -> None:
        if self.strict:
            raise err
        key = (err.pos, err.message)
        if key not in self._seen:  # a block included twice repeats its problems
            self._seen.add(key)
            self.found.append(err)


def _split_lines(text: str) -> list[str]:
    if text.startswith("\ufeff"):
        # Windows Notepad writes a byte-order mark; it is not part of line 1.
        text = text[1:]
    # Normalise line endings so line numbers match what every editor shows.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()  # the newline ending the last line does not start another (empty) line
    return lines


def _parse(text: str, path: str, problems: _Problems) -> Optional[Script]:
    """Parse into a Script, sending problems to ``problems``; None when there were any."""
    lines = _split_lines(text)
    fence = _find_front_matter(lines, path)
    front, values = _parse_front_matter(lines, fence, path, problems)
    before = len(problems.found)
    reader = _Reader(
        problems=problems,
        blocks_dir=Path(path).parent / "_blocks",
        paragraph_pause_s=values.get("paragraph_pause_s", 1.5),
        ellipsis_pause_s=values.get("ellipsis_pause_s", 1.0),
    )
    items = reader.read(lines, fence.close_line + 1, path)
    if not _has_speech(items) and len(problems.found) == before:
        problems.report(
            ScriptError(
                SourcePos(path, fence.close_line, 1),
                "the script has no speech: write at least one line of text after the front matter",
            )
        )
    if front is None or problems.found:
        return None
    return Script(path=Path(path), front=front, items=tuple(items), passages=tuple(reader.passages))


def _has_speech(items: list[Item]) -> bool:
    return any(
        isinstance(i, (Speech, BreathPhrase)) or (isinstance(i, Pause) and i.prompts) for i in items
    )


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


def _parse_front_matter(
    lines: list[str], fence: _Fence, path: str, problems: _Problems
) -> tuple[Optional[FrontMatter], dict[str, Any]]:
    """Load the TOML between the fences and check every key against :data:`_FIELDS`.

    Returns the front matter (None when there was a problem) and the values
    that were valid, keyed by FrontMatter attribute, so that the body can
    still be checked with the script's own pause settings.
    """
    block = lines[fence.open_line : fence.close_line - 1]
    first_line = fence.open_line + 1  # script line number of the block's first line
    try:
        table = _load_toml(block, first_line, fence, path)
    except ScriptError as err:
        problems.report(err)
        return None, {}
    where = _key_positions(block, first_line, path)
    fallback = SourcePos(path, fence.open_line, 1)
    ok = True

    for key in table:
        if key not in _FIELDS:
            key_pos, _ = where.get(key, (fallback, fallback))
            problems.report(ScriptError(key_pos, _unknown_key_message(key)))
            ok = False

    values: dict[str, Any] = {}
    for key, spec in _FIELDS.items():
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


def _check_rate(example: str, low: float, high: float) -> Callable[[Any, str, SourcePos], float]:
    """A rate per minute within ``[low, high]``: outside it no listener could follow it."""

    def check(value: Any, key: str, pos: SourcePos) -> float:
        if not _is_number(value) or not math.isfinite(value) or not low <= value <= high:
            raise ScriptError(
                pos,
                f"{key} must be a number from {low:g} to {high:g} (no quotes), e.g. {key} = {example}; "
                f"got {_toml_kind(value)}",
            )
        return float(value)

    return check


_check_bpm = _check_rate("6", 1, 30)


def _check_tone(value: Any, key: str, pos: SourcePos) -> str:
    from ..render.tones import TONE_FAMILIES

    return _check_choice(*TONE_FAMILIES)(value, key, pos)


def _check_bell(value: Any, key: str, pos: SourcePos) -> tuple[str, ...]:
    """``["start", "end"]`` (any of start, end, sections), or ``"none"``."""
    from ..render.bell import BELL_PLACES

    if value == "none":
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or any(v not in BELL_PLACES for v in value):
        places = ", ".join(f'"{p}"' for p in BELL_PLACES)
        raise ScriptError(
            pos, f'{key} must be a list of places from {places}, e.g. {key} = ["start", "end"], or "none"; '
            f"got {_toml_kind(value)}",
        )
    return tuple(dict.fromkeys(value))
_RATIO = re.compile(r"\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)\s*")


def _check_ratio(value: Any, key: str, pos: SourcePos) -> float:
    """``"4:6"`` (in-breath : out-breath) -> share of the cycle that is the in-breath (0.4)."""
    match = _RATIO.fullmatch(value) if isinstance(value, str) else None
    if match:
        in_part, out_part = float(match.group(1)), float(match.group(2))
        if in_part > 0 and out_part > 0:
            return in_part / (in_part + out_part)
    raise ScriptError(
        pos,
        f'{key} must be in-breath:out-breath in quotes, two numbers greater than 0, e.g. {key} = "4:6"; '
        f"got {_toml_kind(value)}",
    )


def _check_choice(*choices: str) -> Callable[[Any, str, SourcePos], str]:
    def check(value: Any, key: str, pos: SourcePos) -> str:
        if value not in choices:
            options = " or ".join(f'"{c}"' for c in choices)
            raise ScriptError(pos, f'{key} must be {options} (in quotes), e.g. {key} = "{choices[0]}"; got {_toml_kind(value)}')
        return value

    return check


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
    "breath_ratio": _FieldSpec("in_fraction", False, 'breath_ratio = "4:6"', _check_ratio),
    "grid": _FieldSpec("grid", False, 'grid = "steps"', _check_choice("breath", "steps")),
    "steps_per_minute": _FieldSpec("steps_per_minute", False, "steps_per_minute = 100", _check_rate("100", 10, 240)),
    "pacing": _FieldSpec("pacing", False, 'pacing = "on"', _check_choice("off", "on")),
    "pacing_sound": _FieldSpec("pacing_sound", False, 'pacing_sound = "ocean"', _check_tone),
    "pacing_ramp_from": _FieldSpec("pacing_ramp_from", False, "pacing_ramp_from = 8", _check_bpm),
    "pacing_ramp": _FieldSpec("pacing_ramp_s", False, 'pacing_ramp = "1m"', _check_duration(False, '"1m"')),
    "bell": _FieldSpec("bell", False, 'bell = ["start", "end"]', _check_bell),
    "profile": _FieldSpec("profile", False, 'profile = "podcast"', _check_text(True, 'profile = "podcast"')),
}


# --------------------------------------------------------------------------- body

#: Directives that must stand alone on their line.
_LINE_DIRECTIVES = ("optional", "end", "include", "pacing")
_DIRECTIVES = ("pause", "breathe", "silence", "breath-locked", "on-beat", "pacing", "optional", "end", "include")
_BLOCK_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_COUNT = re.compile(r"[0-9]+")


@dataclass
class _Phrase:
    """A ``[breath-locked ...]`` phrase being read: its text may continue on the next lines."""

    pos: SourcePos
    repeats: Optional[int]
    min_s: float
    max_s: float
    passage: Optional[int]
    #: (line number, 0-based start column, text) pieces of the phrase, in order.
    pieces: list[tuple[int, int, str]] = field(default_factory=list)
    broken: bool = False  # a problem was reported: drop it quietly at its end


@dataclass
class _File:
    """What is being read in one file (the script or a block): constructs that must end in it."""

    path: str
    depth: int  # include depth: 0 for the script itself
    phrase: Optional[_Phrase] = None
    #: A ``[silence ... every=...]`` waiting for its prompt lines, and the prompts so far.
    silence: Optional[Pause] = None
    prompts: list[Speech] = field(default_factory=list)


@dataclass
class _Reader:
    """Reads the body of a script and its blocks into items, in reading order.

    Text accumulates into the current utterance until something interrupts it
    (paragraph end, directive, ellipsis). Paragraph pauses are inserted at the
    end, over the whole item list, so they work across include boundaries.
    """

    problems: _Problems
    blocks_dir: Path
    paragraph_pause_s: float
    ellipsis_pause_s: float
    items: list[Item] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    # The utterance being collected.
    _parts: list[str] = field(default_factory=list)
    _start: Optional[SourcePos] = None
    _on_beat: Optional[SourcePos] = None
    # The open optional passage: its index, directive position, depth of its file, items before it.
    _passage: Optional[int] = None
    _passage_pos: Optional[SourcePos] = None
    _passage_depth: int = 0
    _passage_first_item: int = 0
    _passage_names: dict[str, SourcePos] = field(default_factory=dict)
    _passage_seen: dict[SourcePos, int] = field(default_factory=dict)
    _include_stack: list[str] = field(default_factory=list)

    # ------------------------------------------------------------ driving

    def read(self, lines: list[str], first_line: int, path: str) -> list[Item]:
        self._read_file(lines, first_line, path)
        self.flush()
        return _insert_paragraph_pauses(self.items, self.paragraph_pause_s)

    def _read_file(self, lines: list[str], first_line: int, path: str) -> None:
        file = _File(path, depth=len(self._include_stack))
        for line_no in range(first_line, len(lines) + 1):
            try:
                self._line(file, lines[line_no - 1], line_no)
            except ScriptError as err:
                # Recover at the next line: forget the half-read utterance marker and phrase.
                self._on_beat = None
                if file.phrase is not None:
                    file.phrase.broken = True
                self.problems.report(err)
        self._guard(self._end_phrase, file)
        self._guard(self._end_silence, file)
        if self._passage is not None and self._passage_depth == file.depth:
            pos = self._passage_pos
            self._passage = None
            self.problems.report(
                ScriptError(
                    pos,
                    "this optional passage is never closed: add a line [end optional] after its last line"
                    + (" (in the same file)" if file.depth else ""),
                )
            )

    def _guard(self, step: Callable[[_File], None], file: _File) -> None:
        try:
            step(file)
        except ScriptError as err:
            self.problems.report(err)

    def _line(self, file: _File, line: str, line_no: int) -> None:
        stripped = line.strip()
        if stripped.startswith("//"):
            return  # comments are invisible: they neither end nor continue anything
        if file.silence is not None:
            if stripped.startswith(">"):
                self._prompt(file, line, line_no)
                return
            self._guard(self._end_silence, file)
        if file.phrase is not None:
            if stripped and not stripped.startswith(("#", "[", ">")):
                self._phrase_text(file, line, line_no, 0)
                return
            self._guard(self._end_phrase, file)
        if not stripped:
            self.flush()
        elif stripped.startswith("#"):
            self.add(_parse_heading(line, line_no, file.path))
        elif stripped.startswith(">"):
            raise ScriptError(
                SourcePos(file.path, line_no, line.index(">") + 1),
                "a '> ' prompt line must directly follow a [silence ... every=...] line or another prompt line, "
                "e.g. [silence 1m..6m every=90s] then '> Gently come back to the wish.'",
            )
        else:
            self._text_line(file, line, line_no)
            if self._on_beat is not None and self._start is None:
                raise ScriptError(
                    self._on_beat, "[on-beat] needs the text it marks after it on the same line, e.g. [on-beat] Stand still."
                )
            self.line_break()

    # ------------------------------------------------------------ utterances

    def text(self, line_no: int, start: int, text: str, path: str) -> None:
        """Add ``text`` found at 0-based index ``start`` of line ``line_no``."""
        stripped = text.lstrip()
        if not stripped:
            return
        if self._start is None:
            self._start = SourcePos(path, line_no, start + len(text) - len(stripped) + 1)
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
            self.items.append(Speech(spoken, self._start, self._passage, on_beat=self._on_beat is not None))
            self._on_beat = None
        self._parts, self._start = [], None

    def add(self, item: Item) -> None:
        """Append a non-speech item (it ends the utterance) in the open passage."""
        if self._on_beat is not None and self._start is None:
            raise ScriptError(
                self._on_beat, "[on-beat] needs the text it marks right after it, e.g. [on-beat] Stand still."
            )
        self.flush()
        self.items.append(replace(item, passage=self._passage))

    # ------------------------------------------------------------ text lines and directives

    def _text_line(self, file: _File, line: str, line_no: int) -> None:
        spans = list(_scan_brackets(line, line_no, file.path))
        directives = [(start, end) for kind, start, end in spans if kind == "directive"]
        indent = len(line) - len(line.lstrip())
        if directives and directives[0][0] == indent:
            opening, closing = directives[0]
            name, args_start = _directive_name(line, line_no, opening, closing, file.path)
            alone = not line[closing + 1 :].strip()
            pos = SourcePos(file.path, line_no, opening + 1)
            args = (args_start, closing)
            if name == "breath-locked":
                self._start_phrase(file, line, line_no, args, pos)
                return
            if name in _LINE_DIRECTIVES:
                if not alone:
                    raise ScriptError(
                        _token_pos(line, line_no, closing + 1, pos),
                        f"[{name} ...] must stand on its own line: move what follows it to the next line",
                    )
                self._line_directive(file, name, line, line_no, args, pos)
                return
            if name == "silence" and alone:
                silence = _parse_pause(line, line_no, args, pos, "silence")
                if silence.prompt_every_s is not None:
                    self.flush()
                    file.silence, file.prompts = silence, []
                    return
        self._inline(file, line, line_no, spans, indent)

    def _inline(self, file: _File, line: str, line_no: int, spans: list[tuple[str, int, int]], indent: int) -> None:
        """Split one text line at directives and ellipses, feeding the pieces to the utterance."""
        for kind, start, end in spans:
            if kind == "directive":
                self._inline_directive(file, line, line_no, start, end, indent)
                continue
            cursor = start
            for match in _ELLIPSIS.finditer(line, start, end):
                self.text(line_no, cursor, line[cursor : match.start()], file.path)
                pos = SourcePos(file.path, line_no, match.start() + 1)
                self.add(Pause(self.ellipsis_pause_s, self.ellipsis_pause_s, pos))
                cursor = match.end()
            self.text(line_no, cursor, line[cursor:end], file.path)

    def _inline_directive(self, file: _File, line: str, line_no: int, opening: int, closing: int, indent: int) -> None:
        path = file.path
        pos = SourcePos(path, line_no, opening + 1)
        name, args_start = _directive_name(line, line_no, opening, closing, path)
        args = (args_start, closing)
        if name in ("pause", "silence"):
            pause = _parse_pause(line, line_no, args, pos, name)
            if pause.prompt_every_s is not None:
                raise ScriptError(
                    pos,
                    "a silence with prompts (every=...) must stand on its own line, "
                    "with its '> ' prompt lines directly below it",
                )
            self.add(pause)
        elif name == "breathe":
            self.add(_parse_breathe(line, line_no, args, pos))
        elif name == "on-beat":
            _no_arguments(line, line_no, args, pos, "on-beat", "[on-beat] Stand still.")
            if opening != indent or self._start is not None:
                raise ScriptError(
                    pos,
                    "[on-beat] must start a paragraph (after an empty line, a heading or a directive line), "
                    "e.g. [on-beat] Stand still.",
                )
            self._on_beat = pos
        elif name == "breath-locked":
            raise ScriptError(
                pos, "[breath-locked ...] must start its line; its phrase runs to the end of the paragraph"
            )
        else:  # a line directive with something else on its line
            raise ScriptError(pos, f"[{name} ...] must stand on its own line")

    def _line_directive(
        self, file: _File, name: str, line: str, line_no: int, args: tuple[int, int], pos: SourcePos
    ) -> None:
        if name == "pacing":
            self.add(_parse_pacing(line, line_no, args, pos))
        elif name == "optional":
            self._open_passage(file, line, line_no, args, pos)
        elif name == "end":
            words = line[args[0] : args[1]].split()
            if [w.lower() for w in words] != ["optional"]:
                raise ScriptError(pos, "write [end optional] to close an optional passage")
            self._close_passage(file, pos)
        else:
            self._include(line, line_no, args, pos)

    # ------------------------------------------------------------ silences with prompts

    def _prompt(self, file: _File, line: str, line_no: int) -> None:
        marker = line.index(">")
        rest = line[marker + 1 :]
        stripped = rest.strip()
        for index, ch in enumerate(rest):
            if ch in "[]":
                raise ScriptError(
                    SourcePos(file.path, line_no, marker + 2 + index),
                    "a prompt is spoken as one piece: no [...] directives or brackets inside a '> ' line",
                )
        if not any(ch.isalnum() for ch in stripped):
            raise ScriptError(
                SourcePos(file.path, line_no, marker + 1),
                "empty prompt: write the words after '> ', e.g. '> Gently come back to the wish.'",
            )
        column = marker + 1 + len(rest) - len(rest.lstrip()) + 1
        file.prompts.append(Speech(" ".join(stripped.split()), SourcePos(file.path, line_no, column), self._passage))

    def _end_silence(self, file: _File) -> None:
        silence, prompts = file.silence, tuple(file.prompts)
        if silence is None:
            return
        file.silence, file.prompts = None, []
        if not prompts:
            self.add(replace(silence, prompt_every_s=None))
            raise ScriptError(
                silence.pos,
                "every= needs prompt lines: write one or more lines starting with '> ' directly below the "
                "silence, e.g. '> Gently come back to the wish.', or remove every=",
            )
        self.add(replace(silence, prompts=prompts))

    # ------------------------------------------------------------ breath-locked phrases

    def _start_phrase(self, file: _File, line: str, line_no: int, args: tuple[int, int], pos: SourcePos) -> None:
        repeats, min_s, max_s = _parse_breath_locked(line, line_no, args, pos)
        self.flush()
        file.phrase = _Phrase(pos, repeats, min_s, max_s, self._passage)
        self._phrase_text(file, line, line_no, args[1] + 1)

    def _phrase_text(self, file: _File, line: str, line_no: int, start: int) -> None:
        phrase = file.phrase
        assert phrase is not None
        for index in range(start, len(line)):
            if line[index] in "[]":
                raise ScriptError(
                    SourcePos(file.path, line_no, index + 1),
                    "a breath-locked phrase runs to the end of its paragraph and cannot contain directives: "
                    "end the phrase with an empty line first",
                )
        phrase.pieces.append((line_no, start, line[start:]))

    def _end_phrase(self, file: _File) -> None:
        phrase = file.phrase
        if phrase is None:
            return
        file.phrase = None
        if phrase.broken:
            return
        # The phrase as (character, position) pairs; lines join with a space.
        chars: list[tuple[str, Optional[SourcePos]]] = []
        for line_no, start, text in phrase.pieces:
            chars += [(ch, SourcePos(file.path, line_no, start + i + 1)) for i, ch in enumerate(text)]
            chars.append((" ", None))
        bars = [k for k, (ch, _) in enumerate(chars) if ch == "|"]
        example = "e.g. [breath-locked x3] May I | be at ease"
        if not "".join(ch for ch, _ in chars).strip():
            raise ScriptError(phrase.pos, f"[breath-locked ...] needs a phrase after it, {example}")
        if not bars:
            raise ScriptError(
                phrase.pos,
                f"a breath-locked phrase needs one '|' between its in-breath and out-breath halves, {example}",
            )
        if len(bars) > 1:
            raise ScriptError(
                chars[bars[1]][1],  # type: ignore[arg-type]
                f"a breath-locked phrase has exactly one '|' (in-breath | out-breath); this is a second one: {example}",
            )
        bar = bars[0]
        halves = []
        for part, role in ((chars[:bar], "in-breath half before"), (chars[bar + 1 :], "out-breath half after")):
            text = " ".join("".join(ch for ch, _ in part).split())
            if not any(ch.isalnum() for ch in text):
                raise ScriptError(chars[bar][1], f"the {role} '|' is empty: {example}")  # type: ignore[arg-type]
            first = next(p for ch, p in part if not ch.isspace())
            halves.append(Speech(text, first, phrase.passage))  # type: ignore[arg-type]
        self.items.append(
            BreathPhrase(halves[0], halves[1], phrase.pos, phrase.repeats, phrase.min_s, phrase.max_s, phrase.passage)
        )

    # ------------------------------------------------------------ optional passages

    def _open_passage(self, file: _File, line: str, line_no: int, args: tuple[int, int], pos: SourcePos) -> None:
        tokens = list(_WORD.finditer(line, *args))
        if not tokens:
            raise ScriptError(pos, "optional needs a priority, e.g. [optional 1] or [optional 2 second round of wishes]")
        count = tokens[0]
        if not _COUNT.fullmatch(count.group()) or int(count.group()) == 0:
            raise ScriptError(
                SourcePos(file.path, line_no, count.start() + 1),
                "optional priority must be a positive whole number (1 is included first), "
                f"e.g. [optional 1]; got {count.group()!r}",
            )
        if self._passage is not None:
            raise ScriptError(
                pos,
                f"optional passages cannot be nested: close the passage opened at {self._passage_pos} "
                "with [end optional] first",
            )
        priority = int(count.group())
        name = " ".join(t.group() for t in tokens[1:]) or f"optional {priority} ({Path(file.path).name}:{line_no})"
        seen = self._passage_names.get(name)
        if seen is not None and seen != pos:
            raise ScriptError(
                SourcePos(file.path, line_no, tokens[1].start() + 1),
                f"another optional passage is already named {name!r} (at {seen}): give each passage its own name",
            )
        # The same directive read again (a block included twice) gets a numbered name.
        repeat = self._passage_seen[pos] = self._passage_seen.get(pos, 0) + 1
        self._passage_names[name] = pos
        self.flush()
        self._passage = len(self.passages)
        self._passage_pos, self._passage_depth, self._passage_first_item = pos, file.depth, len(self.items)
        self.passages.append(Passage(priority, name if repeat == 1 else f"{name} ({repeat})", pos))

    def _close_passage(self, file: _File, pos: SourcePos) -> None:
        if self._passage is None:
            raise ScriptError(pos, "[end optional] without an open passage: add [optional N] before the passage, or remove this line")
        if self._passage_depth != file.depth:
            raise ScriptError(
                pos,
                f"[end optional] closes the passage opened at {self._passage_pos}, in another file: "
                "open and close a passage in the same file",
            )
        self._guard(self._end_phrase, file)
        self.flush()
        empty = len(self.items) == self._passage_first_item
        opened = self._passage_pos
        self._passage = None
        if empty:
            raise ScriptError(
                opened,  # type: ignore[arg-type]
                "this optional passage is empty: put text, pauses or breathing between [optional N] and "
                "[end optional], or remove both lines",
            )

    # ------------------------------------------------------------ includes

    def _include(self, line: str, line_no: int, args: tuple[int, int], pos: SourcePos) -> None:
        tokens = line[args[0] : args[1]].split()
        example = "e.g. [include opening] reads _blocks/opening.txt next to the script"
        if len(tokens) != 1:
            raise ScriptError(pos, f"include needs exactly one block name, {example}")
        name = tokens[0]
        where = _token_pos(line, line_no, args[0], pos)
        if "/" in name or "\\" in name or ".." in name:
            raise ScriptError(
                where,
                f"block names cannot contain '/', '\\' or '..': blocks are files in {self.blocks_dir}, {example}",
            )
        if name.endswith(".txt"):
            raise ScriptError(where, f"write the block name without '.txt': [include {name[:-4]}]")
        if not _BLOCK_NAME.fullmatch(name):
            raise ScriptError(
                where,
                "block names are lowercase letters, digits, '-' and '_', starting with a letter or digit, "
                f"{example}; got {name!r}",
            )
        if name in self._include_stack:
            chain = " -> ".join(self._include_stack + [name])
            raise ScriptError(where, f"include cycle: {chain}; a block cannot include itself, directly or through others")
        block = self.blocks_dir / f"{name}.txt"
        if not block.is_file():
            present = sorted(p.stem for p in self.blocks_dir.glob("*.txt")) if self.blocks_dir.is_dir() else []
            raise ScriptError(
                where,
                f"no block {name!r}: looked for {block} "
                f"(blocks present: {', '.join(present) or 'none'})",
            )
        if not block.resolve().is_relative_to(self.blocks_dir.resolve()):
            raise ScriptError(where, f"block {name!r} ({block}) links to a file outside {self.blocks_dir}")
        block_path = str(block)
        lines = _split_lines(_decode(block.read_bytes(), block_path))
        if lines[0].strip() == FENCE:
            raise ScriptError(
                SourcePos(block_path, 1, 1),
                f"block {name!r} starts with '+++': blocks have no front matter (the including script's "
                "settings apply); remove the '+++' lines and the settings between them",
            )
        self._include_stack.append(name)
        try:
            self._read_file(lines, 1, block_path)
        finally:
            self._include_stack.pop()


def _directive_name(line: str, line_no: int, opening: int, closing: int, path: str) -> tuple[str, int]:
    """The lowercased name of the directive ``line[opening..closing]`` and where its arguments start."""
    pos = SourcePos(path, line_no, opening + 1)
    match = _FIRST_WORD.match(line, opening + 1, closing)
    if not match:
        raise ScriptError(pos, "empty directive '[]': write e.g. [pause 3s] or [breathe 3]")
    name = match.group(1).lower()
    if name not in _DIRECTIVES:
        guess = difflib.get_close_matches(name, list(_DIRECTIVES), n=1)
        hint = f" (did you mean {guess[0]!r}?)" if guess else ""
        raise ScriptError(
            SourcePos(path, line_no, match.start(1) + 1),
            f"unknown directive {match.group(1)!r}: expected pause or breathe, or silence, breath-locked, "
            f"on-beat, pacing, optional, end optional, include; e.g. [pause 3s] or [breathe 3]{hint}",
        )
    return name, match.end(1)


def _no_arguments(line: str, line_no: int, args: tuple[int, int], pos: SourcePos, name: str, example: str) -> None:
    extra = _WORD.search(line, *args)
    if extra:
        raise ScriptError(
            SourcePos(pos.path, line_no, extra.start() + 1),
            f"unexpected {extra.group()!r} in [{name}]: write e.g. {example}",
        )


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


def _scan_brackets(line: str, line_no: int, path: str) -> Iterator[tuple[str, int, int]]:
    """Yield ("text", start, end) and ("directive", index of '[', index of ']') spans."""
    cursor = 0
    while True:
        opening = line.find("[", cursor)
        closing = line.find("]", cursor)
        if closing >= 0 and (opening < 0 or closing < opening):
            raise ScriptError(
                SourcePos(path, line_no, closing + 1),
                "stray ']' without a matching '[': square brackets are only for directives such as [pause 3s]",
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


_PAUSE_OPTIONS = {"pause": ("weight", "prefer"), "silence": ("weight", "prefer", "every")}


def _parse_pause(line: str, line_no: int, args: tuple[int, int], pos: SourcePos, kind: str = "pause") -> Pause:
    """``[pause D]`` / ``[pause MIN..MAX]`` (or ``[silence ...]``) then options; durations in seconds."""
    start, end = args
    options = list(_OPTION.finditer(line, start, end))
    spec_end = options[0].start() if options else end
    _reject_leftovers(line, line_no, options, spec_end, end, pos, kind)
    spec = line[start:spec_end]
    if not spec.strip():
        raise ScriptError(pos, f"{kind} needs a duration, e.g. [{kind} 3s] or [{kind} 20s..60s]")
    min_s, max_s = _duration_range(line, line_no, start, spec_end, pos, kind)
    values: dict[str, tuple[float, SourcePos]] = {}
    allowed = _PAUSE_OPTIONS[kind]
    for option in options:
        key, raw = option.group(1), option.group(2)
        key_pos = SourcePos(pos.path, line_no, option.start(1) + 1)
        value_pos = SourcePos(pos.path, line_no, option.start(2) + 1)
        if key not in allowed:
            if key == "every":
                raise ScriptError(
                    key_pos, "every= only applies to [silence ...] with prompt lines, e.g. [silence 1m..6m every=90s]"
                )
            listed = ", ".join(f"{k}=" for k in allowed)
            raise ScriptError(key_pos, f"unknown {kind} option {key!r}: expected {listed}, e.g. weight=2")
        if key in values:
            raise ScriptError(key_pos, f"{key} is given twice in one {kind}: keep one")
        if key in ("weight", "prefer") and max_s == min_s:
            example = f"[{kind} 20s..60s {key}={'2' if key == 'weight' else '30s'}]"
            raise ScriptError(key_pos, f"{key} only applies to an elastic {kind}: give a range first, e.g. {example}")
        if key == "weight":
            try:
                weight = float(raw)
            except ValueError:
                weight = math.nan
            if not math.isfinite(weight) or not 0.01 <= weight <= 100:
                raise ScriptError(
                    value_pos, f"{kind} weight must be a number from 0.01 to 100, e.g. weight=2; got {raw!r}"
                )
            values[key] = (weight, key_pos)
        else:
            try:
                seconds = parse_duration_s(raw)
            except ValueError as err:
                raise ScriptError(value_pos, f"{kind} {key}: {err}") from None
            if key == "prefer" and not min_s <= seconds <= max_s:
                raise ScriptError(
                    value_pos,
                    f"{kind} prefer={raw} lies outside its range {min_s:g}s..{max_s:g}s: "
                    f"choose a duration inside it, e.g. prefer={0.5 * (min_s + max_s):g}s",
                )
            if key == "every" and seconds <= 0:
                raise ScriptError(value_pos, f"every must be longer than 0 seconds, e.g. every=90s; got {raw!r}")
            values[key] = (seconds, key_pos)
    return Pause(
        min_s,
        max_s,
        pos,
        weight=values.get("weight", (1.0, pos))[0],
        preferred_s=values["prefer"][0] if "prefer" in values else None,
        silence=kind == "silence",
        prompt_every_s=values["every"][0] if "every" in values else None,
    )


def _duration_range(line: str, line_no: int, start: int, end: int, pos: SourcePos, kind: str) -> tuple[float, float]:
    """``D`` -> (D, D); ``MIN..MAX`` -> (MIN, MAX), checking MIN <= MAX."""
    spec = line[start:end]
    if ".." not in spec:
        value = _directive_duration(line, line_no, start, end, pos, "duration", kind)
        return value, value
    split = start + spec.index("..")
    min_s = _directive_duration(line, line_no, start, split, pos, "minimum", kind)
    max_s = _directive_duration(line, line_no, split + 2, end, pos, "maximum", kind)
    if min_s > max_s:
        raise ScriptError(
            _token_pos(line, line_no, start, pos),
            f"{kind} minimum ({min_s:g}s) is longer than its maximum ({max_s:g}s): "
            f"write the shorter duration first, e.g. [{kind} 20s..60s]",
        )
    return min_s, max_s


def _reject_leftovers(
    line: str, line_no: int, options: list[re.Match[str]], spec_end: int, end: int, pos: SourcePos, kind: str
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
                f"unexpected {gap.strip()!r} in {kind}: write the duration first, then options, "
                f"e.g. [{kind} 20s..60s weight=2]",
            )
        if option:
            cursor = option.end()


def _token_pos(line: str, line_no: int, start: int, pos: SourcePos) -> SourcePos:
    """Position of the first non-blank character at or after ``start``."""
    skipped = len(line[start:]) - len(line[start:].lstrip())
    return SourcePos(pos.path, line_no, start + skipped + 1)


def _directive_duration(
    line: str, line_no: int, start: int, end: int, pos: SourcePos, role: str, kind: str = "pause"
) -> float:
    """Read the duration token ``line[start:end]`` (seconds), erroring at its own column."""
    token = line[start:end].strip()
    where = _token_pos(line, line_no, start, pos)
    if not token:
        if role == "maximum":
            where = SourcePos(pos.path, line_no, end + 1)
        raise ScriptError(where, f"{kind} range needs a {role} on each side of '..', e.g. [{kind} 20s..60s]")
    try:
        return parse_duration_s(token)
    except ValueError as err:
        raise ScriptError(where, f"{kind} {role}: {err}") from None


def _parse_breathe(line: str, line_no: int, args: tuple[int, int], pos: SourcePos) -> Breathe:
    """``[breathe N]``: N pacing cycles, N a positive whole number."""
    tokens = list(_WORD.finditer(line, *args))
    if not tokens:
        raise ScriptError(pos, "breathe needs a number of breath cycles, e.g. [breathe 3]")
    count = tokens[0]
    count_pos = SourcePos(pos.path, line_no, count.start() + 1)
    if not _COUNT.fullmatch(count.group()) or int(count.group()) == 0:
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


def _parse_breath_locked(
    line: str, line_no: int, args: tuple[int, int], pos: SourcePos
) -> tuple[Optional[int], float, float]:
    """``x3`` -> (3, 0, 0); ``30s..90s`` -> (None, 30, 90)."""
    start, end = args
    tokens = list(_WORD.finditer(line, start, end))
    example = "write a repeat count such as x3 or a span such as 30s..90s, e.g. [breath-locked x3] May I | be at ease"
    if not tokens:
        raise ScriptError(pos, f"breath-locked needs a count or a span: {example}")
    spec = line[start:end].strip()
    where = _token_pos(line, line_no, start, pos)
    if spec[:1] in "xX×" and ".." not in spec:
        if len(tokens) > 1:
            extra = tokens[1]
            raise ScriptError(
                SourcePos(pos.path, line_no, extra.start() + 1),
                f"unexpected {extra.group()!r} after the breath-locked count: {example}",
            )
        digits = spec[1:]
        if not _COUNT.fullmatch(digits) or int(digits) == 0:
            raise ScriptError(
                where, f"breath-locked repeat count must be x and a positive whole number, e.g. x3; got {spec!r}"
            )
        return int(digits), 0.0, 0.0
    if ".." not in spec:
        raise ScriptError(where, f"unexpected {spec!r} in breath-locked: {example}")
    min_s, max_s = _duration_range(line, line_no, start, end, pos, "breath-locked")
    if min_s <= 0:
        raise ScriptError(where, f"breath-locked span must be longer than 0 seconds, e.g. 30s..90s; got {spec!r}")
    return None, min_s, max_s


_PACING_OPTIONS = ("rate", "ratio", "from", "over", "sound")


def _parse_pacing(line: str, line_no: int, args: tuple[int, int], pos: SourcePos) -> PacingChange:
    """``[pacing on]`` (with options), ``[pacing off]`` or ``[pacing fade N]``."""
    start, end = args
    options = list(_OPTION.finditer(line, start, end))
    spec_end = options[0].start() if options else end
    tokens = list(_WORD.finditer(line, start, spec_end))
    example = "[pacing on], [pacing off] or [pacing fade 3]"
    if not tokens:
        raise ScriptError(pos, f"pacing needs a mode: {example}")
    mode = tokens[0].group().lower()
    mode_pos = SourcePos(pos.path, line_no, tokens[0].start() + 1)
    if mode not in ("on", "off", "fade"):
        raise ScriptError(mode_pos, f"unknown pacing mode {tokens[0].group()!r}: write {example}")
    wanted = 2 if mode == "fade" else 1
    if mode == "fade":
        if len(tokens) < 2:
            raise ScriptError(
                mode_pos, "pacing fade needs the number of breath cycles the tone still sounds, e.g. [pacing fade 3]"
            )
        count = tokens[1]
        if not _COUNT.fullmatch(count.group()) or int(count.group()) == 0:
            raise ScriptError(
                SourcePos(pos.path, line_no, count.start() + 1),
                f"pacing fade count must be a positive whole number of breath cycles, e.g. [pacing fade 3]; "
                f"got {count.group()!r}",
            )
    if len(tokens) > wanted:
        extra = tokens[wanted]
        raise ScriptError(
            SourcePos(pos.path, line_no, extra.start() + 1), f"unexpected {extra.group()!r} in pacing: write {example}"
        )
    _reject_leftovers(line, line_no, options, spec_end, end, pos, "pacing")
    values: dict[str, Any] = {}
    for option in options:
        key, raw = option.group(1), option.group(2)
        key_pos = SourcePos(pos.path, line_no, option.start(1) + 1)
        value_pos = SourcePos(pos.path, line_no, option.start(2) + 1)
        if mode != "on":
            raise ScriptError(key_pos, f"options belong to [pacing on ...], e.g. [pacing on rate=5 ratio=4:6]")
        if key not in _PACING_OPTIONS:
            listed = ", ".join(f"{k}=" for k in _PACING_OPTIONS)
            raise ScriptError(key_pos, f"unknown pacing option {key!r}: expected {listed}, e.g. rate=5")
        if key in values:
            raise ScriptError(key_pos, f"{key} is given twice in one pacing change: keep one")
        if key in ("rate", "from"):
            try:
                value: Any = float(raw[: -len("/min")] if raw.endswith("/min") else raw)
            except ValueError:
                value = math.nan
            values[key] = _check_bpm(value, key, value_pos)
        elif key == "ratio":
            values[key] = _check_ratio(raw, key, value_pos)
        elif key == "over":
            try:
                seconds = parse_duration_s(raw)
            except ValueError as err:
                raise ScriptError(value_pos, f"pacing over: {err}") from None
            if seconds <= 0:
                raise ScriptError(value_pos, f"pacing over must be longer than 0 seconds, e.g. over=1m; got {raw!r}")
            values[key] = seconds
        else:
            values[key] = _check_tone(raw, key, value_pos)
    if "over" in values and "from" not in values:
        raise ScriptError(pos, "over= times a ramp: give the starting rate too, e.g. [pacing on from=8 over=1m]")
    return PacingChange(
        mode,
        pos,
        int(tokens[1].group()) if mode == "fade" else 0,
        rate=values.get("rate"),
        in_fraction=values.get("ratio"),
        ramp_from=values.get("from"),
        ramp_s=values.get("over"),
        sound=values.get("sound"),
    )


def _insert_paragraph_pauses(items: list[Item], pause_s: float) -> list[Item]:
    """Put a paragraph pause before every Speech that directly follows another Speech.

    Sections and pacing changes do not separate speech (they add no silence),
    so the pause goes after them, right before the second paragraph: positions
    stay in reading order and each chapter starts with its own lead-in. Pauses,
    silences, breathe blocks and breath-locked phrases do separate speech: no
    paragraph pause is added next to them.

    The pause belongs to the optional passage of the speech it precedes, so it
    is left out exactly when that speech is: leaving out passages never leaves
    two paragraph pauses in a row (each one still stands right before its own
    speech). It can leave two speeches with nothing between them, when the
    silence that separated them was inside the left-out passage.
    """
    result: list[Item] = []
    after_speech = False
    for item in items:
        if isinstance(item, Speech):
            if after_speech:
                result.append(Pause(pause_s, pause_s, item.pos, passage=item.passage))
            after_speech = True
        elif isinstance(item, (Pause, Breathe, BreathPhrase)):
            after_speech = False
        result.append(item)
    return result
