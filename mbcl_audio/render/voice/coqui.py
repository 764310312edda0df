"""Neural speech with coqui-tts (the optional extra ``mbcl-audio[coqui]``).

A named coqui model (e.g. XTTS-v2, which clones a voice from a reference clip
and speaks nl, de, en and more) or a local model given by ``model_path`` and
``config_path``. ``TTS`` and torch are imported only when a model is loaded,
so the core package never imports torch.

Install order (a plain ``torch`` pulls a multi-GB CUDA build)::

    pip install torch==2.13.0
    pip install 'mbcl-audio[coqui]'
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import threading
from pathlib import Path
from typing import Any

import numpy as np

from .base import VoiceError
from .piper import _file_sha256

#: Per-call character limit of XTTS (nl 251, de 253, en 250); longer text is cut off or warned about.
XTTS_CHAR_LIMIT = 250

#: Silence inserted between chunks (seconds), as for piper.
DEFAULT_SENTENCE_GAP_S = 0.35

INSTALL_HINT = (
    "pip install torch==2.13.0 first (a plain 'torch' pulls a multi-GB CUDA build), "
    "then pip install 'mbcl-audio[coqui]'"
)

#: What we know of the models a producer is likely to name: download size and licence.
KNOWN_MODELS: dict[str, dict[str, Any]] = {
    "tts_models/multilingual/multi-dataset/xtts_v2": {
        "size": "~1.9 GB",
        "licence": "CPML (Coqui Public Model License): non-commercial use only, no commercial licence available",
        "commercial_use": False,
        "sample_rate": 24000,
        "char_limit": XTTS_CHAR_LIMIT,
    },
    "tts_models/multilingual/multi-dataset/xtts_v1.1": {
        "size": "~1.8 GB",
        "licence": "CPML (Coqui Public Model License): non-commercial use only",
        "commercial_use": False,
        "sample_rate": 24000,
        "char_limit": XTTS_CHAR_LIMIT,
    },
}

#: torch's random generator is global: one synthesis at a time, seeded per chunk.
_SYNTH_LOCK = threading.Lock()

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»)\]]*\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:–—])\s+")


def chunk_text(text: str, limit: int = XTTS_CHAR_LIMIT) -> list[str]:
    """Split ``text`` into pieces of at most ``limit`` characters.

    One piece per sentence; a sentence longer than ``limit`` is split at
    commas, semicolons, colons and dashes, then at spaces, and only as a last
    resort inside a word. Whitespace is collapsed; empty pieces are dropped.
    """
    if limit < 1:
        raise ValueError("limit must be >= 1")
    text = " ".join(text.split())
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        if not sentence:
            continue
        if len(sentence) <= limit:
            pieces.append(sentence)
            continue
        for part in _pack(_CLAUSE_END.split(sentence), limit, " "):
            if len(part) <= limit:
                pieces.append(part)
            else:
                for words in _pack(part.split(" "), limit, " "):
                    pieces.extend(words[i : i + limit] for i in range(0, len(words), limit))
    return pieces


def _pack(parts: list[str], limit: int, sep: str) -> list[str]:
    """Join consecutive ``parts`` greedily into strings of at most ``limit`` (oversized parts stay whole)."""
    out: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if out and len(out[-1]) + len(sep) + len(part) <= limit:
            out[-1] = out[-1] + sep + part
        else:
            out.append(part)
    return out


def _coqui_version() -> str:
    try:
        return importlib.metadata.version("coqui-tts")
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _is_xtts(model_name: str | None) -> bool:
    return bool(model_name) and "xtts" in model_name.lower()


def _load_audio_soundfile(audiopath: str, sampling_rate: int):
    """XTTS's ``load_audio`` without torchaudio's decoder: soundfile + soxr, same contract.

    Returns ``torch.Tensor [shape=(1, n)]`` float32 at ``sampling_rate``, clipped to [-1, 1].
    """
    import soundfile as sf
    import soxr
    import torch

    audio, rate = sf.read(str(audiopath), dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    if rate != sampling_rate:
        mono = soxr.resample(mono, rate, sampling_rate, quality="HQ").astype(np.float32)
    return torch.from_numpy(np.clip(mono, -1.0, 1.0)).unsqueeze(0)


def _read_reference_clips_with_soundfile() -> None:
    """XTTS reads its ``speaker_wav`` with ``torchaudio.load``, whose compiled decoder does not load
    beside the CPU torch this project installs (see docs/voices.md); read it with soundfile instead."""
    try:
        from TTS.tts.models import xtts
    except ImportError:  # a coqui-tts without XTTS
        return
    xtts.load_audio = _load_audio_soundfile


class CoquiVoice:
    """A coqui-tts model as a :class:`~.base.VoiceBackend`.

    Args:
        language: Language of the text (passed per call to multilingual models
            such as XTTS).
        model_name: A coqui model name, e.g.
            ``"tts_models/multilingual/multi-dataset/xtts_v2"``. Downloaded by
            coqui on first use into its cache (``TTS_HOME``, default
            ``~/.local/share/tts``).
        model_path, config_path: A local model checkpoint and its config JSON
            (instead of ``model_name``).
        speaker_wav: Reference clip (6-30 s) for voice cloning (XTTS).
        name: Voice name in scripts and on the command line.
        accept_licence: The user agreed to the model's licence (e.g. CPML for
            XTTS): sets ``COQUI_TOS_AGREED=1`` while the model loads, so coqui
            does not prompt. Never set without the user's opt-in.
        sentence_gap_s: Silence between chunks (seconds).
        char_limit: Per-call character limit; default 250 for XTTS, else 400.

    Raises:
        VoiceError: if coqui-tts is not installed, both or neither of
            ``model_name``/``model_path`` are given, or a file is missing.

    The model is loaded on the first :meth:`synthesize` (or, for a named model
    of unknown output rate, on the first read of :attr:`sample_rate`).
    """

    def __init__(
        self,
        language: str,
        model_name: str | None = None,
        model_path: str | Path | None = None,
        config_path: str | Path | None = None,
        speaker_wav: str | Path | None = None,
        name: str = "coqui",
        accept_licence: bool = False,
        sentence_gap_s: float = DEFAULT_SENTENCE_GAP_S,
        char_limit: int | None = None,
    ) -> None:
        if importlib.util.find_spec("TTS") is None:
            raise VoiceError(f"voice {name!r} needs coqui-tts, which is not installed: {INSTALL_HINT}")
        if (model_name is None) == (model_path is None):
            raise VoiceError(f"voice {name!r}: give either a coqui model name or model_path, not both or neither")
        if config_path is not None and model_path is None:
            raise VoiceError(f"voice {name!r}: config_path only goes with model_path")
        self.name = name
        self.language = language
        self.model_name = model_name
        self.model_path = Path(model_path).expanduser() if model_path is not None else None
        self.config_path = Path(config_path).expanduser() if config_path is not None else None
        if self.model_path is not None and self.config_path is None:
            self.config_path = self.model_path.with_name("config.json")
        self.speaker_wav = Path(speaker_wav).expanduser() if speaker_wav is not None else None
        for label, p in (("model", self.model_path), ("config", self.config_path), ("speaker_wav", self.speaker_wav)):
            if p is not None and not p.is_file():
                raise VoiceError(f"voice {name!r}: coqui {label} file not found: {p}")
        if not sentence_gap_s >= 0:
            raise VoiceError(f"voice {name!r}: sentence_gap_s must be >= 0, got {sentence_gap_s}")
        self.accept_licence = bool(accept_licence)
        self.sentence_gap_s = float(sentence_gap_s)
        known = KNOWN_MODELS.get(model_name or "", {})
        self.char_limit = int(char_limit or known.get("char_limit") or (XTTS_CHAR_LIMIT if _is_xtts(model_name) else 400))
        self._sample_rate: int | None = known.get("sample_rate")
        if self.config_path is not None:
            self._sample_rate = self._config_rate()
        self._tts: Any = None
        self._lock = threading.Lock()
        self._identity: str | None = None

    # -- model loading -------------------------------------------------------

    def _config_rate(self) -> int:
        try:
            with self.config_path.open(encoding="utf-8") as f:  # type: ignore[union-attr]
                audio = json.load(f).get("audio") or {}
            return int(audio.get("output_sample_rate") or audio["sample_rate"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise VoiceError(f"voice {self.name!r}: cannot read audio.sample_rate from coqui config {self.config_path}: {exc}") from exc

    @property
    def sample_rate(self) -> int:
        if self._sample_rate is None:
            self._sample_rate = int(self._load().synthesizer.output_sample_rate)
        return self._sample_rate

    def _import_tts(self) -> Any:
        try:
            from TTS.api import TTS
        except ImportError as exc:
            raise VoiceError(f"voice {self.name!r}: coqui-tts cannot be imported ({exc}). {INSTALL_HINT}") from exc
        except OSError as exc:  # CUDA-linked torchaudio/torchcodec beside a CPU torch
            raise VoiceError(
                f"voice {self.name!r}: coqui-tts cannot be imported: {exc}. The torchaudio build does not "
                "match torch (a CUDA-linked torchaudio beside the CPU torch==2.13.0); see the coqui "
                "section of docs/voices.md"
            ) from exc
        _read_reference_clips_with_soundfile()
        return TTS

    def _load(self) -> Any:
        with self._lock:
            if self._tts is None:
                TTS = self._import_tts()
                saved = os.environ.get("COQUI_TOS_AGREED")
                if self.accept_licence:
                    os.environ["COQUI_TOS_AGREED"] = "1"
                try:
                    if self.model_name is not None:
                        self._tts = TTS(self.model_name, progress_bar=False)
                    else:
                        self._tts = TTS(
                            model_path=str(self.model_path), config_path=str(self.config_path), progress_bar=False
                        )
                except VoiceError:
                    raise
                except (EOFError, OSError, KeyboardInterrupt) as exc:
                    # OSError covers huggingface_hub's LocalEntryNotFoundError, requests'
                    # ConnectionError and missing files; EOFError is coqui's licence prompt.
                    raise self._unavailable(exc) from exc
                except Exception as exc:
                    if type(exc).__name__ in ("ConnectionError", "HTTPError", "Timeout"):
                        raise self._unavailable(exc) from exc
                    raise VoiceError(f"voice {self.name!r}: cannot load coqui model {self._model_label()}: {exc}") from exc
                finally:
                    if self.accept_licence:
                        if saved is None:
                            os.environ.pop("COQUI_TOS_AGREED", None)
                        else:
                            os.environ["COQUI_TOS_AGREED"] = saved
            return self._tts

    def _model_label(self) -> str:
        return self.model_name if self.model_name is not None else str(self.model_path)

    def cache_dir(self) -> Path | None:
        """Where coqui keeps (or would download) the named model."""
        if self.model_name is None:
            return None
        home = os.environ.get("TTS_HOME") or os.environ.get("XDG_DATA_HOME")
        base = Path(home) if home else Path.home() / ".local" / "share"
        return base / "tts" / self.model_name.replace("/", "--")

    def _unavailable(self, exc: BaseException) -> VoiceError:
        if self.model_name is None:
            return VoiceError(f"voice {self.name!r}: cannot load local coqui model {self.model_path} ({self.config_path}): {exc}")
        known = KNOWN_MODELS.get(self.model_name, {})
        size = known.get("size", "unknown size")
        licence = known.get("licence", "see the model card (coqui's models.json 'license' field)")
        why = (
            "coqui asked to accept the model licence, and nobody could answer (non-interactive run)"
            if isinstance(exc, EOFError)
            else f"it is not in the local cache and could not be downloaded ({type(exc).__name__})"
        )
        tos = (
            " If you accept the licence, set accept_licence = true in the profile's [coqui] table."
            if isinstance(exc, EOFError) and not self.accept_licence
            else ""
        )
        return VoiceError(
            f"voice {self.name!r}: coqui model {self.model_name!r} is not available: {why}. "
            f"It is cached at {self.cache_dir()} (TTS_HOME), download size {size}, licence {licence}. "
            "To get it: run a build once with network access (the model is then cached), or copy "
            "the model files to this machine and point the profile's model_path/config_path at them."
            + tos
        )

    # -- VoiceBackend ----------------------------------------------------------

    def identity(self) -> str:
        """coqui-tts and torch versions, model name or file hashes, speaker clip hash, language, settings."""
        if self._identity is None:
            try:
                torch_version = importlib.metadata.version("torch")
            except importlib.metadata.PackageNotFoundError:
                torch_version = None
            self._identity = json.dumps(
                {
                    "engine": "coqui",
                    "coqui_tts": _coqui_version(),
                    "torch": torch_version,
                    "model_name": self.model_name,
                    "model_sha256": _file_sha256(self.model_path) if self.model_path else None,
                    "config_sha256": _file_sha256(self.config_path) if self.config_path else None,
                    "speaker_wav_sha256": _file_sha256(self.speaker_wav) if self.speaker_wav else None,
                    "language": self.language,
                    "char_limit": self.char_limit,
                    "sentence_gap_s": self.sentence_gap_s,
                },
                sort_keys=True,
            )
        return self._identity

    def synthesize(self, text: str) -> np.ndarray:
        """Speak ``text`` chunk by chunk (see :func:`chunk_text`): ``np.ndarray [shape=(n,)]`` float32 mono at :attr:`sample_rate`.

        The random generator is seeded from the chunk text, so the same text
        gives the same samples on every call.
        """
        chunks = chunk_text(text, self.char_limit)
        if not chunks:
            return np.zeros(0, dtype=np.float32)
        tts = self._load()
        import torch

        kwargs: dict[str, Any] = {"split_sentences": False}
        if tts.is_multi_lingual:
            kwargs["language"] = self.language.replace("_", "-").split("-")[0].lower()
        if self.speaker_wav is not None:
            kwargs["speaker_wav"] = str(self.speaker_wav)
        rate = self.sample_rate
        gap = np.zeros(int(round(self.sentence_gap_s * rate)), dtype=np.float32)
        parts: list[np.ndarray] = []
        for chunk in chunks:
            seed = int.from_bytes(hashlib.sha256(chunk.encode()).digest()[:4], "little")
            try:
                with _SYNTH_LOCK:
                    torch.manual_seed(seed)
                    wav = tts.tts(chunk, **kwargs)
            except Exception as exc:
                raise VoiceError(f"voice {self.name!r}: coqui synthesis failed for text {chunk[:60]!r}: {exc}") from exc
            audio = np.asarray(wav, dtype=np.float32).reshape(-1)
            if audio.size == 0:
                continue
            if parts:
                parts.append(gap)
            parts.append(audio)
        if not parts:
            return np.zeros(0, dtype=np.float32)
        return np.clip(np.concatenate(parts), -1.0, 1.0)

    def __repr__(self) -> str:
        return f"CoquiVoice(model={self._model_label()!r}, language={self.language!r})"


def voice_from_profile(profile, language: str) -> CoquiVoice:
    """The :class:`CoquiVoice` for a ``coqui`` profile (paths are already resolved against its folder)."""
    s = dict(profile.settings)
    return CoquiVoice(
        language,
        model_name=s.get("model"),
        model_path=s.get("model_path"),
        config_path=s.get("config_path"),
        speaker_wav=s.get("speaker_wav"),
        name=profile.id,
        accept_licence=bool(s.get("accept_licence", False)),
    )
