"""Named pass / fail checks of a measured file against a loudness profile.

Every check the profile defines runs (a ``None`` limit means "not part of this
profile"), plus ``clipping`` and ``full-scale``, which always run. Check names are stable: the
command line, ``report.json`` and the docs use them.

=====================  =============================================================
name                   passes when
=====================  =============================================================
voice-loudness         the voice's speech-gated loudness is within ``target_voice_lufs`` +/- ``tolerance``
                       (a file without a speech tag: its integrated loudness is checked instead)
integrated-loudness    integrated loudness is within ``target_lufs`` +/- ``tolerance``
rms-target             whole-file RMS is within ``target_rms_db`` +/- ``tolerance``
rms-range              whole-file RMS is within ``rms_db``
true-peak              true peak (4x oversampled) is at most ``true_peak_dbtp``
sample-peak            sample peak is at most ``sample_peak_dbfs``
noise-floor            room tone RMS (head and tail) is at most ``noise_floor_db``
sample-rate            the file's sample rate is ``sample_rate``
bitrate                the file is a constant-bitrate MP3 at ``bitrate_kbps``
head-room-tone         room tone before the first sound lasts ``head_s`` seconds
tail-room-tone         room tone after the last sound lasts ``tail_s`` seconds
clipping               no run of 3 or more samples at full scale
full-scale             no decoded sample above full scale (always runs, whatever the profile)
=====================  =============================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, Optional, Union

from ..master.profiles import LoudnessProfile
from .facts import FileFacts
from .scan import CLIP_LEVEL, CLIP_RUN_FRAMES

Number = Union[int, float]
#: The unit a check's figures are in, as printed after them (``""``: no figure, e.g. an undecodable file).
Unit = Literal["LUFS", "dB", "dBTP", "dBFS", "Hz", "kb/s", "s", "runs", ""]


@dataclass(frozen=True)
class Check:
    """One check's outcome.

    ``measured`` is the value in ``unit`` (None when it could not be
    measured); ``limit`` says what was required, for people
    (``"-18.5..-17.5"``, ``"<= -1.0"``); ``low`` / ``high`` are the same
    bounds as numbers (None: unbounded). ``message`` is one sentence naming
    what was measured and, for a failure, what is wrong.
    """

    name: str
    passed: bool
    measured: Optional[Number]
    limit: str
    unit: Unit
    message: str
    low: Optional[float] = None
    high: Optional[float] = None

    def shown(self) -> str:
        """The measured value as text, with enough decimals to tell it from the limit."""
        return shown(self.measured, (self.low, self.high), 2 if self.unit == "s" else 1)

    def outcome(self) -> str:
        """``"name measured unit (limit ...)"``: one failure, as the command line prints it."""
        return f"{self.name} {self.shown()} {self.unit} (limit {self.limit} {self.unit})".replace("  ", " ")


def fmt(value: Optional[Number], digits: int = 1) -> str:
    """A value for people: fixed decimals for floats, ``-inf`` for silence, ``-`` for unknown."""
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isinf(value):
            return "-inf" if value < 0 else "inf"
        return f"{value:.{digits}f}"
    return str(value)


def shown(value: Optional[Number], bounds: tuple[Optional[float], ...], digits: int = 1) -> str:
    """:func:`fmt`, with up to two more decimals where the value would read the same as a bound it misses.

    A true peak of -0.96 dBTP against a -1.0 ceiling then prints as -0.96, not a puzzling -1.0.
    """
    text = fmt(value, digits)
    if not isinstance(value, float) or not math.isfinite(value):
        return text
    for d in (digits, digits + 1, digits + 2):
        text = fmt(value, d)
        if not any(b is not None and b != value and fmt(float(b), d) == text for b in bounds):
            break
    return text


def within(name: str, what: str, value: float, low: float, high: float, unit: Unit, digits: int = 1) -> Check:
    """``low <= value <= high``; ``-inf`` (nothing measured) fails."""
    limit = f"{low:.{digits}f}..{high:.{digits}f}"
    passed = math.isfinite(value) and low <= value <= high
    if passed:
        message = f"{what} {shown(value, (low, high), digits)} {unit} is within {limit} {unit}"
    elif not math.isfinite(value):
        message = f"{what} could not be measured (silent file?): must be {limit} {unit}"
    else:
        side = "below" if value < low else "above"
        message = f"{what} {shown(value, (low, high), digits)} {unit} is {side} the allowed {limit} {unit}"
    return Check(name, passed, value, limit, unit, message, low, high)


def at_most(name: str, what: str, value: float, high: float, unit: Unit) -> Check:
    """``value <= high`` (silence, ``-inf``, passes)."""
    limit = f"<= {high:.1f}"
    passed = value <= high
    verdict = "is at most" if passed else "is above the ceiling of"
    message = f"{what} {shown(value, (high,))} {unit} {verdict} {high:.1f} {unit}"
    return Check(name, passed, value, limit, unit, message, None, high)


def run_checks(profile: LoudnessProfile, facts: FileFacts) -> tuple[Check, ...]:
    """Every check ``profile`` defines, plus ``clipping`` and ``full-scale``, in a fixed order."""
    m = facts.measurement
    p = profile
    checks: list[Check] = []
    if p.target_voice_lufs is not None:
        checks.append(_voice(m.voice_lufs, m.integrated_lufs, p.target_voice_lufs, p.tolerance))
    if p.target_lufs is not None:
        checks.append(within(
            "integrated-loudness", "integrated loudness", m.integrated_lufs,
            p.target_lufs - p.tolerance, p.target_lufs + p.tolerance, "LUFS",
        ))
    if p.target_rms_db is not None:
        checks.append(within(
            "rms-target", "RMS", m.rms_db, p.target_rms_db - p.tolerance, p.target_rms_db + p.tolerance, "dB",
        ))
    if p.rms_db is not None:
        checks.append(within("rms-range", "RMS", m.rms_db, p.rms_db[0], p.rms_db[1], "dB"))
    checks.append(at_most("true-peak", "true peak", m.true_peak_dbtp, p.true_peak_dbtp, "dBTP"))
    if p.sample_peak_dbfs is not None:
        checks.append(at_most("sample-peak", "sample peak", m.sample_peak_dbfs, p.sample_peak_dbfs, "dBFS"))
    if p.noise_floor_db is not None:
        check = at_most("noise-floor", "noise floor", facts.noise_floor_db, p.noise_floor_db, "dB")
        checks.append(_with_message(check, f"{check.message} (RMS of the {facts.noise_floor_from})"))
    if p.sample_rate is not None:
        checks.append(_sample_rate(facts.sample_rate_hz, p.sample_rate))
    if p.bitrate_kbps is not None:
        checks.append(_bitrate(facts, p.bitrate_kbps))
    if p.head_s is not None:
        checks.append(_room_tone("head-room-tone", "room tone before the first sound", facts.head_s, p.head_s))
    if p.tail_s is not None:
        checks.append(_room_tone("tail-room-tone", "room tone after the last sound", facts.tail_s, p.tail_s))
    checks.append(_clipping(facts.clip_runs, facts.first_clip_s))
    checks.append(at_most("full-scale", "sample peak", m.sample_peak_dbfs, 0.0, "dBFS"))
    return tuple(checks)


def _voice(voice_lufs: Optional[float], integrated_lufs: float, target: float, tolerance: float) -> Check:
    """The voice level against a voice target; without speech spans the integrated loudness stands in."""
    low, high = target - tolerance, target + tolerance
    if voice_lufs is not None:
        return within("voice-loudness", "voice loudness (speech-gated)", voice_lufs, low, high, "LUFS")
    check = within("voice-loudness", "integrated loudness", integrated_lufs, low, high, "LUFS")
    return _with_message(check, f"{check.message} (no speech tag says where the voice is: the whole file stands in)")


def _with_message(check: Check, message: str) -> Check:
    return Check(check.name, check.passed, check.measured, check.limit, check.unit, message, check.low, check.high)


def _sample_rate(measured_hz: int, required_hz: int) -> Check:
    passed = measured_hz == required_hz
    message = f"sample rate {measured_hz} Hz" + ("" if passed else f", must be {required_hz} Hz")
    return Check("sample-rate", passed, measured_hz, f"= {required_hz}", "Hz", message, required_hz, required_hz)


def _bitrate(facts: FileFacts, required_kbps: int) -> Check:
    limit = f"= {required_kbps} CBR"
    if facts.container != "MP3" or facts.bitrate_kbps is None:
        message = f"not an MP3 ({facts.container}): must be a {required_kbps} kb/s constant-bitrate MP3"
        return Check("bitrate", False, None, limit, "kb/s", message, required_kbps, required_kbps)
    cbr = facts.bitrate_mode == "CBR"
    passed = cbr and facts.bitrate_kbps == required_kbps
    message = f"{facts.bitrate_kbps} kb/s {facts.bitrate_mode}"
    if not passed:
        message += f", must be {required_kbps} kb/s CBR"
    return Check("bitrate", passed, facts.bitrate_kbps, limit, "kb/s", message, required_kbps, required_kbps)


def _room_tone(name: str, what: str, seconds: float, allowed: tuple[float, float]) -> Check:
    return within(name, what, seconds, allowed[0], allowed[1], "s", digits=2)


def _clipping(runs: int, first_s: Optional[float]) -> Check:
    rule = f"runs of {CLIP_RUN_FRAMES}+ samples at |x| >= {CLIP_LEVEL}"
    if runs == 0:
        message = f"no clipping ({rule})"
    else:
        message = f"{runs} clipped {rule}, the first at {first_s:.2f} s"
    return Check("clipping", runs == 0, runs, "= 0", "runs", message, None, 0)
