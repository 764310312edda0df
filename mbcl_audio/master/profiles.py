"""Loudness profiles: what a finished track must measure, kept as data.

The shipped profiles live in ``profiles.toml`` next to this module
(``meditation``, ``ebu-r128``, ``podcast``, ``acx``). A project adds or
overrides profiles in its ``mbcl-audio.toml``::

    [build]
    profile = "podcast"          # the project's default profile

    [profiles.quiet-room]
    description = "Very quiet listening"
    target_voice_lufs = -24.0
    true_peak_dbtp = -2.0

Mastering reads the target and ceilings from a :class:`LoudnessProfile`;
QA (:mod:`mbcl_audio.qa`) checks every limit it sets.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Optional

from ..errors import MbclError
from ..schema import Field, FieldError, UnknownKey, check_table, is_number, is_whole_number

#: The profile a build uses when neither the command line, the script nor the project names one.
DEFAULT_PROFILE = "meditation"
#: The project configuration file, looked for in the project folder (the working directory).
PROJECT_CONFIG = "mbcl-audio.toml"
#: Tables of the project file that the set builder reads (:mod:`mbcl_audio.set.project`).
SET_TABLES = frozenset({"set", "lengths"})


class ProfileError(MbclError, ValueError):
    """An unknown profile, or a profile definition that does not make sense."""


#: What a loudness target is measured in: integrated loudness of the whole file (LUFS, BS.1770-4),
#: the voice's speech-gated loudness (LUFS), or unweighted RMS (dB, ACX).
LoudnessMeasure = Literal["lufs", "voice", "rms"]
#: The profile key that sets a target of each measure.
TARGET_KEYS: dict[LoudnessMeasure, str] = {"lufs": "target_lufs", "voice": "target_voice_lufs", "rms": "target_rms_db"}


@dataclass(frozen=True)
class LoudnessProfile:
    """Targets and limits of one delivery format. ``None``: not part of this profile.

    Exactly one of ``target_voice_lufs`` (the voice's speech-gated loudness),
    ``target_lufs`` (integrated loudness of the whole file, BS.1770-4) and
    ``target_rms_db`` (unweighted whole-file RMS) is the mastering target.
    """

    name: str
    description: str = ""
    target_lufs: Optional[float] = None
    target_rms_db: Optional[float] = None
    target_voice_lufs: Optional[float] = None
    #: How far the measured target may miss (LU, or dB for an RMS target).
    tolerance: float = 0.5
    #: Allowed whole-file RMS range ``(lo, hi)`` in dB.
    rms_db: Optional[tuple[float, float]] = None
    true_peak_dbtp: float = -1.0
    sample_peak_dbfs: Optional[float] = None
    #: Ceiling for the RMS of the room tone at head and tail (dB).
    noise_floor_db: Optional[float] = None
    sample_rate: Optional[int] = None
    bitrate_kbps: Optional[int] = None
    #: Room tone before the first and after the last sound, ``(lo, hi)`` seconds.
    head_s: Optional[tuple[float, float]] = None
    tail_s: Optional[tuple[float, float]] = None
    #: Where the definition came from (shown in errors and reports).
    origin: str = ""

    @property
    def target(self) -> float:
        """The mastering target: LUFS (voice or whole file), or dB RMS when ``target_rms_db`` is set."""
        return float(getattr(self, TARGET_KEYS[self.target_measure]))

    @property
    def target_measure(self) -> LoudnessMeasure:
        """``"voice"``, ``"lufs"`` or ``"rms"``: what :attr:`target` is measured in."""
        return next((m for m, key in TARGET_KEYS.items() if getattr(self, key) is not None), "rms")

    @property
    def ceiling_dbtp(self) -> float:
        """The ceiling the true-peak limiter works to: the lower of the true-peak and sample-peak limits.

        A sample is one point of the true-peak curve, so a true peak at or
        below a level keeps every sample peak there too.
        """
        limits = [self.true_peak_dbtp] + ([self.sample_peak_dbfs] if self.sample_peak_dbfs is not None else [])
        return min(limits)

    @property
    def head_target_s(self) -> float:
        """Room tone the build puts before the track (the middle of ``head_s``), 0 without one."""
        return 0.0 if self.head_s is None else sum(self.head_s) / 2

    @property
    def tail_target_s(self) -> float:
        """Room tone the build puts after the track: a little above the shortest allowed tail."""
        if self.tail_s is None:
            return 0.0
        lo, hi = self.tail_s
        return min(hi, lo + 1.0)


def _text(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise FieldError(f"{key} must be a string")
    return value


def _number(value: Any, key: str) -> float:
    if not is_number(value) or not math.isfinite(value):
        raise FieldError(f"{key} must be a number, got {value!r}")
    return float(value)


def _positive_whole(value: Any, key: str) -> int:
    if not is_whole_number(value) or value <= 0:
        raise FieldError(f"{key} must be a positive whole number, got {value!r}")
    return value


def _range(value: Any, key: str) -> tuple[float, float]:
    if not (isinstance(value, list) and len(value) == 2 and all(is_number(v) for v in value) and value[0] <= value[1]):
        raise FieldError(f"{key} must be [low, high] with low <= high, got {value!r}")
    return (float(value[0]), float(value[1]))


#: The keys of a ``[profiles.NAME]`` table: every :class:`LoudnessProfile` field but ``name`` and ``origin``.
PROFILE_FIELDS: dict[str, Field] = {
    "description": Field(_text),
    **{key: Field(_number) for key in (
        "target_lufs", "target_voice_lufs", "target_rms_db", "tolerance", "true_peak_dbtp", "sample_peak_dbfs", "noise_floor_db",
    )},
    **{key: Field(_positive_whole) for key in ("sample_rate", "bitrate_kbps")},
    **{key: Field(_range) for key in ("rms_db", "head_s", "tail_s")},
}


#: What a profile key may be: ``(lowest, highest, why)``. A ceiling above full scale would let a
#: file clip; a target outside these is not a listening level; a tolerance above 3 LU no check.
SANE_RANGES: dict[str, tuple[float, float, str]] = {
    **{key: (-40.0, -5.0, "a listening level in LUFS") for key in ("target_lufs", "target_voice_lufs")},
    "target_rms_db": (-40.0, -5.0, "a listening level in dB RMS"),
    "tolerance": (0.0, 3.0, "wider would let any level pass"),
    "rms_db": (-60.0, 0.0, "dB RMS, at most full scale"),
    "true_peak_dbtp": (-20.0, 0.0, "above 0 dBTP the decoded file clips"),
    "sample_peak_dbfs": (-20.0, 0.0, "above 0 dBFS the file clips"),
    "noise_floor_db": (-120.0, 0.0, "dB RMS, at most full scale"),
    "sample_rate": (8000, 192000, "Hz"),
    "bitrate_kbps": (8, 320, "the MP3 bitrates"),
    **{key: (0.0, 60.0, "seconds of room tone") for key in ("head_s", "tail_s")},
}


def profile_from_table(name: str, table: dict, origin: str) -> LoudnessProfile:
    """One profile from its TOML table; ``origin`` names the file in errors.

    Raises:
        ProfileError: naming ``origin``, the profile and the key, for an
            unknown key, a value of the wrong type, or no / two targets.
    """
    where = f"{origin}: [profiles.{name}]"

    def fail(err: FieldError) -> None:
        if isinstance(err, UnknownKey):
            raise ProfileError(f"{where}: {err.message} (known: {', '.join(err.known)})")
        raise ProfileError(f"{where}: {err.message}")

    values: dict = {"name": name, "origin": origin, **check_table(table, PROFILE_FIELDS, fail)}
    targets = [k for k in TARGET_KEYS.values() if k in values]
    if len(targets) != 1:
        raise ProfileError(f"{where}: give exactly one of {', '.join(TARGET_KEYS.values())}")
    for key, value in values.items():
        if key in SANE_RANGES:
            lo, hi, why = SANE_RANGES[key]
            for v in value if isinstance(value, tuple) else (value,):
                if not lo <= v <= hi:
                    raise ProfileError(f"{where}: {key} = {_shown(value)} is outside {lo:g}..{hi:g} ({why})")
    if values.get("tolerance", 0.5) <= 0:
        raise ProfileError(f"{where}: tolerance must be above 0")
    return LoudnessProfile(**values)


def _shown(value: Any) -> str:
    return f"[{value[0]:g}, {value[1]:g}]" if isinstance(value, tuple) else f"{value:g}"


def read_toml(path: Path) -> dict:
    """A TOML settings file (a profile table or ``mbcl-audio.toml``); a clear error naming it otherwise."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ProfileError(f"{path}: not valid TOML: {err}") from err
    except UnicodeDecodeError as err:
        raise ProfileError(f"{path}: not UTF-8 text: {err}; save it again as UTF-8") from err
    except OSError as err:
        raise ProfileError(f"{path}: cannot read: {err.strerror or err}") from err


def shipped_profiles() -> dict[str, LoudnessProfile]:
    """The profiles that come with mbcl-audio, by name."""
    text = resources.files(__package__).joinpath("profiles.toml").read_text(encoding="utf-8")
    tables = tomllib.loads(text)["profiles"]
    return {name: profile_from_table(name, t, "mbcl_audio/master/profiles.toml") for name, t in tables.items()}


@dataclass(frozen=True)
class ProjectConfig:
    """What ``mbcl-audio.toml`` says (everything optional)."""

    path: Optional[Path] = None
    profile: Optional[str] = None
    profiles: tuple[LoudnessProfile, ...] = ()


def load_project_config(folder: Path = Path(".")) -> ProjectConfig:
    """Read ``<folder>/mbcl-audio.toml``; an empty config when there is none."""
    path = Path(folder) / PROJECT_CONFIG
    if not path.is_file():
        return ProjectConfig()
    data = read_toml(path)
    unknown = sorted(set(data) - {"build", "profiles"} - SET_TABLES)
    if unknown:
        raise ProfileError(f"{path}: unknown table [{unknown[0]}] (known: [build], [profiles.NAME], [set], [lengths])")
    build = data.get("build", {})
    if not isinstance(build, dict):
        raise ProfileError(f'{path}: build must be a table: write [build] on its own line, then profile = "..."')
    unknown = sorted(set(build) - {"profile"})
    if unknown:
        raise ProfileError(f"{path}: [build] has no setting {unknown[0]!r} (known: profile)")
    profile = build.get("profile")
    if profile is not None and not isinstance(profile, str):
        raise ProfileError(f"{path}: [build] profile must be a profile name")
    tables = data.get("profiles", {})
    if not isinstance(tables, dict) or not all(isinstance(t, dict) for t in tables.values()):
        raise ProfileError(f"{path}: profiles must be tables, e.g. [profiles.my-profile]")
    profiles = tuple(profile_from_table(name, t, str(path)) for name, t in tables.items())
    return ProjectConfig(path=path, profile=profile, profiles=profiles)


def all_profiles(config: Optional[ProjectConfig] = None) -> dict[str, LoudnessProfile]:
    """Shipped profiles, with the project's own added (a project profile of the same name wins)."""
    profiles = shipped_profiles()
    for p in (config or ProjectConfig()).profiles:
        profiles[p.name] = p
    return profiles


def get_profile(name: Optional[str] = None, config: Optional[ProjectConfig] = None) -> LoudnessProfile:
    """The profile called ``name``; ``None`` takes the project's default, then ``meditation``.

    Raises:
        ProfileError: for a name no profile has, listing those there are.
    """
    config = config or ProjectConfig()
    name = name or config.profile or DEFAULT_PROFILE
    profiles = all_profiles(config)
    if name not in profiles:
        where = f" (shipped, or in {config.path})" if config.path else ""
        raise ProfileError(f"unknown loudness profile {name!r}: choose one of {', '.join(sorted(profiles))}{where}")
    return profiles[name]
