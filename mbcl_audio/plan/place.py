"""Placement: the chosen spans laid out as a :class:`~mbcl_audio.plan.model.Plan`.

Everything placement produces goes into one :class:`Timeline`: the events that
tile the track, the speech overlaid on them, the warnings, and where the
chapters and pacing changes fall.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Optional, Sequence

import numpy as np

from ..script.model import Breathe, BreathPhrase, Pause, Script, Section, Speech
from ..units import seconds_to_samples
from .model import Chapter, Event, Plan
from .segments import Layout, Marked, Paused, Spoken, utterance_index
from .slack import Split, share_towards_preferred
from .stretches import PacingMark, pacing_stretches, reentry_warnings


class ChapterMark(NamedTuple):
    """A section heading and where on the timeline it falls."""

    title: str
    at_sample: int


@dataclass
class Timeline:
    """What placement has laid out so far; events tile it from sample 0 to :attr:`stop_sample`."""

    events: list[Event] = field(default_factory=list)
    #: Speech placed inside another event (silence prompts, breath-locked halves).
    overlays: list[Event] = field(default_factory=list)
    #: ``(location, message)`` pairs for the producer.
    warnings: list[tuple[str, str]] = field(default_factory=list)
    chapter_marks: list[ChapterMark] = field(default_factory=list)
    pacing_marks: list[PacingMark] = field(default_factory=list)

    @property
    def stop_sample(self) -> int:
        """Where the next event starts."""
        return self.events[-1].stop_sample if self.events else 0

    def append(self, event: Event) -> None:
        assert event.start_sample == self.stop_sample, (event, self.stop_sample)
        self.events.append(event)

    def overlay(self, event: Event) -> None:
        self.overlays.append(event)

    def warn(self, location: str, message: str) -> None:
        self.warnings.append((location, message))

    def mark_chapter(self, title: str) -> None:
        self.chapter_marks.append(ChapterMark(title, self.stop_sample))

    def mark_pacing(self, mark: PacingMark) -> None:
        self.pacing_marks.append(mark)

    def defer_marks(self, at_sample: int, by_samples: int) -> None:
        """Move the chapter and pacing marks at ``at_sample`` later by ``by_samples``."""
        self.chapter_marks[:] = [
            m._replace(at_sample=m.at_sample + by_samples) if m.at_sample == at_sample else m for m in self.chapter_marks
        ]
        self.pacing_marks[:] = [
            m._replace(at_sample=m.at_sample + by_samples) if m.at_sample == at_sample else m for m in self.pacing_marks
        ]

    def chapters(self) -> tuple[Chapter, ...]:
        """One chapter per heading, the first from sample 0; empty ones are left out."""
        marks, length = self.chapter_marks, self.stop_sample
        chapters: list[Chapter] = []
        for j, (title, start) in enumerate(marks):
            stop = marks[j + 1].at_sample if j + 1 < len(marks) else length
            if j == 0:
                start = 0  # the first chapter covers the whole lead-in
            chapters.append(Chapter(title, start, stop))
        return tuple(c for c in chapters if c.stop_sample > c.start_sample)


@dataclass(frozen=True)
class _Voice:
    """How long each utterance lasts and which passage it belongs to, for placing speech."""

    speech_samples: Sequence[int]
    index: dict[int, int]
    passage_names: dict[int, str]
    #: Samples from each clip's start to where the voice sets in.
    lead_samples: Sequence[int]

    def passage(self, passage: Optional[int]) -> str:
        return self.passage_names.get(passage, "") if passage is not None else ""

    def samples(self, speech: Speech) -> int:
        return self.speech_samples[self.index[id(speech)]]

    def lead(self, speech: Speech) -> int:
        return self.lead_samples[self.index[id(speech)]]

    def event(self, speech: Speech, start_sample: int, passage: Optional[int], lead_samples: int = 0) -> Event:
        """``speech`` as an event at ``start_sample``, tagged with ``passage`` (which may be its host's)."""
        k = self.index[id(speech)]
        return Event(
            "speech", start_sample, self.speech_samples[k], speech.text, k, speech.pos, passage=self.passage(passage),
            lead_samples=lead_samples,
        )


def place(
    script: Script,
    speech_samples: Sequence[int],
    layout: Layout,
    splits: Sequence[Split],
    tail_lead_beats: int,
    target_samples: int,
    sample_rate: int,
    passages: frozenset[int],
    reachable: tuple[int, int],
    lead_samples: Sequence[int],
) -> Plan:
    """Lay the chosen spans out as events, overlays, chapters and pacing spans.

    ``splits`` gives each anchored segment's beats (:func:`~mbcl_audio.plan.slack.choose_beats`),
    ``tail_lead_beats`` the last segment's lead; ``reachable`` is the script's length range (samples);
    ``lead_samples`` where each clip's voice sets in (see :func:`~mbcl_audio.plan.fit.fit`).
    """
    beat = layout.beat_samples
    names = {k: script.passages[k].name for k in range(len(script.passages))}
    voice = _Voice(speech_samples, utterance_index(script), names, lead_samples)
    timeline = Timeline()
    for k, seg in enumerate(layout.segments):
        last = k == len(layout.segments) - 1
        lead_beats, free_beats = (tail_lead_beats, 0) if last else splits[k]
        lead = seg.lead
        if isinstance(lead, Breathe):
            timeline.append(
                Event("breathe", timeline.stop_sample, lead_beats * beat, source=lead.pos, passage=voice.passage(lead.passage))
            )
        elif isinstance(lead, BreathPhrase):
            _place_phrase(timeline, lead, lead_beats, layout, voice, sample_rate)
        free_start = timeline.stop_sample
        # The free part (an on-beat lead utterance counts in it) takes the rest of the segment.
        span = target_samples - free_start if last else free_beats * beat
        slack = span - seg.fixed_samples
        shares = share_towards_preferred(seg.pauses, min(slack, seg.stretch_samples)) if seg.pauses else np.zeros(0)
        align = slack - int(np.sum(shares))
        if isinstance(lead, Speech):
            timeline.append(voice.event(lead, timeline.stop_sample, lead.passage))
        p = 0
        for entry in seg.items:
            if isinstance(entry, Marked):
                if isinstance(entry.mark, Section):
                    timeline.mark_chapter(entry.mark.title)
                else:
                    timeline.mark_pacing(PacingMark(timeline.stop_sample, entry.mark))
            elif isinstance(entry, Spoken):
                speech = entry.speech
                timeline.append(
                    Event(
                        "speech", timeline.stop_sample, entry.duration_samples, speech.text, voice.index[id(speech)],
                        speech.pos, passage=voice.passage(speech.passage),
                    )
                )
            else:
                _place_pause(timeline, entry, int(shares[p]), voice, sample_rate)
                p += 1
        if align > 0:
            # A heading or pacing change right before the anchor belongs after the alignment silence.
            timeline.defer_marks(timeline.stop_sample, align)
            timeline.append(Event("align", timeline.stop_sample, align))
        assert last or timeline.stop_sample == free_start + free_beats * beat, (timeline.stop_sample, free_start, free_beats)
    assert timeline.stop_sample == target_samples, (timeline.stop_sample, target_samples)
    pacing = pacing_stretches(
        script, timeline.events, timeline.pacing_marks, beat, layout.half_offset_samples, target_samples, sample_rate
    )
    timeline.warnings.extend(reentry_warnings(pacing, timeline.events, sample_rate))
    return Plan(
        sample_rate=sample_rate,
        length_samples=target_samples,
        events=tuple(timeline.events),
        chapters=timeline.chapters(),
        cycle_samples=beat,
        min_length_samples=reachable[0],
        max_length_samples=reachable[1],
        overlays=tuple(sorted(timeline.overlays, key=lambda e: e.start_sample)),
        pacing=pacing,
        in_samples=layout.half_offset_samples,
        grid=script.front.grid,
        included_passages=tuple(
            names[k] for k in sorted(passages, key=lambda k: (script.passages[k].priority, k))
        ),
        all_passages=tuple(p.name for p in script.passages),
        warnings=tuple(timeline.warnings),
    )


def _place_pause(timeline: Timeline, entry: Paused, share_samples: int, voice: _Voice, sample_rate: int) -> None:
    """A pause or silence at its minimum plus its share of the slack, with a silence's prompts."""
    pause, elastic = entry.pause, entry.elastic
    start = timeline.stop_sample
    duration = elastic.min_samples + share_samples
    timeline.append(
        Event(
            "silence" if pause.silence else "pause", start, duration, source=pause.pos,
            min_samples=elastic.min_samples, max_samples=elastic.max_samples,
            preferred_samples=elastic.preferred_samples, passage=voice.passage(pause.passage),
        )
    )
    if pause.prompts:
        _place_prompts(timeline, pause, start, duration, voice, sample_rate)


def _place_phrase(
    timeline: Timeline, phrase: BreathPhrase, repeats: int, layout: Layout, voice: _Voice, sample_rate: int
) -> None:
    """A breath-locked phrase: one repetition per beat, halves on their onsets."""
    rep = layout.beat_samples
    half = layout.half_offset_samples
    start = timeline.stop_sample
    timeline.append(
        Event(
            "phrase", start, repeats * rep, f"{phrase.inhale.text} | {phrase.exhale.text}", source=phrase.pos,
            passage=voice.passage(phrase.passage),
        )
    )
    for speech, offset, room in ((phrase.inhale, 0, half), (phrase.exhale, half, rep - half)):
        duration = voice.samples(speech)
        if duration > room:
            timeline.warn(
                str(speech.pos),
                f"'{speech.text}' lasts {duration / sample_rate:.2f} s, longer than its "
                f"{room / sample_rate:.2f} s breath phase; shorten it or slow the pacing",
            )
        for r in range(repeats):
            # The clip starts its lead early so that the voice itself sets in on the breath.
            onset = start + r * rep + offset
            begin = max(0, onset - voice.lead(speech))
            timeline.overlay(voice.event(speech, begin, phrase.passage, lead_samples=onset - begin))


def _place_prompts(
    timeline: Timeline, silence: Pause, start_sample: int, duration_samples: int, voice: _Voice, sample_rate: int
) -> None:
    """Re-anchoring prompts at even intervals: one per ``every`` of the silence, none when short."""
    every = seconds_to_samples(silence.prompt_every_s, sample_rate)
    count = max(0, duration_samples // every - 1)
    lengths = [voice.samples(p) for p in silence.prompts]
    # Never let a prompt run into the next one or past the silence.
    while count and max(lengths) > duration_samples // (count + 1):
        count -= 1
    for i in range(1, count + 1):
        prompt = silence.prompts[(i - 1) % len(silence.prompts)]
        timeline.overlay(voice.event(prompt, start_sample + (i * duration_samples) // (count + 1), silence.passage))
