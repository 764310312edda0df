"""Voices: speech backends (espeak-ng, piper, coqui) and recorded takes, voice profiles, the speech cache.

Use :func:`open_voice` to turn a voice name from a script or the command line
(a profile in ``voices/<id>/voice.toml``, a built-in name or a piper ``.onnx``
path) into a :class:`Voice` that speaks whole scripts, :func:`get_voice` for
the bare synthesizer backend, and :class:`SpeechCache` to synthesize through
the disk cache.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from .base import VoiceBackend, VoiceError
from .cache import SpeechCache
from .espeak import EspeakVoice
from .piper import PiperVoice
from .profiles import VoiceProfile, build_backend, find_profiles, load_profile, profile_for
from .speech import Speech, SynthesizedVoice, Voice
from .takes import TakesVoice

__all__ = [
    "KNOWN_VOICES",
    "Speech",
    "SpeechCache",
    "SynthesizedVoice",
    "TakesVoice",
    "Voice",
    "VoiceBackend",
    "VoiceError",
    "VoiceProfile",
    "find_profiles",
    "get_voice",
    "load_profile",
    "open_voice",
]

#: Voice names :func:`get_voice` accepts besides a path to a piper ``.onnx`` file.
KNOWN_VOICES = ("espeak", "piper-joe")


def get_voice(name: str, language: str, voices_dir: Path | str = Path("voices")) -> VoiceBackend:
    """The backend for voice ``name`` speaking ``language``.

    Args:
        name: The id of a profile ``<voices_dir>/<name>/voice.toml`` (it takes
            precedence), ``"espeak"`` (any espeak-ng language), ``"piper-joe"``
            (English only), or a path ending in ``.onnx`` to a piper voice file
            (its config is expected at ``<path>.json``).
        language: Language tag of the text, e.g. ``"nl"``, ``"en"``, ``"de"``.
        voices_dir: Folder of voice profiles (relative to the working directory).

    Raises:
        VoiceError: for an unknown name, a broken profile, a voice that cannot
            speak ``language``, or a missing model file.
    """
    profile = profile_for(name, voices_dir)
    if profile is not None and profile.path is not None:
        return build_backend(profile, language)
    if name == "espeak":
        return EspeakVoice(language)
    if name == "piper-joe":
        if language.replace("_", "-").split("-")[0].lower() != "en":
            raise VoiceError(
                f"voice 'piper-joe' speaks English only, not {language!r}; "
                f"use voice 'espeak' (draft quality) or a piper .onnx voice for {language!r}"
            )
        return PiperVoice(language=language)
    if name.lower().endswith(".onnx"):
        return PiperVoice(model_path=Path(name), language=language)
    raise VoiceError(
        f"unknown voice {name!r}; known voices: {', '.join(KNOWN_VOICES)}, "
        f"a profile in {Path(voices_dir)}/<id>/voice.toml (see mbcl-audio voices), "
        "or a path to a piper .onnx voice file"
    )


def open_voice(
    name: str, language: str, voices_dir: Path | str = Path("voices"), *, require_takes: bool = False
) -> Voice:
    """The voice ``name`` speaking scripts in ``language``: recorded takes or a synthesizer.

    A profile with engine ``"takes"`` gives a :class:`TakesVoice`, whose
    fallback voice is only opened when a take is missing (``require_takes``:
    a missing take is an error instead); any other name gives a
    :class:`SynthesizedVoice` over :func:`get_voice`.

    Raises:
        VoiceError: for a broken profile, an unknown name, or a voice that
            cannot speak ``language`` (see :func:`get_voice`).
    """
    profile = profile_for(name, voices_dir)
    if profile is not None and profile.engine == "takes":
        fallback = None if profile.fallback is None else partial(get_voice, profile.fallback, language, voices_dir)
        return TakesVoice(profile, language, fallback, require_takes=require_takes)
    return SynthesizedVoice(get_voice(name, language, voices_dir))
