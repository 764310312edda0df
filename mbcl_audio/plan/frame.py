"""Room before the first word and after the last: the lead-in and lead-out every track gets.

A track should not speak at its first sample, nor stop as its last word ends: the
bed (or the start bell's first second) comes first, and after the last word there is
room for the listener, and for an end bell to ring out fully. :func:`frame` gives the
script a fixed pause before its first sound and at least ``lead_out_s`` of pause
after its last, so the planner fits the length with them in place and every
track stays exactly as long as asked.
"""

from __future__ import annotations

from dataclasses import replace

from ..script.model import PacingChange, Pause, Script, Section, SourcePos

#: Pause before the first sound (s): the bed rises under it.
LEAD_IN_S = 2.0
#: The least pause after the last sound (s), without an end bell.
LEAD_OUT_S = 2.5


def frame(script: Script, lead_in_s: float = LEAD_IN_S, lead_out_s: float = LEAD_OUT_S) -> Script:
    """``script`` with a ``lead_in_s`` pause before its first sound and at least ``lead_out_s`` after its last.

    The lead-in goes after the opening headings and pacing marks (so the first chapter
    still starts at 0). A script that ends on a pause outside any optional passage
    gets that pause lengthened to ``lead_out_s`` if it is shorter; otherwise a fixed
    ``lead_out_s`` pause is added at the end.
    """
    items = list(script.items)
    where = SourcePos(script.path, 1, 1)
    if lead_in_s > 0:
        first = next((k for k, item in enumerate(items) if not isinstance(item, (Section, PacingChange))), len(items))
        items.insert(first, Pause(lead_in_s, lead_in_s, where))
    if lead_out_s > 0:
        last = items[-1] if items else None
        if isinstance(last, Pause) and last.passage is None and not last.prompts:
            if last.min_s < lead_out_s:
                items[-1] = replace(
                    last,
                    min_s=lead_out_s,
                    max_s=max(last.max_s, lead_out_s),
                    preferred_s=None if last.preferred_s is None else max(last.preferred_s, lead_out_s),
                )
        else:
            items.append(Pause(lead_out_s, lead_out_s, where))
    return replace(script, items=tuple(items))
