"""On-disk cache of synthesized utterances, keyed by voice identity and text.

A set rebuild re-renders mostly unchanged text; neural synthesis costs about
1 s per sentence on 2 cores, so caching makes warm builds cost only mixing
and encoding. Entries are ``<sha256>.npy`` files (float32 mono at the
backend's native rate), written atomically so that concurrent builds or an
interrupted one never leave a half-written entry under a valid name.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path

import numpy as np
import platformdirs

from .base import VoiceBackend, VoiceError

#: Bump when the stored format or what it means changes; old entries then
#: simply stop matching (they are never read as the new format).
CACHE_FORMAT_VERSION = 2

#: Environment variable that overrides the default cache directory.
CACHE_ENV = "MBCL_AUDIO_CACHE"

_TMP_PREFIX = ".tmp-"


def default_cache_dir() -> Path:
    """``$MBCL_AUDIO_CACHE`` if set, else ``<user cache dir>/mbcl-audio/speech``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir("mbcl-audio")) / "speech"


def cache_key(backend: VoiceBackend, text: str) -> str:
    """Hex sha256 over the format version, the backend's identity and rate, and the text."""
    material = json.dumps(
        {
            "format": CACHE_FORMAT_VERSION,
            "identity": backend.identity(),
            "sample_rate": int(backend.sample_rate),
            "text": text,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


class SpeechCache:
    """Synthesize through an on-disk cache.

    Args:
        directory: Where entries live; created on first write. ``None`` means
            :func:`default_cache_dir`.

    Attributes:
        hits: Number of :meth:`synthesize` calls answered from disk.
        misses: Number of calls that ran the backend.
    """

    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory).expanduser() if directory is not None else default_cache_dir()
        self.hits = 0
        self.misses = 0
        self._counter_lock = threading.Lock()

    def path_for(self, backend: VoiceBackend, text: str) -> Path:
        """The entry file for ``text`` spoken by ``backend`` (may not exist)."""
        return self.directory / f"{cache_key(backend, text)}.npy"

    def synthesize(self, backend: VoiceBackend, text: str) -> np.ndarray:
        """``backend.synthesize(text)``, from the cache when possible.

        Returns:
            float32 mono samples, shape ``(n,)``, at ``backend.sample_rate``.

        A missing, unreadable or malformed entry counts as a miss and is
        overwritten. Empty results are returned but not stored, so a
        transient engine failure is not remembered.
        """
        path = self.path_for(backend, text)
        cached = _load(path)
        if cached is not None:
            with self._counter_lock:
                self.hits += 1
            return cached
        with self._counter_lock:
            self.misses += 1
        audio = np.asarray(backend.synthesize(text), dtype=np.float32)
        if audio.ndim != 1:
            raise VoiceError(
                f"voice {backend.name!r} returned audio of shape {audio.shape}, expected mono (n,)"
            )
        if not np.all(np.isfinite(audio)):
            raise VoiceError(f"voice {backend.name!r} returned non-finite samples for {text[:60]!r}")
        if audio.size:
            self._store(path, audio)
        return audio

    def _store(self, path: Path, audio: np.ndarray) -> None:
        """Write ``audio`` to ``path`` atomically: temp file in the same directory, then rename."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".npy", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                np.save(f, audio, allow_pickle=False)
                f.flush()
                os.fsync(f.fileno())  # the rename must not outrun the data after a crash
            os.replace(tmp_name, path)  # atomic within one filesystem
        except BaseException:
            try:
                os.unlink(tmp_name)
            except FileNotFoundError:
                pass
            raise


def _load(path: Path) -> np.ndarray | None:
    """A valid entry's samples, or ``None`` if absent or corrupt."""
    try:
        audio = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError):
        return None  # truncated or garbage: treat as a miss and overwrite
    if (
        not isinstance(audio, np.ndarray)
        or audio.dtype != np.float32
        or audio.ndim != 1
        or audio.size == 0
        or not np.all(np.isfinite(audio))
    ):
        return None
    return audio
