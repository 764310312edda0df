"""Measurements shared by the bed tests: levels, seams, spectra, envelopes."""

from __future__ import annotations

import numpy as np


def rms_db(x) -> float:
    """RMS level (dBFS) over all samples and channels."""
    return float(20 * np.log10(np.sqrt(np.mean(np.asarray(x, dtype=np.float64) ** 2))))


def window_db(x: np.ndarray, width: int) -> np.ndarray:
    """RMS level (dB) of consecutive ``width``-sample windows from the start, ``(len(x) // width,)``."""
    k = x.shape[0] // width
    frames = np.asarray(x[: k * width], dtype=np.float64).reshape(k, width, -1)
    return 10 * np.log10(np.mean(frames**2, axis=(1, 2)))


def seam_report(loop: np.ndarray, sample_rate: int) -> dict:
    """How the loop's wrap (last sample -> first) compares with its ordinary variation.

    ``jump``: |first - last| per channel; ``step_999``: 99.9th percentile of
    |sample-to-sample difference| per channel. ``level_step_db``: RMS
    difference of the 100 ms windows either side of the seam; ``level_spread_db``:
    99th percentile of the same difference between ordinary adjacent 100 ms windows.
    """
    width = sample_rate // 10
    jump = np.abs(loop[0].astype(np.float64) - loop[-1])
    step_999 = np.percentile(np.abs(np.diff(loop.astype(np.float64), axis=0)), 99.9, axis=0)
    levels = window_db(loop, width)
    level_step_db = abs(rms_db(loop[:width]) - rms_db(loop[-width:]))
    level_spread_db = float(np.percentile(np.abs(np.diff(levels)), 99))
    return {
        "jump": jump,
        "step_999": step_999,
        "jump_ok": bool(np.all(jump <= step_999)),
        "level_step_db": level_step_db,
        "level_spread_db": level_spread_db,
        "level_ok": level_step_db <= level_spread_db,
    }


def spectral_centroid_hz(x: np.ndarray, sample_rate: int) -> float:
    """Power-weighted mean frequency of the mid (L+R) signal."""
    power = np.abs(np.fft.rfft(np.asarray(x, dtype=np.float64).mean(axis=1))) ** 2
    freqs = np.fft.rfftfreq(x.shape[0], 1.0 / sample_rate)
    return float(np.sum(power * freqs) / np.sum(power))


def band_fraction_db(x: np.ndarray, sample_rate: int, above_hz: float) -> float:
    """Share of the mid signal's power above ``above_hz`` (dB)."""
    power = np.abs(np.fft.rfft(np.asarray(x, dtype=np.float64).mean(axis=1))) ** 2
    freqs = np.fft.rfftfreq(x.shape[0], 1.0 / sample_rate)
    return float(10 * np.log10(np.sum(power[freqs > above_hz]) / np.sum(power)))


def envelope_modulation(loop: np.ndarray, sample_rate: int, cycles: int) -> float:
    """Modulation depth of the 100 ms RMS envelope at ``cycles`` per loop (amplitude / mean)."""
    width = sample_rate // 10
    k = loop.shape[0] // width
    env = np.sqrt(np.mean(np.asarray(loop[: k * width], dtype=np.float64).reshape(k, width, -1) ** 2, axis=(1, 2)))
    spectrum = np.abs(np.fft.rfft(env)) * 2 / k
    return float(spectrum[cycles] / env.mean())


def envelope_periodicity(loop: np.ndarray, sample_rate: int, min_lag_s: float, max_lag_s: float) -> tuple[float, float]:
    """The strongest repetition of the 100 ms RMS envelope at lags of ``min_lag_s`` to ``max_lag_s``.

    Returns ``(correlation, lag_s)``: the largest circular autocorrelation (1 = the envelope
    repeats exactly at that lag) of the loop's mean-removed envelope, and where it is.
    """
    width = sample_rate // 10
    k = loop.shape[0] // width
    env = np.sqrt(np.mean(np.asarray(loop[: k * width], dtype=np.float64).reshape(k, width, -1) ** 2, axis=(1, 2)))
    env -= env.mean()
    ac = np.fft.irfft(np.abs(np.fft.rfft(env)) ** 2, k)
    ac /= ac[0]
    lags_s = np.arange(k) / 10
    window = (lags_s >= min_lag_s) & (lags_s <= max_lag_s)
    best = int(np.argmax(np.where(window, ac, -np.inf)))
    return float(ac[best]), float(lags_s[best])
