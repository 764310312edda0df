"""What a parsed exercise script is: front matter plus items in reading order.

The parser (:mod:`mbcl_audio.script.parser`) makes these; the planner reads them.
All durations here are in seconds; the planner turns them into samples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from ..errors import MbclError
from ..vocab import BellPlace, Grid, PacingMode, PacingState, ToneFamily


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

    def __init__(self, pos: SourcePos, message: str) -> None:
        self.pos = pos
        self.message = message
        super().__init__(f"{pos}: error: {message}")


@dataclass(frozen=True)
class FrontMatter:
    """The TOML block at the top of a script."""

    track: int
    title: str
    language: str
    #: The usual length; ``None`` when the script leaves it to the track catalogue
    #: (:func:`mbcl_audio.catalog.with_default_length` fills it in before planning).
    length_s: Optional[float] = None
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
    #: Share of each breath cycle that is the in-breath (``breath_ratio = "4:6"`` -> 0.4).
    in_fraction: float = 0.5
    #: What the pacing grid counts: ``"breath"`` cycles, or walking ``"steps"``.
    grid: Grid = "breath"
    #: Step cadence when ``grid = "steps"`` (one grid beat per step).
    steps_per_minute: float = 100.0
    #: Whether the pacing tone sounds from the start (``[pacing ...]`` changes it).
    pacing: PacingState = "off"
    #: Tone family of the pacing layer (see :data:`mbcl_audio.vocab.TONE_FAMILIES`).
    pacing_sound: ToneFamily = "glide"
    #: Each time the tone comes on, start at this rate (breaths per minute) and slow
    #: (or speed) to ``breaths_per_minute`` over ``pacing_ramp_s``; ``None``: no ramp.
    pacing_ramp_from: Optional[float] = None
    pacing_ramp_s: float = 60.0
    #: Where a bell strikes: any of ``"start"``, ``"end"``, ``"sections"`` (none by default).
    bell: tuple[BellPlace, ...] = ()
    #: Loudness profile to master to (``""``: the project's or the built-in default).
    profile: str = ""


@dataclass(frozen=True)
class Passage:
    """An ``[optional N name]`` ... ``[end optional]`` block: included when the length leaves room.

    Lower ``priority`` numbers are included first.
    """

    priority: int
    name: str
    pos: SourcePos


@dataclass(frozen=True)
class Section:
    """A ``# Title`` line: starts a chapter."""

    title: str
    pos: SourcePos
    passage: Optional[int] = None


@dataclass(frozen=True)
class Speech:
    """One utterance: text synthesized (or recorded) in one piece.

    ``on_beat`` (``[on-beat] text``): the utterance starts on the next onset
    of the pacing grid (a walking cue on a step, a phrase on an in-breath).
    """

    text: str
    pos: SourcePos
    passage: Optional[int] = None
    on_beat: bool = False


@dataclass(frozen=True)
class Pause:
    """Silence of ``min_s`` to ``max_s`` seconds; fixed when they are equal.

    ``[silence ...]`` makes a practice silence (``silence=True``): speech that
    follows it re-enters on an in-breath onset while the pacing tone is on, and
    it may carry re-anchoring ``prompts``, spoken at even intervals inside it,
    one per ``prompt_every_s`` of its length (none when it is shorter).
    ``preferred_s`` is where the pause sits when the track is at its natural
    length (default: the middle of its range).
    """

    min_s: float
    max_s: float
    pos: SourcePos
    weight: float = 1.0
    passage: Optional[int] = None
    preferred_s: Optional[float] = None
    silence: bool = False
    prompt_every_s: Optional[float] = None
    prompts: tuple["Speech", ...] = ()
    #: Made by the text itself (an ellipsis, or the automatic pause between paragraphs), not
    #: written as a directive: a script's shape (:mod:`.shape`) ignores it.
    implicit: bool = False

    @property
    def elastic(self) -> bool:
        return self.max_s > self.min_s

    @property
    def preferred(self) -> float:
        """The natural length of the pause (seconds)."""
        if self.preferred_s is not None:
            return self.preferred_s
        return 0.5 * (self.min_s + self.max_s)


@dataclass(frozen=True)
class Breathe:
    """``[breathe N]``: N pacing cycles with the pacing tone audible, no speech."""

    cycles: int
    pos: SourcePos
    passage: Optional[int] = None


@dataclass(frozen=True)
class BreathPhrase:
    """``[breath-locked x3] May I | be at ease``: halves locked to the breath.

    Each repetition takes one pacing cycle: ``inhale`` starts at an in-breath
    onset, ``exhale`` at the following out-breath onset. ``repeats`` fixes the
    count; otherwise the phrase fills ``min_s`` to ``max_s`` with as many
    cycles as the planner chooses. The pacing tone is audible throughout.
    """

    inhale: Speech
    exhale: Speech
    pos: SourcePos
    repeats: Optional[int] = None
    min_s: float = 0.0
    max_s: float = 0.0
    passage: Optional[int] = None


@dataclass(frozen=True)
class PacingChange:
    """``[pacing on]``, ``[pacing off]`` or ``[pacing fade N]`` (audible N more cycles, then fades).

    ``[pacing on rate=5 ratio=4:6 from=8 over=1m sound=bowl]`` sets the tone of
    the stretch it starts; an option left out takes the front matter's value.
    """

    mode: PacingMode
    pos: SourcePos
    cycles: int = 0
    passage: Optional[int] = None
    #: Breaths per minute of this stretch.
    rate: Optional[float] = None
    #: Share of a cycle that is the in-breath.
    in_fraction: Optional[float] = None
    #: Ramp: start at ``ramp_from`` breaths per minute and reach ``rate`` after ``ramp_s``.
    ramp_from: Optional[float] = None
    ramp_s: Optional[float] = None
    #: Tone family.
    sound: Optional[ToneFamily] = None


Item = Union[Section, Speech, Pause, Breathe, BreathPhrase, PacingChange]


@dataclass(frozen=True)
class Script:
    path: Path
    front: FrontMatter
    items: tuple[Item, ...] = field(default_factory=tuple)
    passages: tuple[Passage, ...] = ()

    @property
    def utterances(self) -> tuple[Speech, ...]:
        """Every spoken text in reading order: speech items, silence prompts, breath-phrase halves.

        Plans refer to utterances by their index in this tuple.
        """
        out: list[Speech] = []
        for item in self.items:
            if isinstance(item, Speech):
                out.append(item)
            elif isinstance(item, Pause):
                out.extend(item.prompts)
            elif isinstance(item, BreathPhrase):
                out.extend((item.inhale, item.exhale))
        return tuple(out)

    @property
    def sections(self) -> tuple[Section, ...]:
        return tuple(i for i in self.items if isinstance(i, Section))
