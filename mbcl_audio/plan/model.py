"""The timeline a script becomes: events and chapters in samples at one rate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from ..script.model import SourcePos
from ..vocab import Grid
from .pacing import PacingStretch

EventKind = Literal["speech", "pause", "silence", "breathe", "phrase", "align"]


@dataclass(frozen=True)
class Event:
    """One span of the timeline.

    ``kind`` is ``speech`` (an utterance; ``utterance`` indexes
    ``Script.utterances``), ``pause`` (silence from a pause, an ellipsis or a
    paragraph break), ``silence`` (a ``[silence]`` practice silence; its
    prompts are in ``Plan.overlays``), ``breathe`` (pacing cycles, tone
    audible), ``phrase`` (a breath-locked phrase; its halves are in
    ``Plan.overlays``) or ``align`` (silence inserted so that what follows
    starts on the pacing grid).
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
    preferred_samples: int = 0
    #: Name of the optional passage the event comes from, if any.
    passage: str = ""
    #: For speech: samples from the event's start to where the voice sets in. Breath-locked
    #: halves start their clip's lead-in this early, so the voice meets the breath.
    lead_samples: int = 0

    @property
    def onset_sample(self) -> int:
        """Where the voice sets in (speech) or the event begins (anything else)."""
        return self.start_sample + self.lead_samples

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
    #: The timeline: consecutive events from 0 to ``length_samples``, no gaps.
    events: tuple[Event, ...]
    chapters: tuple[Chapter, ...]
    #: Grid beat length (samples): one breath cycle, or one step on a step grid.
    #: In-breath (or beat) onsets are its multiples.
    cycle_samples: int
    #: Reachable length range of the script with these speech durations (samples),
    #: from no optional passages to all of them.
    min_length_samples: int
    max_length_samples: int
    #: Speech placed inside other events: silence prompts and breath-phrase halves.
    overlays: tuple[Event, ...] = ()
    #: Where the pacing tone sounds, and at which rate, ratio, ramp and tone.
    pacing: tuple[PacingStretch, ...] = ()
    #: Length of the in-breath phase (samples); the out-breath starts this far into a cycle.
    in_samples: int = 0
    #: ``"breath"`` or ``"steps"``.
    grid: Grid = "breath"
    #: Optional passages included, in priority order, and all the script has.
    included_passages: tuple[str, ...] = ()
    all_passages: tuple[str, ...] = ()
    #: ``(location, message)`` pairs a producer should know about (e.g. a phrase half
    #: longer than its breath phase).
    warnings: tuple[tuple[str, str], ...] = ()

    @property
    def pacing_spans(self) -> tuple[tuple[int, int], ...]:
        """``(start, stop)`` sample spans where the pacing tone sounds."""
        return tuple(st.span for st in self.pacing)

    @property
    def duration_s(self) -> float:
        return self.length_samples / self.sample_rate

    def spans(self, kind: EventKind) -> tuple[tuple[int, int], ...]:
        """``(start, stop)`` sample spans of every top-level event of one kind."""
        return tuple((e.start_sample, e.stop_sample) for e in self.events if e.kind == kind)

    @property
    def voice(self) -> tuple[Event, ...]:
        """Every placed utterance, top-level or overlaid, in time order."""
        speech = [e for e in self.events if e.kind == "speech"] + list(self.overlays)
        return tuple(sorted(speech, key=lambda e: e.start_sample))
