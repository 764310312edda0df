"""Script text as numbered lines that make their own positions.

Every problem the parser reports is located at a 1-based line and column
(columns count characters, not bytes). A :class:`Line` knows its file and
number, so a position is ``line.pos(index)`` of a 0-based character index.
"""

from __future__ import annotations

from dataclasses import dataclass

from mbcl_audio.script.model import ScriptError, SourcePos

__all__ = ["Line", "decode", "split_lines"]


@dataclass(frozen=True)
class Line:
    """One line of a script or block file, without its line ending."""

    path: str
    number: int  # 1-based
    text: str

    def pos(self, index: int) -> SourcePos:
        """The position of the character at 0-based ``index`` of this line."""
        return SourcePos(self.path, self.number, index + 1)

    def token_pos(self, start: int) -> SourcePos:
        """The position of the first non-blank character at or after 0-based ``start``."""
        rest = self.text[start:]
        return self.pos(start + len(rest) - len(rest.lstrip()))


def split_lines(text: str, path: str) -> list[Line]:
    """The lines of ``text`` (one at least), numbered as every editor numbers them."""
    if text.startswith("\ufeff"):
        # Windows Notepad writes a byte-order mark; it is not part of line 1.
        text = text[1:]
    # Normalise line endings so line numbers match what every editor shows.
    texts = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(texts) > 1 and texts[-1] == "":
        texts.pop()  # the newline ending the last line does not start another (empty) line
    return [Line(path, number, line) for number, line in enumerate(texts, start=1)]


def decode(data: bytes, path: str) -> str:
    """Decode UTF-8, locating the first bad byte by line and character column."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line_start = data.rfind(b"\n", 0, err.start) + 1
        line = data.count(b"\n", 0, err.start) + 1
        # Everything before the first bad byte decodes, so this counts characters.
        before = data[line_start : err.start].decode("utf-8")
        if line == 1 and before.startswith("\ufeff"):
            before = before[1:]
        raise ScriptError(
            SourcePos(path, line, len(before) + 1),
            f"the file is not valid UTF-8 (byte 0x{data[err.start]:02x}): "
            "save it as UTF-8 in your editor (e.g. 'Save as' > Encoding: UTF-8)",
        ) from None
