"""On-disk cache of synthesized utterances, keyed by voice identity and text.

A set rebuild re-renders mostly unchanged text; neural synthesis costs about
1 s per sentence on 2 cores, so caching makes warm builds cost only mixing
and encoding. Entries are ``<sha256>.npy`` files (float32 mono at the
backend's native rate), written atomically so that concurrent builds or an
interrupted one never leave a half-written entry under a valid name.

Processes (and threads) that want the same entry take a lock first
(``fcntl.flock`` on one of 16 lock files ``.lock-0`` .. ``.lock-f`` in the
cache directory, chosen by the key; a no-op where ``fcntl`` is missing), so
an utterance is synthesized and written once even when two builds run at the
same time, while different utterances still synthesize in parallel.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import platformdirs

from .base import VoiceBackend, VoiceError

#: Bump when the stored format or what it means changes; old entries then
#: simply stop matching (they are never read as the new format).
CACHE_FORMAT_VERSION = 2

#: Environment variable that overrides the default cache directory.
CACHE_ENV = "MBCL_AUDIO_CACHE"

_TMP_PREFIX = ".tmp-"
#: Lock files are ``<LOCK_PREFIX><first hex digit of the key>``.
LOCK_PREFIX = ".lock-"
#: Temporary files older than this are leftovers of a killed build; ``clear`` removes them.
_STALE_TMP_S = 3600.0

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows: no inter-process lock
    fcntl = None  # type: ignore[assignment]


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


@dataclass(frozen=True)
class CacheInfo:
    """What :meth:`SpeechCache.info` reports."""

    directory: Path
    entries: int
    total_bytes: int

    @property
    def total_mb(self) -> float:
        return self.total_bytes / 1e6


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
            np.ndarray [shape=(n,)], float32 mono samples at ``backend.sample_rate``.

        A missing, unreadable or malformed entry counts as a miss and is
        overwritten. Empty results are returned but not stored, so a
        transient engine failure is not remembered.
        """
        key = cache_key(backend, text)
        path = self.directory / f"{key}.npy"
        cached = _load(path)
        if cached is None:
            with self._lock(key):
                cached = _load(path)  # written by another process while we waited?
                if cached is None:
                    return self._synthesize_and_store(backend, text, path)
        with self._counter_lock:
            self.hits += 1
        return cached

    def _synthesize_and_store(self, backend: VoiceBackend, text: str, path: Path) -> np.ndarray:
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

    @contextmanager
    def _lock(self, key: str) -> Iterator[None]:
        """Exclusive lock for entries whose key starts with ``key[0]`` (across processes and threads)."""
        if fcntl is None:
            yield
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        # A fresh open file description per call: flock then also excludes other threads of this process.
        fd = os.open(self.directory / f"{LOCK_PREFIX}{key[0]}", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def entries(self) -> list[Path]:
        """The entry files now in the cache (no temporary or lock files)."""
        if not self.directory.is_dir():
            return []
        return sorted(
            p for p in self.directory.glob("*.npy") if not p.name.startswith(".") and p.is_file()
        )

    def info(self) -> CacheInfo:
        """Directory, number of entries and their total size."""
        total = 0
        entries = self.entries()
        for p in entries:
            try:
                total += p.stat().st_size
            except FileNotFoundError:  # removed by a concurrent clear
                pass
        return CacheInfo(self.directory, len(entries), total)

    def clear(self) -> int:
        """Remove every entry, the stored bed loops, and temporary files left by killed builds;
        returns how many entries.

        Safe while a build runs: it only re-synthesizes what it then misses.
        Lock files stay (removing one another process holds would break its lock).
        """
        removed = 0
        for p in self.entries():
            try:
                p.unlink()
                removed += 1
            except FileNotFoundError:
                pass
        # The generated beds' loops kept beside the speech (render.bed.generated.stored_loop).
        for p in (self.directory / "beds").glob("*.npy"):
            p.unlink(missing_ok=True)
        if self.directory.is_dir():
            now = time.time()
            for p in self.directory.glob(f"{_TMP_PREFIX}*"):
                try:
                    if now - p.stat().st_mtime > _STALE_TMP_S:
                        p.unlink()
                except FileNotFoundError:
                    pass
        return removed

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
