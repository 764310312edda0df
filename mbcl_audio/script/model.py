"""What a parsed exercise script is: front matter plus items in reading order.

The parser (:mod:`mbcl_audio.script.parser`) makes these; the planner reads them.
All durations here are in seconds; the planner turns them into samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

from ..errors import MbclError


@dataclass(frozen=True)
class SourcePos:
    """A place in a script file (line and column count from 1)."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class ScriptError(MbclError, ValueError):
    """A problem in a script, located to file, line and column."""

    def __init__(self, pos: SourcePos, message: str):
        self.pos = pos
        self.message = message
        super().__init__(f"{pos}: error: {message}")


@dataclass(frozen=True)
class FrontMatter:
    """The TOML block at the top of a script."""

    track: int
    title: str
    language: str
    length_s: float
    voice: str = "espeak"
    bed: str = "warm-pad"
    album: str = ""
    artist: str = ""
    #: Pause inserted between paragraphs that have no explicit pause between them.
    paragraph_pause_s: float = 1.5
    #: Pause an ellipsis (``…`` or ``...``) inside text stands for.
    ellipsis_pause_s: float = 1.0
    #: Pacing rate in breath cycles per minute.
    breaths_per_minute: float = 6.0


@dataclass(frozen=True)
class Section:
    """A ``# Title`` line: starts a chapter."""

    title: str
    pos: SourcePos


@dataclass(frozen=True)
class Speech:
    """One utterance: text synthesized (or recorded) in one piece."""

    text: str
    pos: SourcePos


@dataclass(frozen=True)
class Pause:
    """Silence of ``min_s`` to ``max_s`` seconds; fixed when they are equal."""

    min_s: float
    max_s: float
    pos: SourcePos
    weight: float = 1.0

    @property
    def elastic(self) -> bool:
        return self.max_s > self.min_s


@dataclass(frozen=True)
class Breathe:
    """``[breathe N]``: N pacing cycles with the pacing tone audible, no speech."""

    cycles: int
    pos: SourcePos


Item = Union[Section, Speech, Pause, Breathe]


@dataclass(frozen=True)
class Script:
    path: Path
    front: FrontMatter
    items: tuple[Item, ...] = field(default_factory=tuple)

    @property
    def utterances(self) -> tuple[Speech, ...]:
        """Every :class:`Speech` item in order (the plan refers to them by index)."""
        return tuple(i for i in self.items if isinstance(i, Speech))

    @property
    def sections(self) -> tuple[Section, ...]:
        return tuple(i for i in self.items if isinstance(i, Section))
