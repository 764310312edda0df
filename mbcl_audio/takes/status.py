"""``takes status``: which takes of a track are missing, extra or stale."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..script.model import Script
from .files import find_takes, read_manifest, recorded_text
from .ids import utterance_entries

__all__ = ["MissingTake", "StaleTake", "TakesStatus", "takes_status", "same_text"]


def same_text(a: str, b: str) -> bool:
    """Texts are the same up to runs of whitespace (line breaks in a script are not edits)."""
    return " ".join(a.split()) == " ".join(b.split())


@dataclass(frozen=True)
class MissingTake:
    id: str
    text: str


@dataclass(frozen=True)
class StaleTake:
    """A take recorded for a text the script no longer has."""

    id: str
    path: Path
    recorded_text: str
    script_text: str


@dataclass
class TakesStatus:
    """The state of one track's takes folder against its script.

    Attributes:
        folder: The takes folder.
        missing: Utterances without a take, in script order.
        extra: Take files whose name is not an utterance ID of the script.
        stale: Takes recorded for a different text than the script's.
        unverified: IDs of takes with no manifest entry: what they were
            recorded for is unknown (run ``takes sheet`` to record it).
        present: Number of utterances that have a take.
    """

    folder: Path
    missing: list[MissingTake] = field(default_factory=list)
    extra: list[Path] = field(default_factory=list)
    stale: list[StaleTake] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)
    present: int = 0

    @property
    def ok(self) -> bool:
        """No missing, extra or stale takes."""
        return not (self.missing or self.extra or self.stale)

    def lines(self) -> list[str]:
        """A human-readable report, one line per finding."""
        total = self.present + len(self.missing)
        out = [f"{self.folder}: {self.present} of {total} takes present"]
        out += [f"missing {m.id}: {m.text!r}" for m in self.missing]
        out += [
            f"stale   {s.id}: recorded for {s.recorded_text!r}, script now says {s.script_text!r}"
            for s in self.stale
        ]
        out += [f"extra   {p.name}: no utterance with this ID in the script" for p in self.extra]
        out += [f"unverified {i}: no record of the text it was recorded for" for i in self.unverified]
        return out


def takes_status(script: Script, folder: str | Path) -> TakesStatus:
    """Compare the takes in ``folder`` with the utterances of ``script``.

    Raises:
        VoiceError: for two files with the same ID or an unreadable manifest.
    """
    folder = Path(folder)
    files = find_takes(folder)
    manifest = read_manifest(folder)
    status = TakesStatus(folder=folder)
    ids = set()
    for entry in utterance_entries(script):
        ids.add(entry.id)
        take = files.get(entry.id)
        if take is None:
            status.missing.append(MissingTake(entry.id, entry.text))
            continue
        status.present += 1
        text = recorded_text(manifest.get(entry.id), take)
        if text is None:
            status.unverified.append(entry.id)
        elif not same_text(text, entry.text):
            status.stale.append(StaleTake(entry.id, take, text, entry.text))
    status.extra = [path for key, path in sorted(files.items()) if key not in ids]
    return status
