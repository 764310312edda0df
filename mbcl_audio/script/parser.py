"""Read an exercise script (format version 1.1) into a :class:`~mbcl_audio.script.model.Script`.

A script is a UTF-8 text file: a TOML front matter block between two ``+++``
lines, then the spoken text with ``# Section`` headings, ``// comments``,
``> prompt`` lines and directives in square brackets (``[pause ...]``,
``[silence ...]``, ``[breathe N]``, ``[breath-locked ...]``, ``[on-beat]``,
``[pacing ...]``, ``[optional N name]`` / ``[end optional]``,
``[include NAME]``). ``docs/script-format.md`` is the reference for people who
write scripts; the implementation is in parts: :mod:`.lines` (decoding, lines
and positions), :mod:`.frontmatter` (the settings), :mod:`.directives` (one
parser per directive) and :mod:`.reader` (the body).

Every problem is a :class:`ScriptError` located at a 1-based line and column
(columns count characters, not bytes), so editors and CI logs can jump there.
:func:`parse_script` / :func:`parse_text` raise the first one;
:func:`collect_problems` lists them all, recovering at the next line after
each problem in the body.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from mbcl_audio.script.frontmatter import find_front_matter, parse_front_matter
from mbcl_audio.script.lines import decode, split_lines
from mbcl_audio.script.model import BreathPhrase, Item, Pause, Script, ScriptError, Speech
from mbcl_audio.script.problems import Problems
from mbcl_audio.script.reader import Reader

__all__ = ["collect_problems", "parse_script", "parse_text", "find_scripts"]


def parse_script(path: str | Path) -> Script:
    """Read and parse the script file at ``path`` (must be UTF-8); raise the first problem."""
    data = Path(path).read_bytes()
    return parse_text(decode(data, str(path)), str(path))


def parse_text(text: str, path: str = "<string>") -> Script:
    """Parse script ``text``; raise the first problem as a :class:`ScriptError`.

    ``path`` is used in positions and error messages, and ``[include NAME]``
    reads ``Path(path).parent / "_blocks" / "NAME.txt"``.
    """
    script = _parse(text, path, Problems(strict=True))
    assert script is not None  # strict mode raises instead of returning None
    return script


def collect_problems(path: str | Path) -> list[ScriptError]:
    """Every problem of the script file at ``path``, in reading order; ``[]`` for a good script.

    Unlike :func:`parse_script` this does not stop at the first problem: all
    front matter settings are checked, and the body reading continues at the
    next line after each problem. Problems inside included blocks carry the
    block file's position. (A missing file raises :class:`OSError`.)
    """
    problems = Problems(strict=False)
    data = Path(path).read_bytes()
    try:
        _parse(decode(data, str(path)), str(path), problems)
    except ScriptError as err:  # nothing more can be read: not UTF-8, or no front matter
        problems.report(err)
    return problems.found


def _parse(text: str, path: str, problems: Problems) -> Optional[Script]:
    """Parse into a Script, sending problems to ``problems``; None when there were any."""
    lines = split_lines(text, path)
    fence = find_front_matter(lines, path)
    front, values = parse_front_matter(lines, fence, problems)
    before = len(problems.found)
    reader = Reader(
        problems=problems,
        blocks_dir=Path(path).parent / "_blocks",
        paragraph_pause_s=values.get("paragraph_pause_s", 1.5),
        ellipsis_pause_s=values.get("ellipsis_pause_s", 1.0),
    )
    items = reader.read(lines[fence.close.number :])
    if not _has_speech(items) and len(problems.found) == before:
        problems.report(
            ScriptError(
                fence.close.pos(0),
                "the script has no speech: write at least one line of text after the front matter",
            )
        )
    if front is None or problems.found:
        return None
    return Script(path=Path(path), front=front, items=tuple(items), passages=tuple(reader.passages.found))


def _has_speech(items: list[Item]) -> bool:
    return any(
        isinstance(i, (Speech, BreathPhrase)) or (isinstance(i, Pause) and i.prompts) for i in items
    )


def track_scripts(folder: Path, track: int) -> list[Path]:
    """The scripts for ``track`` in one language folder: ``NN-*.txt``, sorted (there should be exactly one)."""
    return sorted(Path(folder).glob(f"{track:02d}-*.txt"))


def find_scripts(scripts_dir: Path, language: str, track: int) -> Path:
    """Find the one script ``<scripts_dir>/<language>/NN-*.txt`` for ``track`` (NN: the track number in two digits, one of :data:`mbcl_audio.vocab.TRACK_NUMBERS`).

    Raises :class:`FileNotFoundError` saying which folder and pattern were
    searched and what is there, when there is no match or more than one.
    """
    folder = Path(scripts_dir) / language
    pattern = f"{track:02d}-*.txt"
    if not folder.is_dir():
        present = sorted(p.name for p in Path(scripts_dir).glob("*") if p.is_dir())
        raise FileNotFoundError(
            f"no script folder for language {language!r}: {folder} does not exist "
            f"(language folders present: {', '.join(present) or 'none'})"
        )
    matches = track_scripts(folder, track)
    if len(matches) == 1:
        return matches[0]
    if not matches:
        present = sorted(p.name for p in folder.glob("*.txt"))
        raise FileNotFoundError(
            f"no script for track {track} in {folder}: expected one file matching {pattern} "
            f"(scripts present: {', '.join(present) or 'none'})"
        )
    raise FileNotFoundError(
        f"several scripts for track {track} in {folder} match {pattern}: "
        f"{', '.join(p.name for p in matches)}; keep exactly one"
    )
