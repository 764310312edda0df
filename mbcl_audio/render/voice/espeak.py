"""espeak-ng speech through ctypes, using the library and data shipped by espeakng-loader.

espeak-ng is the always-available draft voice: robotic, but it speaks ~100
languages (nl, en and de included) with no system install and synthesizes
hundreds of times faster than real time.

The C library keeps global state (one current voice, one set of parameters,
one synth callback), so every call into it goes through the module-level
:data:`_LOCK`, and the library is initialized once per process.
"""

from __future__ import annotations

import ctypes
import difflib
import importlib.metadata
import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .base import VoiceError

# Constants from espeak-ng's speak_lib.h.
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_DONT_EXIT = 0x8000  # report errors instead of calling exit()
_POS_CHARACTER = 1
_CHARS_UTF8 = 1
_EE_OK = 0
_PARAM_RATE = 1  # words per minute, 80..450
_PARAM_VOLUME = 2  # 0..200, 100 = normal
_PARAM_PITCH = 3  # 0..100, 50 = normal
_PARAM_RANGE = 4  # pitch range 0..100, 50 = normal

#: Fixed settings applied before every utterance (the library would otherwise
#: carry over whatever the previous caller set). Part of the voice identity.
_VOLUME = 100
_PITCH_RANGE = 50

# int SynthCallback(short *wav, int numsamples, espeak_EVENT *events)
_SYNTH_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _EspeakVoiceStruct(ctypes.Structure):
    """``espeak_VOICE`` from speak_lib.h (only read, never allocated by us)."""

    _fields_ = [
        ("name", ctypes.c_char_p),
        # Not NUL-terminated as a whole: (priority byte, language string) pairs,
        # ended by a zero priority byte. Parsed by hand in _parse_languages.
        ("languages", ctypes.c_void_p),
        ("identifier", ctypes.c_char_p),
        ("gender", ctypes.c_ubyte),
        ("age", ctypes.c_ubyte),
        ("variant", ctypes.c_ubyte),
        ("xx1", ctypes.c_ubyte),
        ("score", ctypes.c_int),
        ("spare", ctypes.c_void_p),
    ]


@dataclass(frozen=True)
class EspeakVoiceInfo:
    """One voice the installed espeak-ng data provides."""

    name: str  # e.g. "Dutch"
    languages: tuple[str, ...]  # e.g. ("nl",)
    identifier: str  # e.g. "gmw/nl"


def _parse_languages(address: int | None) -> tuple[str, ...]:
    langs: list[str] = []
    if not address:
        return ()
    offset = 0
    while ctypes.string_at(address + offset, 1) != b"\0":  # priority byte; 0 ends the list
        lang = ctypes.string_at(address + offset + 1)
        langs.append(lang.decode("utf-8", "replace"))
        offset += len(lang) + 2
    return tuple(langs)


class _Engine:
    """The process-wide espeak-ng library handle. Use only under :data:`_LOCK`."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError as exc:  # pragma: no cover - a declared dependency
            raise VoiceError("espeak voice needs the espeakng-loader package") from exc

        lib_path = espeakng_loader.get_library_path()
        # espeak_Initialize wants the directory that *contains* espeak-ng-data.
        self.data_dir = Path(espeakng_loader.get_data_path()).parent
        try:
            lib = ctypes.CDLL(lib_path)
        except OSError as exc:
            raise VoiceError(f"cannot load the espeak-ng library {lib_path}: {exc}") from exc

        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_Info.argtypes = [ctypes.POINTER(ctypes.c_char_p)]
        lib.espeak_Info.restype = ctypes.c_char_p
        lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [
            ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
            ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p,
        ]  # fmt: skip
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Synchronize.restype = ctypes.c_int
        lib.espeak_ListVoices.argtypes = [ctypes.c_void_p]
        lib.espeak_ListVoices.restype = ctypes.POINTER(ctypes.POINTER(_EspeakVoiceStruct))

        rate = lib.espeak_Initialize(
            _AUDIO_OUTPUT_SYNCHRONOUS, 0, str(self.data_dir).encode(), _INITIALIZE_DONT_EXIT
        )
        if rate <= 0:
            raise VoiceError(f"espeak-ng failed to initialize (data directory {self.data_dir})")
        self.lib = lib
        self.sample_rate = int(rate)
        self.version = (lib.espeak_Info(None) or b"unknown").decode()
        self.loader_version = importlib.metadata.version("espeakng-loader")

        self._chunks: list[bytes] = []
        # Keep a reference: ctypes does not, and a collected callback crashes.
        self._callback = _SYNTH_CALLBACK(self._on_audio)
        lib.espeak_SetSynthCallback(self._callback)
        self.voices = self._list_voices()

    def _on_audio(self, wav, n_samples: int, _events) -> int:
        # Called from inside espeak_Synth (same thread, synchronous mode).
        if wav and n_samples > 0:
            self._chunks.append(ctypes.string_at(wav, n_samples * 2))
        return 0  # 0 = continue synthesis

    def _list_voices(self) -> list[EspeakVoiceInfo]:
        array = self.lib.espeak_ListVoices(None)
        voices = []
        i = 0
        while array[i]:
            v = array[i].contents
            voices.append(
                EspeakVoiceInfo(
                    name=(v.name or b"").decode("utf-8", "replace"),
                    languages=_parse_languages(v.languages),
                    identifier=(v.identifier or b"").decode("utf-8", "replace"),
                )
            )
            i += 1
        return voices

    def variants(self) -> list[str]:
        """Names of the voice variants (``espeak-ng-data/voices/!v``), e.g. ``f3``."""
        vdir = self.data_dir / "espeak-ng-data" / "voices" / "!v"
        return sorted(p.name for p in vdir.iterdir() if p.is_file()) if vdir.is_dir() else []

    def set_voice(self, voice_name: str) -> bool:
        return self.lib.espeak_SetVoiceByName(voice_name.encode()) == _EE_OK

    def synth(self, voice_name: str, rate_wpm: int, pitch: int, text: str) -> np.ndarray:
        """Synthesize ``text``: ``np.ndarray [shape=(n,)]`` int16 mono at :attr:`sample_rate`.

        espeak-ng carries hidden state from one utterance into the next (the
        same text comes out different after other speech, even after
        ``espeak_Terminate``/``espeak_Initialize``). So that an utterance
        depends only on its text and settings (deterministic builds, whatever
        the cache held), each one is synthesized in a forked child of a
        process whose engine has never spoken. Without ``fork`` (Windows) it
        runs here, and output may differ by call history.
        """
        if not hasattr(os, "fork"):
            return self._synth_here(voice_name, rate_wpm, pitch, text)
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: speak once, send the samples, leave without cleanup
            status = 0
            try:
                os.close(read_fd)
                pcm = self._synth_here(voice_name, rate_wpm, pitch, text).tobytes()
                with os.fdopen(write_fd, "wb") as pipe:
                    pipe.write(pcm)
            except BaseException:
                status = 1
            os._exit(status)
        os.close(write_fd)
        with os.fdopen(read_fd, "rb") as pipe:
            pcm = pipe.read()
        _, status = os.waitpid(pid, 0)
        if status != 0:
            raise VoiceError(f"espeak-ng synthesis failed in its worker for text {text[:60]!r}")
        return np.frombuffer(pcm, dtype=np.int16).copy()

    def _synth_here(self, voice_name: str, rate_wpm: int, pitch: int, text: str) -> np.ndarray:
        if not self.set_voice(voice_name):
            raise VoiceError(f"espeak-ng could not select voice {voice_name!r}")
        # Set every parameter each time: they are global and survive across calls.
        for param, value in (
            (_PARAM_RATE, rate_wpm),
            (_PARAM_PITCH, pitch),
            (_PARAM_VOLUME, _VOLUME),
            (_PARAM_RANGE, _PITCH_RANGE),
        ):
            self.lib.espeak_SetParameter(param, int(value), 0)
        data = text.encode("utf-8")
        buf = ctypes.create_string_buffer(data)  # NUL-terminated copy
        self._chunks = []
        try:
            err = self.lib.espeak_Synth(
                buf, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None
            )
            self.lib.espeak_Synchronize()
            if err != _EE_OK:
                raise VoiceError(f"espeak-ng synthesis failed (error {err}) for text {text[:60]!r}")
            pcm = b"".join(self._chunks)
        finally:
            self._chunks = []
        return np.frombuffer(pcm, dtype=np.int16).copy()


_LOCK = threading.RLock()
_ENGINE: _Engine | None = None


def _engine() -> _Engine:
    """The process-wide engine, initialized on first use. Call under :data:`_LOCK`."""
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = _Engine()
    return _ENGINE


def available_voices() -> list[EspeakVoiceInfo]:
    """All voices in the installed espeak-ng data."""
    with _LOCK:
        return list(_engine().voices)


def _similar_languages(language: str, voices: list[EspeakVoiceInfo], limit: int = 8) -> list[str]:
    """Language codes resembling ``language`` (same prefix, or close spelling, or voice name)."""
    codes = sorted({lang for v in voices for lang in v.languages})
    wanted = language.lower().replace("_", "-")
    primary = wanted.split("-")[0]
    found = [c for c in codes if c.split("-")[0] == primary]
    # Voice names: "english" should point at "English (America)" -> en-us.
    by_name = {v.name.lower(): v for v in voices if v.languages}
    names = [n for n in by_name if n.startswith(wanted)]
    names += difflib.get_close_matches(wanted, list(by_name), n=3, cutoff=0.6)
    found += [by_name[n].languages[0] for n in names]
    found += difflib.get_close_matches(wanted, codes, n=limit, cutoff=0.5)
    return list(dict.fromkeys(found))[:limit]  # unique, in order found


#: espeak's ``rate_wpm`` (its own measure) that gives about 130 real words a minute on the
#: project's scripts, a meditation pace (measured: nl 120 -> 129, en 108 -> 130 words a minute;
#: the former 140 read 152 and 170). Other languages take the ``None`` entry.
CALM_RATE_WPM: dict[str | None, int] = {"nl": 120, "en": 108, "de": 120, None: 120}


def calm_rate_wpm(language: str) -> int:
    """The default :data:`CALM_RATE_WPM` for ``language`` (``"en-GB"`` counts as ``"en"``)."""
    base = language.replace("_", "-").split("-")[0].lower()
    return CALM_RATE_WPM.get(base, CALM_RATE_WPM[None])


class EspeakVoice:
    """An espeak-ng voice for one language.

    Args:
        language: espeak-ng language or voice name, e.g. ``"nl"``, ``"en"``,
            ``"en-us"``, ``"de"``.
        rate_wpm: Speaking rate in words per minute (espeak's own measure;
            espeak-ng accepts 80..450). ``None``: the language's :data:`CALM_RATE_WPM`.
        pitch: Base pitch, 0..100 (50 is espeak's default).
        variant: Optional voice variant from ``espeak-ng-data/voices/!v``,
            e.g. ``"f3"`` or ``"m2"``.

    Raises:
        VoiceError: for an unknown language or variant, or out-of-range settings.
    """

    name = "espeak"

    def __init__(
        self, language: str, rate_wpm: int | None = None, pitch: int = 40, variant: str | None = None
    ) -> None:
        rate_wpm = calm_rate_wpm(language) if rate_wpm is None else rate_wpm
        if not 80 <= rate_wpm <= 450:
            raise VoiceError(f"espeak rate_wpm must be within 80..450, got {rate_wpm}")
        if not 0 <= pitch <= 100:
            raise VoiceError(f"espeak pitch must be within 0..100, got {pitch}")
        self.language = language
        self.rate_wpm = int(rate_wpm)
        self.pitch = int(pitch)
        self.variant = variant
        self._voice_name = language if variant is None else f"{language}+{variant}"
        with _LOCK:
            engine = _engine()
            # espeak_SetVoiceByName accepts an unknown variant silently, so check the files.
            if variant is not None and variant not in engine.variants():
                raise VoiceError(
                    f"unknown espeak-ng voice variant {variant!r}; "
                    f"available: {', '.join(engine.variants())}"
                )
            if not language or "+" in language or not engine.set_voice(language):
                similar = _similar_languages(language, engine.voices)
                hint = f" Similar: {', '.join(similar)}." if similar else ""
                raise VoiceError(
                    f"espeak-ng has no voice for language {language!r}.{hint} "
                    f"({len(engine.voices)} voices installed; "
                    "see mbcl_audio.render.voice.espeak.available_voices())"
                )
            self.sample_rate = engine.sample_rate
            self._versions = (engine.version, engine.loader_version)

    def identity(self) -> str:
        """Engine, versions, voice and all sound-affecting settings as canonical JSON."""
        return json.dumps(
            {
                "engine": "espeak-ng",
                "version": self._versions[0],
                "espeakng_loader": self._versions[1],
                "voice": self._voice_name,
                "language": self.language,
                "rate_wpm": self.rate_wpm,
                "pitch": self.pitch,
                "volume": _VOLUME,
                "pitch_range": _PITCH_RANGE,
                "sample_rate": self.sample_rate,
            },
            sort_keys=True,
        )

    def synthesize(self, text: str) -> np.ndarray:
        """Speak ``text`` (plain UTF-8, no SSML): ``np.ndarray [shape=(n,)]`` float32 mono at :attr:`sample_rate`."""
        with _LOCK:
            pcm = _engine().synth(self._voice_name, self.rate_wpm, self.pitch, text)
        return (pcm.astype(np.float32) / 32768.0).astype(np.float32)

    def __repr__(self) -> str:
        return (
            f"EspeakVoice(language={self.language!r}, rate_wpm={self.rate_wpm}, "
            f"pitch={self.pitch}, variant={self.variant!r})"
        )
