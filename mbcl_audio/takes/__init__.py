"""Recorded takes: a human narrator's recordings stand in for synthesized speech.

* :mod:`~mbcl_audio.takes.ids`: the stable ``SS-NNN`` ID of every utterance.
* :mod:`~mbcl_audio.takes.files`: where takes live, finding them, the
  ``takes.json`` manifest of the texts they were recorded for.
* :mod:`~mbcl_audio.takes.stitch`: reading, cleaning and loudness-matching
  takes into clips for the mix (:func:`prepare_takes`), with a fallback voice.
* :mod:`~mbcl_audio.takes.status`, :mod:`~mbcl_audio.takes.sheet`,
  :mod:`~mbcl_audio.takes.split`: the ``takes status``, ``takes sheet`` and
  ``takes split`` producer commands as functions.
"""

from .files import MANIFEST_NAME, TAKE_EXTENSIONS, find_takes, read_manifest, record_texts, takes_folder
from .ids import UtteranceEntry, utterance_entries, utterance_ids
from .sheet import SheetFiles, write_sheet
from .split import SplitReport, split_session
from .status import MissingTake, StaleTake, TakesStatus, takes_status
from .stitch import Fallback, TakesReport, load_take, prepare_takes, tts_fallback

__all__ = [
    "MANIFEST_NAME",
    "TAKE_EXTENSIONS",
    "Fallback",
    "MissingTake",
    "SheetFiles",
    "SplitReport",
    "StaleTake",
    "TakesReport",
    "TakesStatus",
    "UtteranceEntry",
    "find_takes",
    "load_take",
    "prepare_takes",
    "read_manifest",
    "record_texts",
    "split_session",
    "takes_folder",
    "takes_status",
    "tts_fallback",
    "utterance_entries",
    "utterance_ids",
    "write_sheet",
]
