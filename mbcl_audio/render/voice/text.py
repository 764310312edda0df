"""Script text made safe to speak: what an engine would read aloud or stumble over is removed.

espeak-ng reads ``*``, ``_``, ``#`` and ``|`` as words ("asterisk"), and both
engines treat typographic quotes and dashes unevenly across languages. Every
engine gets the same normalized text, so a script can use the typography a
translator likes.
"""

from __future__ import annotations

import re
import unicodedata

#: Quotation marks are not spoken; an apostrophe inside a word (it’s, ’s) is kept as '.
_QUOTES = "\"“”„‟«»‹›‘‚‛"
_APOSTROPHE_IN_WORD = re.compile(r"(?<=\w)[’'](?=\w)")
#: A dash between words is a short pause.
_SPACED_DASH = re.compile(r"\s+[–—-]\s+")
#: Characters that engines would spell out.
_SPELLED = re.compile(r"[*_#~`|\\^<>{}\[\]]")


def normalize_for_speech(text: str) -> str:
    """The text an engine is given for ``text``: NFC, no quotes or markup, dashes as commas."""
    text = unicodedata.normalize("NFC", text)
    text = _APOSTROPHE_IN_WORD.sub("'", text)
    text = text.translate({ord(c): " " for c in _QUOTES + "’"})
    text = _SPACED_DASH.sub(", ", text)
    text = _SPELLED.sub(" ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    return re.sub(r"\s+", " ", text).strip()
