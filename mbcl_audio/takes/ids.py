"""Stable IDs for the utterances of a script, and what a narrator needs to know about each.

The ID rule
-----------
Every utterance of :attr:`Script.utterances` (speech paragraphs and their
ellipsis-split pieces, re-anchoring prompts of a silence, both halves of a
breath-locked phrase) gets ``SS-NNN``:

* ``SS``: the number of the ``# Section`` heading the utterance is under,
  counted from 1 in reading order, two digits; utterances before the first
  heading are in section ``00``.
* ``NNN``: the utterance's ordinal within that section, counted from 1 in
  reading order, three digits.

So ``02-004`` is the fourth utterance of the second section. IDs are unique by
construction (one counter per section) and stable when *other* sections are
edited: changing, inserting or removing text in section 3 leaves every take
of sections 1, 2, 4, ... where it is.

The trade-off: inserting or removing an utterance renumbers the utterances
after it *in the same section* (and inserting or removing a heading renumbers
the sections after it). The takes then sit under IDs whose text changed, and
``takes status`` reports them as stale (the manifest records the text each take
was made for) instead of the build silently placing a take at the wrong
utterance. Content-derived IDs (e.g. a hash of the text) would avoid
renumbering but would make every text correction look like a brand-new
utterance with an orphaned take, and are unreadable for a narrator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from ..script.model import (
    Breathe,
    BreathPhrase,
    Item,
    PacingChange,
    Pause,
    Script,
    Section,
    SourcePos,
    Speech,
)

__all__ = ["UtteranceEntry", "item_words", "utterance_entries", "utterance_ids", "is_utterance_id"]


def is_utterance_id(name: str) -> bool:
    """Whether ``name`` has the ``SS-NNN`` form of an utterance ID."""
    return (
        len(name) == 6 and name[2] == "-" and name[:2].isdigit() and name[3:].isdigit()
        and name.isascii()
    )


#: What an utterance is to the person recording it: plain speech, a prompt inside a silence,
#: or the in-breath / out-breath half of a breath-locked phrase.
UtteranceKind = Literal["speech", "prompt", "inhale", "exhale"]


@dataclass(frozen=True)
class UtteranceEntry:
    """One utterance with its ID and the context a recording sheet shows.

    Attributes:
        id: ``SS-NNN`` (see the module docstring).
        index: Position in :attr:`Script.utterances`.
        text: The text to speak.
        pos: Where it is in the script.
        section: Title of its section (``""`` before the first heading).
        kind: ``"speech"``, ``"prompt"`` (inside a silence), ``"inhale"`` or
            ``"exhale"`` (halves of a breath-locked phrase).
        pause_after: What follows the utterance, in words (``"pause 2-20 s"``,
            ``"end of track"``, ...).
        notes: Delivery notes derived from the script (on-beat, optional
            passage, breath-locked, ...).
    """

    id: str
    index: int
    text: str
    pos: SourcePos
    section: str
    kind: UtteranceKind
    pause_after: str
    notes: tuple[str, ...]


def utterance_ids(script: Script) -> list[str]:
    """One ``SS-NNN`` ID per entry of ``script.utterances``, in the same order."""
    return [entry.id for entry in utterance_entries(script)]


def utterance_entries(script: Script) -> list[UtteranceEntry]:
    """Every utterance of ``script`` with its ID, section, following pause and notes.

    The order and count are those of :attr:`Script.utterances`.
    """
    items = script.items
    entries: list[UtteranceEntry] = []
    section_no, ordinal, section_title = 0, 0, ""

    def add(speech: Speech, kind: UtteranceKind, pause_after: str, notes: list[str]) -> None:
        nonlocal ordinal
        ordinal += 1
        if ordinal > 999:
            raise ValueError(f"{speech.pos}: more than 999 utterances in one section")
        if speech.on_beat:
            notes = ["starts on the beat (a step or an in-breath)"] + notes
        passage = speech.passage
        if passage is not None and 0 <= passage < len(script.passages):
            notes = notes + [
                f"optional passage '{script.passages[passage].name}' (left out of short versions)"
            ]
        entries.append(
            UtteranceEntry(
                id=f"{section_no:02d}-{ordinal:03d}",
                index=len(entries),
                text=speech.text,
                pos=speech.pos,
                section=section_title,
                kind=kind,
                pause_after=pause_after,
                notes=tuple(notes),
            )
        )

    for i, item in enumerate(items):
        if isinstance(item, Section):
            section_no += 1
            if section_no > 99:
                raise ValueError(f"{item.pos}: more than 99 sections")
            ordinal, section_title = 0, item.title
        elif isinstance(item, Speech):
            add(item, "speech", _following(items, i), [])
        elif isinstance(item, Pause):
            n = len(item.prompts)
            for k, prompt in enumerate(item.prompts):
                every = f"{_seconds(item.prompt_every_s)}" if item.prompt_every_s else "?"
                add(
                    prompt,
                    "prompt",
                    f"silence (at least {every} to the next prompt)" if k + 1 < n
                    else f"the rest of the silence (at least {every})",
                    [f"re-anchoring prompt {k + 1} of {n}, spoken inside a silence"],
                )
        elif isinstance(item, BreathPhrase):
            repeats = (
                f"repeated {item.repeats} times" if item.repeats
                else f"repeated for {_range(item.min_s, item.max_s)}"
            )
            add(
                item.inhale,
                "inhale",
                "the out-breath half follows on the out-breath",
                [f"breath-locked phrase, in-breath half ({repeats}, same take each time); "
                 "fits inside one in-breath"],
            )
            add(
                item.exhale,
                "exhale",
                "the rest of the breath cycle, then the next repetition"
                if (item.repeats or 0) != 1 else _following(items, i),
                [f"breath-locked phrase, out-breath half ({repeats}, same take each time); "
                 "fits inside one out-breath"],
            )
    return entries


def _seconds(x: Optional[float]) -> str:
    if x is None:
        return "?"
    if x >= 60:
        minutes, seconds = divmod(round(x), 60)
        return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
    return f"{x:g} s"


def _range(lo: float, hi: float) -> str:
    if hi > lo:
        if hi >= 60:
            return f"{_seconds(lo)} to {_seconds(hi)}"
        return f"{lo:g}-{hi:g} s"
    return _seconds(lo)


def _following(items: tuple[Item, ...], i: int) -> str:
    """What follows ``items[i]`` in the track, in words; headings and pacing changes are skipped."""
    for item in items[i + 1:]:
        words = item_words(item)
        if words is not None:
            return words
    return "end of track"


def item_words(item: Item) -> Optional[str]:
    """What ``item`` is to a listener, in words (``"pause 3-10 s"``); None for a heading or a pacing
    change, which take no time of their own."""
    if isinstance(item, (Section, PacingChange)):
        return None
    if isinstance(item, Pause):
        kind = "silence" if item.silence else "pause"
        return f"{kind} {_range(item.min_s, item.max_s)}"
    if isinstance(item, Breathe):
        return f"{item.cycles} breath cycle{'s' if item.cycles != 1 else ''} with the tone"
    if isinstance(item, BreathPhrase):
        return "a breath-locked phrase, from the next in-breath"
    return "the next utterance, on the beat" if item.on_beat else "the next utterance, directly"
