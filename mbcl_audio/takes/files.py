"""Where takes live, how they are found, and the manifest of the texts they were recorded for.

Layout::

    voices/<voice-id>/takes/<lang>/<track, 2 digits>/<utterance-id>.<wav|flac|mp3|ogg>
    voices/<voice-id>/takes/<lang>/<track, 2 digits>/takes.json

Take files may have any sample rate, bit depth and channel count.

The manifest (``takes.json``) remembers, per utterance ID, the text a take was
recorded for, so that an edited script shows up as *stale* takes::

    {
      "format": 1,
      "language": "en", "track": 1,
      "takes": {
        "01-001": {"sheet_text": "...", "text": "...", "sha256": "..."},
        ...
      }
    }

* ``sheet_text``: the text on the most recent recording sheet.
* ``text`` / ``sha256``: the text the take file with that content hash was
  confirmed to be recorded for (absent until a sheet run saw the file).

The text a take was recorded for is ``text`` while the file still has the hash
``sha256``; otherwise (a new or replaced file) it is ``sheet_text``: the
narrator recorded it from the latest sheet. So the cycle "edit the script ->
``takes status`` says stale -> print a new sheet -> re-record" clears the
staleness without any extra bookkeeping, and merely printing a new sheet never
hides a stale take.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Optional

from ..atomic import write_atomic
from ..errors import VoiceError
from ..script.model import Script
from .ids import is_utterance_id, utterance_entries

__all__ = [
    "MANIFEST_NAME",
    "TAKE_EXTENSIONS",
    "find_takes",
    "file_sha256",
    "read_manifest",
    "record_texts",
    "recorded_text",
    "takes_folder",
]

#: File name endings (lower case, without the dot) recognised as takes.
TAKE_EXTENSIONS = ("wav", "flac", "mp3", "ogg")
MANIFEST_NAME = "takes.json"
MANIFEST_FORMAT = 1


def takes_folder(voice_dir: str | Path, language: str, track: int) -> Path:
    """``<voice_dir>/takes/<language>/<track:02d>``: the folder of one track's takes."""
    return Path(voice_dir) / "takes" / language / f"{int(track):02d}"


def find_takes(folder: str | Path) -> dict[str, Path]:
    """Every take file in ``folder``, by its name without extension.

    Files whose extension is one of :data:`TAKE_EXTENSIONS` (any case) count;
    hidden files (``.name``, e.g. macOS ``._`` files) and other files are
    ignored. The keys are usually utterance IDs; names that are not (e.g.
    ``session.wav``) are returned as well so that status can report them as
    extra. A missing folder has no takes.

    Raises:
        VoiceError: if two files have the same name without extension
            (``01-002.wav`` and ``01-002.flac``); the message names both.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.name.startswith(".") or not path.is_file():
            continue
        stem, dot, ext = path.name.rpartition(".")
        if not dot or ext.lower() not in TAKE_EXTENSIONS:
            continue
        if stem in found:
            raise VoiceError(
                f"two takes for utterance {stem}: {found[stem]} and {path}; "
                "keep one of them (move the other out of the folder)"
            )
        found[stem] = path
    return found


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(folder: str | Path) -> dict[str, dict]:
    """The ``takes`` table of ``folder/takes.json``; empty when there is no manifest.

    Raises:
        VoiceError: if the manifest exists but is not a valid manifest.
    """
    path = Path(folder) / MANIFEST_NAME
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise VoiceError(f"{path}: cannot read the takes manifest: {exc}") from exc
    takes = data.get("takes") if isinstance(data, dict) else None
    if not isinstance(takes, dict) or not all(isinstance(v, dict) for v in takes.values()):
        raise VoiceError(
            f"{path}: not a takes manifest (expected {{\"takes\": {{\"01-001\": {{...}}}}}}); "
            "delete it and run 'takes sheet' again to rebuild it"
        )
    return takes


def recorded_text(entry: Optional[dict], take: Optional[Path], sha256: Optional[str] = None) -> Optional[str]:
    """The text the take file ``take`` was recorded for, by the manifest ``entry``; None if unknown.

    ``sha256`` is the file's hash when already computed (it is computed here
    otherwise, only when needed).
    """
    if not entry:
        return None
    confirmed = entry.get("text")
    if confirmed is not None and take is not None and entry.get("sha256"):
        if (sha256 or file_sha256(take)) == entry["sha256"]:
            return confirmed
    return entry.get("sheet_text", confirmed)


def record_texts(script: Script, folder: str | Path, recorded_now: Iterable[str] = ()) -> Path:
    """Write or update ``folder/takes.json`` with the script's current texts (the 'takes sheet' step).

    For each utterance: the current text becomes ``sheet_text``; an existing
    take file gets its recorded text (see :func:`recorded_text`) confirmed
    against its content hash. A take without any manifest entry is assumed to
    have been recorded for the current text, and so is the take of every ID
    in ``recorded_now`` whatever its old entry says (``takes split`` just
    cut it from a session read from the current script). Entries of IDs that are no longer
    in the script are kept (their files are *extra* in status), so nothing is
    forgotten by re-running the sheet on an older script.

    Returns:
        The manifest path. Written atomically (temporary file, then rename).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    takes = read_manifest(folder)
    files = find_takes(folder)
    fresh = set(recorded_now)
    for entry in utterance_entries(script):
        old = None if entry.id in fresh else takes.get(entry.id)
        new: dict = {"sheet_text": entry.text}
        take = files.get(entry.id)
        if take is not None:
            sha = file_sha256(take)
            text = recorded_text(old, take, sha)
            new["text"] = entry.text if text is None else text
            new["sha256"] = sha
        takes[entry.id] = new
    data = {
        "format": MANIFEST_FORMAT,
        "language": script.front.language,
        "track": script.front.track,
        "script": str(script.path),
        "takes": {key: takes[key] for key in sorted(takes, key=lambda k: (not is_utterance_id(k), k))},
    }
    path = folder / MANIFEST_NAME
    return write_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")
