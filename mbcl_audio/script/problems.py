"""Where the parser's problems go: raised at once, or collected for a report of them all."""

from __future__ import annotations

from mbcl_audio.script.model import ScriptError, SourcePos

__all__ = ["Problems"]


class Problems:
    """Where problems go: raised at once (``strict``) or collected in :attr:`found`."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self.found: list[ScriptError] = []
        self._seen: set[tuple[SourcePos, str]] = set()

    def report(self, err: ScriptError) -> None:
        """Raise ``err`` (strict), or keep it unless the same problem was already kept."""
        if self.strict:
            raise err
        key = (err.pos, err.message)
        if key not in self._seen:  # a block included twice repeats its problems
            self._seen.add(key)
            self.found.append(err)
