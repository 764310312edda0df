"""``[on-beat] text``: the utterance it starts begins on the next onset of the pacing grid."""

from __future__ import annotations

from dataclasses import dataclass

from mbcl_audio.script.directives.base import Directive, no_arguments
from mbcl_audio.script.model import SourcePos

__all__ = ["OnBeat", "parse_on_beat"]


@dataclass(frozen=True)
class OnBeat:
    """An ``[on-beat]`` marker; the reader checks that it starts a paragraph and marks the text after it."""

    pos: SourcePos


def parse_on_beat(directive: Directive) -> OnBeat:
    """``[on-beat]`` takes no arguments."""
    no_arguments(directive, "[on-beat] Stand still.")
    return OnBeat(directive.pos)
