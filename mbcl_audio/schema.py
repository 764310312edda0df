"""Checking a TOML table against a table of fields: the pattern behind every hand-written settings file.

The script front matter (:mod:`mbcl_audio.script.frontmatter`), voice profiles
(:mod:`mbcl_audio.render.voice.profiles`) and loudness profiles
(:mod:`mbcl_audio.master.profiles`) each describe their keys as a table of
:class:`Field` and call :func:`check_table`. It finds unknown keys (with a
close match to suggest), missing required keys and values their check
refuses, and hands each problem to the caller as a :class:`FieldError`. The
caller says where the key is (file, line, table) in its own error type, and
decides whether to stop at the first problem or collect them all.

A leaf module: it knows nothing of scripts, voices or loudness.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Optional

__all__ = [
    "Check",
    "Field",
    "FieldError",
    "MissingKey",
    "UnknownKey",
    "check_table",
    "close_match",
    "from_validator",
    "is_number",
    "is_whole_number",
    "toml_kind",
]


class FieldError(ValueError):
    """A value its field refuses. ``str()`` says what is wrong; the caller adds where (file, line, table)."""

    def __init__(self, message: str, key: str = "") -> None:
        super().__init__(message)
        self.message = message
        #: The table key; :func:`check_table` fills it in.
        self.key = key


class UnknownKey(FieldError):
    """A key the table has no field for."""

    def __init__(self, key: str, known: Iterable[str]) -> None:
        self.known = tuple(sorted(known))
        #: The known key closest to ``key`` (a likely misspelling), or ``None``.
        self.suggestion = close_match(key, self.known)
        super().__init__(f"unknown key {key!r}{self.hint}", key)

    @property
    def hint(self) -> str:
        """``" (did you mean 'x'?)"``, or ``""`` when no known key is close."""
        return f" (did you mean {self.suggestion!r}?)" if self.suggestion else ""


class MissingKey(FieldError):
    """A required key the table does not have."""

    def __init__(self, key: str, example: str = "") -> None:
        #: A correct line for the key, shown in messages (``""``: none).
        self.example = example
        super().__init__(f"missing required key {key!r}", key)


#: ``(value, key) -> the value converted``; raises :class:`FieldError` for a value it refuses.
Check = Callable[[Any, str], Any]


@dataclass(frozen=True)
class Field:
    """One key of a table."""

    check: Check
    required: bool = False
    #: Where the converted value goes (a dataclass field name); ``None``: the key itself.
    name: Optional[str] = None
    #: A correct line, shown in messages (``'length = "5m"'``).
    example: str = ""


def check_table(
    table: Mapping[str, Any], fields: Mapping[str, Field], fail: Callable[[FieldError], None]
) -> dict[str, Any]:
    """Every key of ``table`` checked against ``fields``: the converted values by field name.

    Problems go to ``fail`` in this order: unknown keys (in the table's
    order), then per field in the order of ``fields`` a missing required key
    or a value its check refuses. ``fail`` may raise (stop at the first
    problem) or record it and return (report them all); a refused value is
    then left out of the result. The result keeps the table's key order.
    """
    for key in table:
        if key not in fields:
            fail(UnknownKey(key, fields))
    converted: dict[str, Any] = {}
    for key, field in fields.items():
        if key not in table:
            if field.required:
                fail(MissingKey(key, field.example))
            continue
        try:
            converted[key] = field.check(table[key], key)
        except FieldError as err:
            err.key = key
            fail(err)
    return {fields[key].name or key: converted[key] for key in table if key in converted}


def close_match(key: str, known: Iterable[str]) -> Optional[str]:
    """The known key ``key`` most likely misspells, or ``None``."""
    matches = difflib.get_close_matches(key, list(known), n=1)
    return matches[0] if matches else None


def from_validator(validator: Callable[[Any], Optional[str]]) -> Check:
    """A :data:`Check` from a validator that returns a problem phrase (or ``None``); the message adds the value."""

    def check(value: Any, key: str) -> Any:
        problem = validator(value)
        if problem:
            raise FieldError(f"{problem}, got {value!r}", key)
        return value

    return check


def is_number(value: Any) -> bool:
    """An int or float. TOML true/false arrive as bool, which Python counts as int: not a number here."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_whole_number(value: Any) -> bool:
    """An int, not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def toml_kind(value: Any) -> str:
    """How a TOML value reads to a person editing the file, for 'got ...' in messages."""
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
