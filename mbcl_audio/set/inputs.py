"""What a track depends on, as one hash: the key of the set's build record.

A track is rebuilt when anything that can change its file changes: the project version, the
script and every block it includes, the track catalogue (its default length), the voice's
profile folder (with a takes voice: its recordings, and its fallback's), a user bed file, the
project's ``mbcl-audio.toml`` (loudness profiles), the build options and the MP3 encoder (ffmpeg's
and libsndfile's LAME write other bytes). A comment edited in a
block rebuilds the tracks that include it; the speech cache keeps that rebuild cheap.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable, Optional

from .. import __version__
from ..export.mp3 import mp3_encoder
from ..catalog import CATALOG_FILE
from ..master.profiles import PROJECT_CONFIG
from ..prepare import BuildOptions
from ..render.bed.user import find_bed_file
from ..render.voice.profiles import profile_for
from ..script import Script
from ..takes.files import file_sha256

__all__ = ["input_hash", "input_files"]

#: Options that name folders: what is in them counts (through the files hashed), not where they are.
_FOLDER_OPTIONS = {"music_dir", "project_dir", "voices_dir"}


def _voice_folders(name: str, voices_dir: Path) -> list[Path]:
    """The profile folder of a voice and of its fallback chain (built-in voices have none)."""
    folders: list[Path] = []
    seen: set[str] = set()
    current: Optional[str] = name
    while current and current not in seen:
        seen.add(current)
        profile = profile_for(current, voices_dir)
        if profile is None:
            break
        if profile.folder is not None:
            folders.append(profile.folder)
        current = profile.fallback
    return folders


def input_files(script: Script, options: BuildOptions, scripts_dir: Path) -> list[Path]:
    """Every file the track of ``script`` is made from, sorted: the script, its blocks, the catalogue,
    the voice profile folders, a user bed and the project file."""
    files = {Path(script.path)}
    for item in script.items:
        files.add(Path(item.pos.path))
        files.update(Path(p.pos.path) for p in getattr(item, "prompts", ()))
    files.add(Path(scripts_dir) / CATALOG_FILE)
    for folder in _voice_folders(options.voice or script.front.voice, options.voices_dir):
        files.update(p for p in folder.rglob("*") if p.is_file())
    bed = options.bed if options.bed is not None else script.front.bed
    bed_file = find_bed_file(bed, options.music_dir) if bed != "none" else None
    if bed_file is not None:
        files.add(bed_file)
    files.add(Path(options.project_dir) / PROJECT_CONFIG)
    return sorted(f for f in files if f.is_file())


def _options_json(options: BuildOptions) -> str:
    values = {k: v for k, v in asdict(options).items() if k not in _FOLDER_OPTIONS}
    return json.dumps(values, sort_keys=True, default=str)


def _hash_files(digest: Any, files: Iterable[Path], root: Path) -> None:
    for path in files:
        try:  # names relative to the project, so a moved checkout keeps its record
            name = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            name = path.resolve().as_posix()
        digest.update(name.encode() + b"\0")
        digest.update(bytes.fromhex(file_sha256(path)))


def input_hash(script: Script, options: BuildOptions, scripts_dir: Path) -> str:
    """The sha256 (hex) of everything the track built from ``script`` (as
    :func:`~mbcl_audio.prepare.read_script` reads it) with ``options`` depends on."""
    digest = hashlib.sha256()
    digest.update(f"mbcl-audio {__version__}\0".encode())
    digest.update(f"mp3 encoder {mp3_encoder()}\0".encode())
    digest.update(_options_json(options).encode() + b"\0")
    _hash_files(digest, input_files(script, options, scripts_dir), Path(options.project_dir))
    return digest.hexdigest()
