"""The optional passages of a script as it is read: the ones found, and the one that is open."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from mbcl_audio.script.directives import OptionalSpec
from mbcl_audio.script.model import Passage, ScriptError, SourcePos

__all__ = ["OpenPassage", "Passages"]


@dataclass(frozen=True)
class OpenPassage:
    """An ``[optional ...]`` whose ``[end optional]`` has not been read yet."""

    index: int  # into the script's passages
    pos: SourcePos  # of its [optional ...]
    depth: int  # include depth of the file it opened in: it must close in that file
    first_item: int  # how many items were read before it: none more means it is empty


@dataclass
class Passages:
    """Every passage found so far, in reading order, and the open one."""

    found: list[Passage] = field(default_factory=list)
    open: Optional[OpenPassage] = None
    #: Where each name was given first, so that a name is not given twice.
    _names: dict[str, SourcePos] = field(default_factory=dict)
    #: How often each ``[optional ...]`` was read (a block may be included more than once).
    _reads: dict[SourcePos, int] = field(default_factory=dict)

    @property
    def current(self) -> Optional[int]:
        """The index of the open passage, which items read now belong to."""
        return self.open.index if self.open is not None else None

    def name(self, spec: OptionalSpec) -> str:
        """The name of the passage ``spec`` opens, checking that none is open and the name is free."""
        directive = spec.directive
        if self.open is not None:
            raise ScriptError(
                directive.pos,
                f"optional passages cannot be nested: close the passage opened at {self.open.pos} "
                "with [end optional] first",
            )
        line = directive.line
        name = spec.name or f"optional {spec.priority} ({Path(line.path).name}:{line.number})"
        seen = self._names.get(name)
        if seen is not None and seen != directive.pos:
            raise ScriptError(
                line.pos(spec.words[0][1]),
                f"another optional passage is already named {name!r} (at {seen}): give each passage its own name",
            )
        # The same directive read again (a block included twice) gets a numbered name.
        repeat = self._reads[directive.pos] = self._reads.get(directive.pos, 0) + 1
        self._names[name] = directive.pos
        return name if repeat == 1 else f"{name} ({repeat})"

    def begin(self, spec: OptionalSpec, name: str, depth: int, first_item: int) -> None:
        """Open the passage ``spec`` starts, named ``name`` (see :meth:`name`)."""
        pos = spec.directive.pos
        self.open = OpenPassage(len(self.found), pos, depth, first_item)
        self.found.append(Passage(spec.priority, name, pos))
