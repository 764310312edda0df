"""The timeline a script becomes: events and chapters in samples at one rate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from ..script.model import SourcePos

EventKind = Literal["speech", "pause", "breathe", "align"]


@dataclass(frozen=True)
class Event:
    """One span of the timeline.

    ``kind`` is ``speech`` (an utterance; ``utterance`` indexes
    ``Script.utterances``), ``pause`` (silence from a pause, an ellipsis or a
    paragraph break), ``breathe`` (pacing cycles, tone audible) or ``align``
    (silence inserted so that what follows starts on the pacing grid).
    """

    kind: EventKind
    start_sample: int
    duration_samples: int
    text: str = ""
    utterance: Optional[int] = None
    source: Optional[SourcePos] = None
    #: For pauses: the bounds the planner chose within (samples).
    min_samples: int = 0
    max_samples: int = 0

    @property
    def stop_sample(self) -> int:
        return self.start_sample + self.duration_samples


@dataclass(frozen=True)
class Chapter:
    """A section of the track: ``[start_sample, stop_sample)``."""

    title: str
    start_sample: int
    stop_sample: int


@dataclass(frozen=True)
class Plan:
    sample_rate: int
    length_samples: int
    events: tuple[Event, ...]
    chapters: tuple[Chapter, ...]
    #: Pacing cycle length (samples); the grid's in-breath onsets are its multiples.
    cycle_samples: int
    #: Reachable length range of the script with these speech durations (samples).
    min_length_samples: int
    max_length_samples: int

    @property
    def duration_s(self) -> float:
        return self.length_samples / self.sample_rate

    def spans(self, kind: str) -> tuple[tuple[int, int], ...]:
        """``(start, stop)`` sample spans of every event of one kind."""
        return tuple((e.start_sample, e.stop_sample) for e in self.events if e.kind == kind)
