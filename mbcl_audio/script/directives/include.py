"""``[include NAME]``: read ``_blocks/NAME.txt`` next to the script in place of the directive."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from mbcl_audio.script.directives.base import Directive
from mbcl_audio.script.frontmatter import FENCE
from mbcl_audio.script.lines import Line, decode, split_lines
from mbcl_audio.script.model import ScriptError, SourcePos

__all__ = ["BlockRef", "parse_include", "read_block"]

_BLOCK_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*")
_EXAMPLE = "e.g. [include opening] reads _blocks/opening.txt next to the script"


@dataclass(frozen=True)
class BlockRef:
    """The block an ``[include ...]`` names, as written, and where the name stands."""

    name: str
    pos: SourcePos


def parse_include(directive: Directive) -> BlockRef:
    """``[include NAME]``: exactly one word."""
    tokens = directive.args.split()
    if len(tokens) != 1:
        raise ScriptError(directive.pos, f"include needs exactly one block name, {_EXAMPLE}")
    return BlockRef(tokens[0], directive.line.token_pos(directive.args_start))


def read_block(
    ref: BlockRef, blocks_dir: Path, include_stack: list[str], cache: Optional[dict[str, list[Line]]] = None
) -> list[Line]:
    """The lines of the block ``ref`` names, found in ``blocks_dir``.

    ``include_stack`` lists the blocks being read, outermost first, so that a
    block that includes itself (directly or through others) is reported.
    ``cache`` (name -> lines) makes a block included many times be read from disk once.
    """
    name, where = ref.name, ref.pos
    if "/" in name or "\\" in name or ".." in name:
        raise ScriptError(
            where,
            f"block names cannot contain '/', '\\' or '..': blocks are files in {blocks_dir}, {_EXAMPLE}",
        )
    if name.endswith(".txt"):
        raise ScriptError(where, f"write the block name without '.txt': [include {name[:-4]}]")
    if not _BLOCK_NAME.fullmatch(name):
        raise ScriptError(
            where,
            "block names are lowercase letters, digits, '-' and '_', starting with a letter or digit, "
            f"{_EXAMPLE}; got {name!r}",
        )
    if name in include_stack:
        chain = " -> ".join(include_stack + [name])
        raise ScriptError(where, f"include cycle: {chain}; a block cannot include itself, directly or through others")
    if cache is not None and name in cache:
        return cache[name]
    block = blocks_dir / f"{name}.txt"
    if not block.is_file():
        present = sorted(p.stem for p in blocks_dir.glob("*.txt")) if blocks_dir.is_dir() else []
        raise ScriptError(
            where,
            f"no block {name!r}: looked for {block} "
            f"(blocks present: {', '.join(present) or 'none'})",
        )
    if not block.resolve().is_relative_to(blocks_dir.resolve()):
        raise ScriptError(where, f"block {name!r} ({block}) links to a file outside {blocks_dir}")
    block_path = str(block)
    lines = split_lines(decode(block.read_bytes(), block_path), block_path)
    if lines[0].text.strip() == FENCE:
        raise ScriptError(
            lines[0].pos(0),
            f"block {name!r} starts with '+++': blocks have no front matter (the including script's "
            "settings apply); remove the '+++' lines and the settings between them",
        )
    if cache is not None:
        cache[name] = lines
    return lines
