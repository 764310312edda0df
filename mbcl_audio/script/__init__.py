"""Exercise scripts: the text format trainers write, parsed into a :class:`Script`.

See ``docs/script-format.md`` for the format and :mod:`.parser` for the rules.
"""

from mbcl_audio.script.model import (
    Breathe,
    BreathPhrase,
    FrontMatter,
    Item,
    PacingChange,
    Passage,
    Pause,
    Script,
    ScriptError,
    Section,
    SourcePos,
    Speech,
)
from mbcl_audio.script.parser import collect_problems, find_scripts, parse_script, parse_text, track_scripts

__all__ = [
    "BreathPhrase",
    "Breathe",
    "FrontMatter",
    "Item",
    "PacingChange",
    "Passage",
    "Pause",
    "Script",
    "ScriptError",
    "Section",
    "SourcePos",
    "Speech",
    "collect_problems",
    "find_scripts",
    "parse_script",
    "parse_text",
    "track_scripts",
]
