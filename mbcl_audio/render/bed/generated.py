"""The generated default beds: fixed recipes and seeds, periodic by construction.

Every default bed is synthesized here, so it is deterministic (same bytes on
every run) and the project owns it outright (see ``music/README.md`` for its
licence). Each loop is periodic by construction: every partial, swell and
slow modulation completes a whole number of cycles per loop, noise is shaped
in the frequency domain (a circular operation), and short events (rain drops)
wrap around the loop end. Looping therefore needs no crossfade and has no seam.

All recipes are pure functions of the sample rate; :func:`generated_loop`
caches them per sample rate and hands out copies. Given a folder, it also keeps each loop on
disk (:func:`stored_loop`), so that a new process (the next build) loads it instead of making
it again (about a second for a 64 s loop).
"""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from pathlib import Path
from typing import Callable, Literal, Optional, get_args

import numpy as np

from ...atomic import write_atomic
from ...measure import loudness
from . import common
from .common import normalize_loop

#: Length of every generated loop (s). 64 s is long enough that the repetition is not heard.
LOOP_S = 64.0

#: Waves per ocean loop: one every 9 s on average, the slow pace of a calm surf.
OCEAN_SWELL_CYCLES = 7
#: A second, weaker set of waves per ocean loop, so consecutive waves differ.
OCEAN_SET_CYCLES = 5
#: How much the waves' pace wanders (0: every wave equally long). At 0.2 they last 6 to 15 s, so
#: the surf has no steady period to pulse against the 10 s breath of the pacing tone.
OCEAN_IRREGULARITY = 0.2

#: A bed the package generates (a script's ``bed`` may also name a file, or ``"none"``).
GeneratedBed = Literal["warm-pad", "ocean", "rain"]
BED_NAMES: tuple[GeneratedBed, ...] = get_args(GeneratedBed)


def _turns(cycles: int, n: int) -> np.ndarray:
    """Loop position times ``cycles``, wrapped to [0, 1): ``np.ndarray [shape=(n,)]`` float64.

    Integer arithmetic before the division keeps the waveform periodic over
    the loop to the last sample, whatever ``n``.
    """
    index = np.arange(n, dtype=np.int64)
    return (cycles * index) % n / n


def _shaped_noise(rng: np.random.Generator, n: int, gain: np.ndarray) -> np.ndarray:
    """White noise shaped by ``gain`` (one factor per ``rfftfreq`` bin), unit RMS: ``np.ndarray [shape=(n,)]``.

    Filtering by multiplying the spectrum is circular convolution, so the
    noise is periodic over ``n`` samples: no seam at the loop point.
    """
    # The spectrum of white noise is itself white complex Gaussian noise: draw it directly
    # (saves a forward FFT per noise; the scale is normalized away).
    spectrum = rng.standard_normal(gain.shape[0]) + 1j * rng.standard_normal(gain.shape[0])
    noise = np.fft.irfft(spectrum * gain, n)
    return noise / np.sqrt(np.mean(noise**2))


def _lowpass(freqs: np.ndarray, cutoff_hz: float, order: int = 4) -> np.ndarray:
    """Magnitude of a smooth low-pass (``order`` x 6 dB/octave above ``cutoff_hz``)."""
    return 1.0 / np.sqrt(1.0 + (freqs / cutoff_hz) ** (2 * order))


def _highpass(freqs: np.ndarray, cutoff_hz: float, order: int = 2) -> np.ndarray:
    """Magnitude of a smooth high-pass (``order`` x 6 dB/octave below ``cutoff_hz``); 0 at DC."""
    ratio = (freqs / cutoff_hz) ** (2 * order)
    return np.sqrt(ratio / (1.0 + ratio))


def _pink(freqs: np.ndarray) -> np.ndarray:
    """Pink (-3 dB/octave) magnitude, 0 at DC."""
    return np.where(freqs > 0, 1.0 / np.sqrt(np.maximum(freqs, 1e-9)), 0.0)


def warm_pad(sample_rate: int) -> np.ndarray:
    """A slow, warm drone on D: open fifths with a soft major third and a breath of air.

    Returns
    -------
    np.ndarray [shape=(LOOP_S * sample_rate, 2)], float32, at ``LOOP_LUFS``
    """
    n = int(LOOP_S * sample_rate)
    index = np.arange(n, dtype=np.int64)
    rng = np.random.default_rng(20261127)
    partials = [  # (frequency Hz, amplitude)
        (73.42, 0.55),
        (110.0, 0.45),
        (146.83, 0.40),
        (220.0, 0.22),
        (293.66, 0.12),
        (369.99, 0.06),
    ]

    def turns(cycles: int) -> np.ndarray:
        # float32 as in the first release, so warm-pad keeps its exact samples.
        return ((cycles * index) % n / n).astype(np.float32)

    out = np.zeros((n, 2), dtype=np.float32)
    two_pi = np.float32(2 * np.pi)
    for ch in range(2):
        for f, amp in partials:
            cycles = round(f * LOOP_S) + ch  # one extra turn per loop on the right: a slow, wide beat
            swell_cycles = int(rng.integers(1, 4))
            swell_phase = np.float32(rng.uniform(0, 2 * np.pi))
            swell = 0.65 + 0.35 * np.sin(two_pi * turns(swell_cycles) + swell_phase)
            phase = np.float32(rng.uniform(0, 2 * np.pi))
            out[:, ch] += np.float32(amp) * swell * np.sin(two_pi * turns(cycles) + phase)
    # Air: pink-ish noise low-passed at ~900 Hz, shaped circularly so it loops seamlessly.
    freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
    shape = np.where(freqs > 20, 1.0 / np.sqrt(np.maximum(freqs, 1.0)), 0.0) / (1 + (freqs / 900.0) ** 4)
    for ch in range(2):
        air = np.fft.irfft(np.fft.rfft(rng.standard_normal(n)) * shape, n)
        out[:, ch] += (0.08 * air / np.sqrt(np.mean(air**2))).astype(np.float32)
    return normalize_loop(out, sample_rate)


def _wandering_turns(cycles: int, n: int, depth: float, phases: tuple[float, float]) -> np.ndarray:
    """Like :func:`_turns`, but the pace wanders: ``np.ndarray [shape=(n,)]`` float64, wrapped to [0, 1).

    The position advances at ``cycles * (1 + depth * (cos(4 pi u + a) + cos(6 pi u + b)))`` per loop
    (``u`` the loop position): faster and slower stretches, yet exactly ``cycles`` turns per loop,
    so the loop stays periodic. ``depth`` below 0.5 keeps it moving forward.
    """
    u = np.arange(n, dtype=np.int64) / n
    a, b = phases
    drift = depth * (
        (np.sin(4 * np.pi * u + a) - np.sin(a)) / (4 * np.pi) + (np.sin(6 * np.pi * u + b) - np.sin(b)) / (6 * np.pi)
    )
    return (cycles * (u + drift)) % 1.0


def _wave(
    cycles: int, n: int, phase: float, skew: float = 0.6, sharpness: float = 1.5, turns: np.ndarray | None = None
) -> np.ndarray:
    """One swell per cycle, 0..1, ``np.ndarray [shape=(n,)]``: a quicker rise and a longer fall, like a wave.

    The phase ``p`` is warped to ``p + skew * (1 - cos(2 pi p)) / (2 pi)``: that
    still advances exactly one turn per cycle (so the shape stays periodic, with
    a continuous slope) but reaches the crest at about a third of the cycle.
    ``turns`` (default: even, :func:`_turns`) is where in its cycle each sample is.
    """
    p = ((_turns(cycles, n) if turns is None else turns) + phase) % 1.0
    warped = p + skew * (1.0 - np.cos(2 * np.pi * p)) / (2 * np.pi)
    return (0.5 - 0.5 * np.cos(2 * np.pi * warped)) ** sharpness


def ocean(sample_rate: int) -> np.ndarray:
    """Slow surf: low-passed noise rising and falling in waves of 6 to 15 s, wide and soft.

    Recipe: per channel, independent pink noise low-passed at 1.1 kHz (the
    wash) follows a wave envelope with ``OCEAN_SWELL_CYCLES`` waves per loop,
    whose pace wanders (``OCEAN_IRREGULARITY``) so that no wave period competes
    with the breath, plus a weaker set of ``OCEAN_SET_CYCLES``; a thin "foam" band (400 Hz to
    2.4 kHz, steep low-pass, no harsh highs) follows the envelope squared, so
    crests are a little brighter; a low rumble under 300 Hz, half shared
    between the channels, keeps the troughs from going empty. The right
    channel's waves arrive 0.6 s later than the left's: width without a pan.

    Returns
    -------
    np.ndarray [shape=(LOOP_S * sample_rate, 2)], float32, at ``LOOP_LUFS``
    """
    n = int(LOOP_S * sample_rate)
    rng = np.random.default_rng(20261128)
    freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
    wash_shape = _pink(freqs) * _highpass(freqs, 60.0) * _lowpass(freqs, 1100.0)
    foam_shape = _pink(freqs) * _highpass(freqs, 400.0) * _lowpass(freqs, 2400.0, order=6)
    rumble_shape = _pink(freqs) * _highpass(freqs, 30.0) * _lowpass(freqs, 300.0)
    shared_rumble = _shaped_noise(rng, n, rumble_shape)
    tide = 0.9 + 0.1 * np.sin(2 * np.pi * _turns(1, n) + rng.uniform(0, 2 * np.pi))
    set_phase = rng.uniform(0, 1)
    wandering = _wandering_turns(OCEAN_SWELL_CYCLES, n, OCEAN_IRREGULARITY, tuple(rng.uniform(0, 2 * np.pi, 2)))
    out = np.zeros((n, 2), dtype=np.float32)
    for ch in range(2):
        lag = ch * 0.6 / LOOP_S  # right channel 0.6 s behind (as a fraction of the loop)
        envelope = tide * (
            0.75 * _wave(OCEAN_SWELL_CYCLES, n, 0.0, turns=np.roll(wandering, round(lag * n)))
            + 0.25 * _wave(OCEAN_SET_CYCLES, n, set_phase - lag * OCEAN_SET_CYCLES)
        )
        wash = _shaped_noise(rng, n, wash_shape) * (0.12 + 0.88 * envelope)
        foam = _shaped_noise(rng, n, foam_shape) * 0.35 * envelope**2
        rumble = 0.3 * (0.6 * shared_rumble + 0.4 * _shaped_noise(rng, n, rumble_shape))
        out[:, ch] = (wash + foam + rumble).astype(np.float32)
    return normalize_loop(out, sample_rate)


def rain(sample_rate: int) -> np.ndarray:
    """Soft rain on leaves: a gentle broadband hiss with sparse, soft droplets.

    Recipe: per channel, independent pink noise band-limited to 250 Hz - 6 kHz
    (gentle slopes, so it hisses without sizzling) over a faint low patter
    (80 - 500 Hz); its density breathes by +-1 dB over 2 and 3 cycles per
    loop. About 4 droplets a second are placed from the fixed seed: each a
    damped sine of 0.9 - 3.2 kHz with a 1 ms raised-cosine onset (a soft
    tick, not a click) and a 4 - 12 ms decay, panned at random; a droplet
    that runs past the loop end wraps to its start.

    Returns
    -------
    np.ndarray [shape=(LOOP_S * sample_rate, 2)], float32, at ``LOOP_LUFS``
    """
    n = int(LOOP_S * sample_rate)
    rng = np.random.default_rng(20261129)
    freqs = np.fft.rfftfreq(n, 1.0 / sample_rate)
    hiss_shape = _pink(freqs) * _highpass(freqs, 250.0) * _lowpass(freqs, 6000.0, order=2)
    patter_shape = _pink(freqs) * _highpass(freqs, 80.0) * _lowpass(freqs, 500.0)
    density = 10 ** (
        (0.6 * np.sin(2 * np.pi * _turns(2, n) + rng.uniform(0, 2 * np.pi))
         + 0.4 * np.sin(2 * np.pi * _turns(3, n) + rng.uniform(0, 2 * np.pi))) / 20
    )
    out = np.zeros((n, 2), dtype=np.float64)
    for ch in range(2):
        out[:, ch] = density * (_shaped_noise(rng, n, hiss_shape) + 0.35 * _shaped_noise(rng, n, patter_shape))

    n_drops = int(4 * LOOP_S)
    onset = max(1, int(0.001 * sample_rate))
    starts = rng.integers(0, n, n_drops)
    freqs_hz = np.exp(rng.uniform(np.log(900.0), np.log(3200.0), n_drops))
    decays_s = rng.uniform(0.004, 0.012, n_drops)
    levels = 10 ** (rng.uniform(-2.0, 8.0, n_drops) / 20)  # relative to the hiss RMS: soft
    pans = rng.uniform(0.15, 0.85, n_drops) * np.pi / 2
    phases = rng.uniform(0, 2 * np.pi, n_drops)
    for start, f, decay_s, level, pan, phase in zip(starts, freqs_hz, decays_s, levels, pans, phases):
        length = int(6 * decay_s * sample_rate)  # to -52 dB
        t = np.arange(length) / sample_rate
        drop = level * np.exp(-t / decay_s) * np.sin(2 * np.pi * f * t + phase)
        drop[:onset] *= np.sin(0.5 * np.pi * np.arange(onset) / onset) ** 2
        idx = (start + np.arange(length)) % n  # wrap: the loop stays periodic
        out[idx, 0] += np.cos(pan) * drop
        out[idx, 1] += np.sin(pan) * drop
    return normalize_loop(out.astype(np.float32), sample_rate)


_RECIPES: dict[GeneratedBed, Callable[[int], np.ndarray]] = {"warm-pad": warm_pad, "ocean": ocean, "rain": rain}


def recipe_key(name: GeneratedBed, sample_rate: int) -> str:
    """What the loop ``name`` is made from, as a hex digest: its name and rate, numpy's version and
    the code of the recipes, the loop normalization and the loudness meter (any edit is a new key)."""
    digest = hashlib.sha256(f"{name}|{int(sample_rate)}|numpy {np.__version__}".encode())
    for module in (__file__, common.__file__, loudness.__file__):
        digest.update(Path(module).read_bytes())
    return digest.hexdigest()


def stored_loop(name: GeneratedBed, sample_rate: int, folder: Path) -> np.ndarray:
    """The loop ``name`` from ``folder`` (``<name>-<key>.npy``), made and stored there when it is
    missing or unreadable. Stored atomically, so builds running at once never read half a file."""
    path = Path(folder) / f"{name}-{recipe_key(name, sample_rate)[:32]}.npy"
    try:
        loop = np.load(path, allow_pickle=False)
        if loop.dtype == np.float32 and loop.ndim == 2 and loop.shape[1] == 2 and np.isfinite(loop).all():
            return loop
    except (OSError, ValueError, EOFError):
        pass  # absent or damaged: made again below
    loop = _RECIPES[name](sample_rate)
    buffer = io.BytesIO()
    np.save(buffer, loop, allow_pickle=False)
    try:
        write_atomic(path, buffer.getvalue())
    except OSError:
        pass  # a read-only cache only costs the next build the second it saves
    return loop


@lru_cache(maxsize=6)
def _cached(name: GeneratedBed, sample_rate: int) -> np.ndarray:
    loop = _RECIPES[name](sample_rate)
    loop.flags.writeable = False  # the cached master copy is never handed out
    return loop


def generated_loop(name: GeneratedBed, sample_rate: int, cache_dir: Optional[Path] = None) -> np.ndarray:
    """The generated bed ``name`` (one of ``BED_NAMES``): a fresh ``np.ndarray [shape=(n, 2)]`` float32 copy.

    With ``cache_dir`` the loop is also kept on disk there (:func:`stored_loop`).

    Raises ``KeyError`` for other names; :func:`mbcl_audio.render.bed.bed_loop`
    turns that into a :class:`BedError` listing the choices.
    """
    if name not in _RECIPES:
        raise KeyError(name)
    if cache_dir is not None:  # loaded from disk each time (milliseconds): no second copy held in memory
        return stored_loop(name, int(sample_rate), Path(cache_dir))
    return _cached(name, int(sample_rate)).copy()
