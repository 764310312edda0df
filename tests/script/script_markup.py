"""Helpers shared by the script tests: a minimal front matter and positions in a test script."""

from __future__ import annotations

import pytest

from mbcl_audio.script import Pause, ScriptError, SourcePos, parse_text

PATH = "t.txt"
# Minimal valid front matter; the body starts on line 7.
HEAD = '+++\ntrack = 1\ntitle = "T"\nlanguage = "en"\nlength = "5m"\n+++\n'


def at(line: int, col: int, path: str = PATH) -> SourcePos:
    return SourcePos(path, line, col)


def body(text: str):
    """Items of a script made of HEAD plus ``text``."""
    return list(parse_text(HEAD + text, PATH).items)


def error(text: str) -> ScriptError:
    with pytest.raises(ScriptError) as info:
        parse_text(text, PATH)
    return info.value


def body_error(text: str) -> ScriptError:
    return error(HEAD + text)


def para(line: int, col: int = 1, passage=None, path: str = PATH) -> Pause:
    """The implicit paragraph pause (default 1.5 s)."""
    return Pause(1.5, 1.5, at(line, col, path), passage=passage, implicit=True)


def ell(line: int, col: int) -> Pause:
    """The ellipsis pause (default 1 s)."""
    return Pause(1.0, 1.0, at(line, col), implicit=True)
