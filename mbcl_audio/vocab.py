"""The names a script may use for sounds, shared by the parser that checks them and the renderer that plays them.

A leaf module: the parser (:mod:`mbcl_audio.script`) validates against these
without importing the renderer, and :mod:`mbcl_audio.render.tones` /
:mod:`mbcl_audio.render.bell` make the sounds they name.
"""

from __future__ import annotations

__all__ = ["BELL_PLACES", "TONE_FAMILIES"]

#: Pacing-tone families (``pacing_sound``, ``[pacing on sound=...]``), in the order they are documented.
TONE_FAMILIES = ("glide", "ocean", "bowl")

#: Where a track may have a bell: at its start, after its last words, at every section start.
BELL_PLACES = ("start", "end", "sections")
