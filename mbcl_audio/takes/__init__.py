"""Recorded takes: a human narrator's recordings stand in for synthesized speech.

* :mod:`~mbcl_audio.takes.ids`: the stable ``SS-NNN`` ID of every utterance.
* :mod:`~mbcl_audio.takes.files`: where takes live, finding them, the
  ``takes.json`` manifest of the texts they were recorded for.
* :mod:`~mbcl_audio.takes.recording`: reading a recording (a take or a
  whole session) as DC-free mono.
* :mod:`~mbcl_audio.takes.status`, :mod:`~mbcl_audio.takes.sheet`,
  :mod:`~mbcl_audio.takes.split`: the ``takes status``, ``takes sheet`` and
  ``takes split`` producer commands as functions.

The takes as a voice of the build (cleaned, loudness-matched clips, a TTS
voice for missing takes) are :mod:`mbcl_audio.render.voice.takes`: this
package is the narrator's workflow and renders nothing.
"""

from .files import MANIFEST_NAME, TAKE_EXTENSIONS, find_takes, read_manifest, record_texts, takes_folder
from .ids import UtteranceEntry, utterance_entries, utterance_ids
from .sheet import SheetFiles, write_sheet
from .split import SplitReport, split_session
from .status import MissingTake, StaleTake, TakesStatus, takes_status

__all__ = [
    "MANIFEST_NAME",
    "TAKE_EXTENSIONS",
    "MissingTake",
    "SheetFiles",
    "SplitReport",
    "StaleTake",
    "TakesStatus",
    "UtteranceEntry",
    "find_takes",
    "read_manifest",
    "record_texts",
    "split_session",
    "takes_folder",
    "takes_status",
    "utterance_entries",
    "utterance_ids",
    "write_sheet",
]
