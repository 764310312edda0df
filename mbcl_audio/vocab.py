"""The names and track numbers a script may use, shared by the parser that checks them and the stages that act on them.

A leaf module: the parser (:mod:`mbcl_audio.script`) validates against these
without importing the planner or the renderer, and :mod:`mbcl_audio.render.tones` /
:mod:`mbcl_audio.render.bell` make the sounds they name. Each ``Literal`` is
the type; the tuple next to it lists the same strings, in documented order,
for checks and messages.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "BELL_PLACES",
    "FIRST_TRACK",
    "GRIDS",
    "LAST_TRACK",
    "LENGTH_ENDS",
    "PACING_MODES",
    "PACING_STATES",
    "TONE_FAMILIES",
    "TRACK_NUMBERS",
    "TRACK_RANGE",
    "BellPlace",
    "Grid",
    "LengthEnd",
    "PacingMode",
    "PacingState",
    "ToneFamily",
]

#: The track numbers of the MBCL set (a script's ``track``, ``build 3``, the ``TRCK`` tag's total).
FIRST_TRACK, LAST_TRACK = 1, 27
TRACK_NUMBERS = range(FIRST_TRACK, LAST_TRACK + 1)
#: The track numbers as messages write them: ``"1-27"``.
TRACK_RANGE = f"{FIRST_TRACK}-{LAST_TRACK}"

#: A pacing-tone family (``pacing_sound``, ``[pacing on sound=...]``).
ToneFamily = Literal["glide", "ocean", "bowl"]
TONE_FAMILIES: tuple[ToneFamily, ...] = get_args(ToneFamily)

#: Where a track may have a bell: at its start, after its last words, at every section start.
BellPlace = Literal["start", "end", "sections"]
BELL_PLACES: tuple[BellPlace, ...] = get_args(BellPlace)

#: What the pacing grid counts (front matter ``grid``): breath cycles, or walking steps.
Grid = Literal["breath", "steps"]
GRIDS: tuple[Grid, ...] = get_args(Grid)

#: Whether the pacing tone sounds from the start of a track (front matter ``pacing``).
PacingState = Literal["off", "on"]
PACING_STATES: tuple[PacingState, ...] = get_args(PacingState)

#: A ``[pacing ...]`` directive: tone on, off, or audible a few more cycles then fading.
PacingMode = Literal["on", "off", "fade"]
PACING_MODES: tuple[PacingMode, ...] = get_args(PacingMode)

#: A track length given as an end of the script's reachable range (``--length max``) instead of a duration.
LengthEnd = Literal["min", "max"]
LENGTH_ENDS: tuple[LengthEnd, ...] = get_args(LengthEnd)
