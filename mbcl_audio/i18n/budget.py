"""How long a translation may speak: each unit's budget, and the breath phase a phrase half must fit.

A track must still reach the shortest length its catalogue entry allows. At that length every
elastic pause is at its minimum and every optional passage is left out; what a translation may add
is what the source leaves before its shortest length passes the catalogue's, including the silence
the planner adds to bring breathing and phrases onto the next in-breath (longer speech before such
an anchor shortens that silence first). :func:`track_room` finds the largest **factor** by which
all the source's speech could grow at once with the track still reaching its shortest length
(planned as ``check`` plans it, with the source voice's estimated speech). A unit's **budget** is
its source duration times that factor: if every unit keeps to its budget, the translation reaches
the shortest length. A shared block is spoken in several tracks and gets the smallest of their
factors.

Durations are estimates (:mod:`mbcl_audio.plan.estimate`): the source in the source script's voice,
a translation in the target script's voice. ``i18n check`` plans the translated track with its
own estimates (:func:`shortest_s`); budgets only name the units to shorten when that misses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

from .. import SAMPLE_RATE
from ..catalog import Catalog, with_default_length
from ..plan import reachable_range
from ..plan.estimate import estimate_speech_samples
from ..render.bell import framed
from ..script import Script, Speech

__all__ = [
    "CALM_SYLLABLES_PER_S",
    "Room",
    "file_factors",
    "phase_seconds",
    "shortest_s",
    "syllables",
    "track_room",
]

#: Syllables a calm guiding voice speaks per second (espeak and piper at the scripts' pace).
CALM_SYLLABLES_PER_S = 3.5
_VOWEL_GROUPS = re.compile(r"[aeiouyàáâäåæèéêëìíîïòóôöøùúûüýœ]+", re.IGNORECASE)
#: The factor is found to this precision.
_FACTOR_STEP = 0.005


@dataclass(frozen=True)
class Room:
    """What a track leaves a translation.

    Attributes:
        shortest_s: The shortest length the source script reaches (seconds).
        minimum_s: The catalogue's shortest length for the track (seconds).
        factor: How much longer than the source all speech may run at once (1.0: not at all).
        files: Every file whose words the track speaks (the script and the blocks it includes).
    """

    shortest_s: float
    minimum_s: float
    factor: float
    files: frozenset[str]


def _minimum_s(script: Script, catalog: Optional[Catalog]) -> float:
    info = catalog.get(script.front.track) if catalog is not None else None
    return float(info.min_s if info is not None else script.front.length_s)


def shortest_s(script: Script, speech_samples: Sequence[int]) -> float:
    """The shortest length ``script`` reaches with these utterance durations (seconds), framed as built."""
    planned = framed(script, script.front.bell)
    # Framing adds no utterance: the durations still line up with script.utterances.
    lo, _ = reachable_range(planned, list(speech_samples), SAMPLE_RATE)
    return lo / SAMPLE_RATE


def track_room(script: Script, catalog: Optional[Catalog]) -> Room:
    """The room the source ``script`` leaves (see the module docstring)."""
    script = with_default_length(script, catalog)
    minimum = _minimum_s(script, catalog)
    speech = estimate_speech_samples(script, SAMPLE_RATE)
    base = shortest_s(script, speech)
    files = frozenset(str(u.pos.path) for u in script.utterances)
    if base > minimum:
        return Room(base, minimum, 1.0, files)
    paragraphs = {id(item) for item in script.items if isinstance(item, Speech)}
    grows = [id(u) in paragraphs and u.passage is None for u in script.utterances]

    def fits(factor: float) -> bool:
        scaled = [round(n * factor) if g else n for n, g in zip(speech, grows)]
        return shortest_s(script, scaled) <= minimum

    lo, hi = 1.0, 2.0
    if fits(hi):
        lo = hi
    while hi - lo > _FACTOR_STEP:
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return Room(base, minimum, lo, files)


def file_factors(rooms: Iterable[Room]) -> dict[str, float]:
    """Each spoken file -> the smallest factor of the tracks that speak it."""
    factors: dict[str, float] = {}
    for room in rooms:
        for path in room.files:
            factors[path] = min(factors.get(path, room.factor), room.factor)
    return factors


def phase_seconds(script: Script) -> tuple[float, float]:
    """The time the in-breath half and the out-breath half of a breath-locked phrase have (seconds):
    the in- and out-breath of one cycle, or one step each on a walking grid."""
    front = script.front
    if front.grid == "steps":
        step = 60.0 / front.steps_per_minute
        return step, step
    cycle = 60.0 / front.breaths_per_minute
    return cycle * front.in_fraction, cycle * (1.0 - front.in_fraction)


def syllables(text: str) -> int:
    """A rough syllable count (groups of vowels), at least one per word."""
    return sum(max(1, len(_VOWEL_GROUPS.findall(word))) for word in text.split() if any(c.isalnum() for c in word))
