"""Test signals and files for the QA tests (a plain module: ``from qa_files import ...``).

Speech-like bursts with room tone, written with soundfile (WAV) or the project's MP3 encoder.
"""

from __future__ import annotations

import numpy as np
import scipy.signal
import soundfile as sf
from signals import SR

from mbcl_audio.audio import ArraySource
from mbcl_audio.export import encode_mp3
from mbcl_audio.measure import array_loudness


def speech_like(seconds: float, sr: int = SR, seed: int = 0, start_s: float = 0.0, end_pad_s: float = 0.0) -> np.ndarray:
    """Mono float64 "speech": 0.4-2 s bursts of 200-3000 Hz noise with syllable envelopes, 0.3-1.5 s silences.

    Silent (exact zeros) before ``start_s`` and for the last ``end_pad_s`` seconds.
    """
    rng = np.random.default_rng(seed)
    n = int(round(seconds * sr))
    x = np.zeros(n)
    sos = scipy.signal.butter(4, [200, 3000], btype="bandpass", fs=sr, output="sos")
    pos = int(round(start_s * sr))
    stop = n - int(round(end_pad_s * sr))
    while pos < stop:
        dur = min(int(rng.uniform(0.4, 2.0) * sr), stop - pos)
        t = np.arange(dur) / sr
        syllables = np.abs(np.sin(np.pi * t * rng.uniform(3.0, 5.0))) ** 1.5
        edge = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.02)  # 20 ms fades: no clicks
        x[pos : pos + dur] = scipy.signal.sosfilt(sos, rng.standard_normal(dur)) * syllables * edge
        pos += dur + int(rng.uniform(0.3, 1.5) * sr)
    return x


def at_lufs(x: np.ndarray, lufs: float, sr: int = SR) -> np.ndarray:
    """``x`` scaled to an integrated loudness of ``lufs``."""
    return x * 10 ** ((lufs - array_loudness(x, sr)) / 20)


def at_rms_db(x: np.ndarray, rms_db: float) -> np.ndarray:
    return x * 10 ** (rms_db / 20) / np.sqrt(np.mean(np.square(x)))


def noise(n: int, rms_db: float, seed: int = 99) -> np.ndarray:
    return 10 ** (rms_db / 20) * np.random.default_rng(seed).standard_normal(n)


def write_wav(path, x: np.ndarray, sr: int = SR, subtype: str = "PCM_16"):
    sf.write(str(path), np.asarray(x, dtype=np.float32), sr, subtype=subtype)
    return path


def write_mp3(path, x: np.ndarray, sr: int = SR, bitrate_kbps: int = 192):
    x = np.asarray(x, dtype=np.float32)
    return encode_mp3(ArraySource(x, sr), path, bitrate_kbps)


def acx_track(noise_db: float = -68.0, seconds: float = 30.0) -> np.ndarray:
    """ACX-like mono track: 0.75 s head and 2 s tail room tone, speech at about -22.7 dB RMS, noise under all."""
    speech = at_rms_db(speech_like(seconds, start_s=0.75, end_pad_s=2.0, seed=3), -22.1)
    # Soft saturation keeps sample and true peaks near -5 dBFS (ACX allows -3) after MP3 encoding.
    ceiling = 10 ** (-5.5 / 20)
    speech = ceiling * np.tanh(speech / ceiling)
    return speech + noise(speech.size, noise_db)


def breath_tone(cycle_samples: int, in_samples: int, sr: int = SR, freq_hz: float = 250.0) -> np.ndarray:
    """One breath cycle of a pacing-like tone: ``sin^2`` swell over the in-breath, fall over the out-breath."""
    n = np.arange(cycle_samples)
    up = np.sin(0.5 * np.pi * n / in_samples) ** 2
    down = np.cos(0.5 * np.pi * (n - in_samples) / (cycle_samples - in_samples)) ** 2
    return np.where(n < in_samples, up, down) * np.sin(2 * np.pi * freq_hz * n / sr)
