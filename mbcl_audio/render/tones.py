"""Pacing-tone families: one breath cycle rendered as a table, for any cycle length and in:out split.

Every family shares one contract, which is what lets the mixer chain cycles of
different lengths (a 8/min -> 6/min ramp, a steps grid) without clicks:

* the in-breath fills ``[0, in_samples)`` and the out-breath
  ``[in_samples, cycle_samples)``;
* the amplitude envelope is exactly zero at sample 0 and falls smoothly (zero
  slope) to about zero at the last sample, so the join between any two cycles
  is a near-silent point whatever their lengths;
* in- and out-breath sound different (pitch, brightness, envelope shape), so a
  listener can follow the breath without looking at anything.

Tables are pure functions of ``(family, cycle_samples, in_samples,
sample_rate)`` (noise comes from a seed computed from those integers), cached,
and returned as copies so callers may scale them in place.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import scipy.fft

from ..audio import raised_cosine
from ..errors import MbclError
from ..measure.loudness import array_loudness
from ..vocab import TONE_FAMILIES, ToneFamily  # the names accepted by :func:`breath_cycle`

# glide: G3 at the turn from out- to in-breath, D4 at the top of the in-breath.
GLIDE_LOW_HZ = 196.0
GLIDE_HIGH_HZ = 294.0
#: Relative amplitudes of harmonics 1, 2, 3: mostly fundamental, a little warmth.
GLIDE_HARMONICS = (1.0, 0.25, 0.08)

# ocean: centre of the moving band-pass (Hz) at the start of the in-breath, at the turn,
# and at the end of the out-breath (lower than where it started: the out-breath is darker).
OCEAN_START_HZ = 250.0
OCEAN_TOP_HZ = 1400.0
OCEAN_END_HZ = 140.0
#: Centres of the fixed noise bands the moving band-pass is blended from (half-octave grid).
OCEAN_BAND_HZ = tuple(100.0 * 2.0 ** (k / 2) for k in range(12))  # 100 Hz .. 4.5 kHz
#: Width of one band and of the moving pass band (standard deviations, octaves).
OCEAN_BAND_OCT = 0.35
OCEAN_PASS_OCT = 0.55
#: Crest factor (peak / RMS over the cycle) at which the noise peaks are softly rounded off.
OCEAN_KNEE_CREST = 3.5

# bowl: a rubbed swell on D4 for the in-breath, a lower G3 resonance for the out-breath.
BOWL_IN_HZ = 293.66
BOWL_OUT_HZ = 196.0
#: Inharmonic partials of a singing bowl (frequency ratios) and their weights.
BOWL_RATIOS = (1.0, 2.71, 5.1)
BOWL_WEIGHTS = (1.0, 0.45, 0.18)
#: Detuning of each partial's twin (Hz): slow beating, the "living" sound of a bowl.
BOWL_BEAT_HZ = (0.5, 0.8, 1.1)
#: Level of the out-breath resonance relative to the in-breath swell (softer).
BOWL_OUT_LEVEL = 0.7
#: Onset of the out-breath resonance (s): no strike transient, since it repeats every breath.
BOWL_ATTACK_S = 0.08
BOWL_MIN_ATTACK_S = 0.02


class ToneError(MbclError, ValueError):
    """An unknown tone family or bell place, or a breath cycle that cannot be split."""


def breath_cycle(family: ToneFamily, cycle_samples: int, in_samples: int, sample_rate: int) -> np.ndarray:
    """One breath cycle of a pacing-tone family.

    Parameters
    ----------
    family : ToneFamily
        One of :data:`TONE_FAMILIES`.
    cycle_samples : int > 1
        Length of the whole breath cycle (samples).
    in_samples : int, 0 < in_samples < cycle_samples
        Length of the in-breath (samples); the out-breath is the rest.
    sample_rate : int
        Sample rate (Hz).

    Returns
    -------
    table : np.ndarray [shape=(cycle_samples,)], float32
        Peak ``|x|`` exactly 1.0; ``table[0] == 0`` and the envelope returns to
        about zero at the last sample, so cycles of any lengths concatenate
        without a click. A fresh copy: callers may modify it.

    Raises
    ------
    ToneError
        Unknown family, or ``in_samples`` outside ``(0, cycle_samples)``.
    """
    key = _check(family, cycle_samples, in_samples, sample_rate)
    return _table(*key).copy()


def tone_loudness_lufs(family: ToneFamily, cycle_samples: int, in_samples: int, sample_rate: int) -> float:
    """BS.1770 integrated loudness (LUFS, mono) of the family's table at peak 1.0, over whole cycles.

    Measured on two repeats of the table, so the gating sees the tone as it
    plays (periodically) rather than a single swell with silent margins; the
    mixer uses it to set every family to the same level relative to the voice.
    """
    return _loudness(*_check(family, cycle_samples, in_samples, sample_rate))


def _check(family: ToneFamily, cycle_samples: int, in_samples: int, sample_rate: int) -> tuple[ToneFamily, int, int, int]:
    if family not in TONE_FAMILIES:
        raise ToneError(f"unknown tone family {family!r}; choose one of: {', '.join(TONE_FAMILIES)}")
    cycle_samples, in_samples, sample_rate = int(cycle_samples), int(in_samples), int(sample_rate)
    if not 0 < in_samples < cycle_samples:
        raise ToneError(
            f"in-breath of {in_samples} samples does not fit a breath cycle of {cycle_samples} samples"
        )
    if sample_rate <= 0:
        raise ToneError(f"sample rate must be positive, got {sample_rate}")
    return family, cycle_samples, in_samples, sample_rate


@lru_cache(maxsize=32)
def _table(family: ToneFamily, cycle_samples: int, in_samples: int, sample_rate: int) -> np.ndarray:
    render = {"glide": _glide, "ocean": _ocean, "bowl": _bowl}[family]
    out = render(cycle_samples, in_samples, sample_rate)
    out /= np.abs(out).max()
    out = out.astype(np.float32)
    out[0] = 0.0  # already zero by construction (envelope sin(0)**2); pin it against rounding
    out.flags.writeable = False  # the cached original; callers get copies
    return out


@lru_cache(maxsize=32)
def _loudness(family: ToneFamily, cycle_samples: int, in_samples: int, sample_rate: int) -> float:
    return float(array_loudness(np.tile(_table(family, cycle_samples, in_samples, sample_rate), 2), sample_rate))


def _phases(cycle_samples: int, in_samples: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(inhale, p_in, p_out)``: in-breath mask and the position 0..1 within each phase,
    each ``np.ndarray [shape=(cycle_samples,)]``.

    ``p_in`` runs 0 -> 1 over the in-breath (and beyond it afterwards);
    ``p_out`` is negative during the in-breath and runs 0 -> 1 over the out-breath.
    """
    n = np.arange(cycle_samples, dtype=np.float64)
    return n < in_samples, n / in_samples, (n - in_samples) / (cycle_samples - in_samples)


def _swell(cycle_samples: int, in_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """``(inhale, swell)``: 0 -> 1 over the in-breath, 1 -> 0 over the out-breath, ``sin^2``/``cos^2``.

    Zero slope at both ends and at the turn: the shape that makes the cycle
    joins silent and the turn itself smooth.
    """
    inhale, p_in, p_out = _phases(cycle_samples, in_samples)
    swell = np.where(inhale, raised_cosine(p_in), raised_cosine(1.0 - p_out))
    return inhale, swell


def _glide(cycle_samples: int, in_samples: int, sample_rate: int) -> np.ndarray:
    """Soft sine glide: swells and rises G3 -> D4 on the in-breath, falls and fades on the out-breath."""
    _, rise = _swell(cycle_samples, in_samples)
    freq_hz = GLIDE_LOW_HZ + (GLIDE_HIGH_HZ - GLIDE_LOW_HZ) * rise
    turns = np.cumsum(freq_hz) / sample_rate
    # Stretch the glide by a hair so a cycle holds a whole number of turns: equal-length
    # cycles then repeat as one continuous waveform, not just at a silent point.
    whole = max(1.0, np.round(turns[-1]))
    phase = np.concatenate(([0.0], turns[:-1])) * (whole / turns[-1])
    wave = np.zeros(cycle_samples)
    for k, amp in enumerate(GLIDE_HARMONICS, start=1):
        wave += amp * np.sin(2 * np.pi * k * phase)
    return rise * wave


def _seed(family: ToneFamily, cycle_samples: int, in_samples: int) -> int:
    """A fixed integer formula (never ``hash()``, which is salted per process)."""
    family_code = TONE_FAMILIES.index(family) + 1
    return (family_code * 1_000_003 + cycle_samples * 7_919 + in_samples * 104_729) % (2**63)


def _ocean(cycle_samples: int, in_samples: int, sample_rate: int) -> np.ndarray:
    """Filtered noise whose pass band opens and brightens on the in-breath and sinks, darker, on the out-breath.

    The moving band-pass is a blend of fixed half-octave noise bands (FFT-filtered
    from one noise draw), weighted by a Gaussian in log-frequency around the moving
    centre; the weights are normalised to constant power so only the envelope
    sets the level. Cheap (a dozen FFTs) and free of time-varying filter state.
    """
    # Single precision and an FFT-friendly length (the excess is cut off) keep a 10 s
    # cycle well under 0.1 s of FFT work; the noise need not wrap around.
    fft_samples = scipy.fft.next_fast_len(cycle_samples, real=True)
    rng = np.random.default_rng(_seed("ocean", cycle_samples, in_samples))
    spectrum = scipy.fft.rfft(rng.standard_normal(fft_samples, dtype=np.float32))
    log_f = np.log2(np.maximum(scipy.fft.rfftfreq(fft_samples, 1.0 / sample_rate), 1.0)).astype(np.float32)
    band_oct = np.log2(np.asarray(OCEAN_BAND_HZ))
    band_oct = band_oct[band_oct < np.log2(0.45 * sample_rate)]
    bands = []
    for centre in band_oct:
        shape = np.exp(-0.5 * ((log_f - np.float32(centre)) / np.float32(OCEAN_BAND_OCT)) ** 2)
        band = scipy.fft.irfft(spectrum * shape, n=fft_samples)[:cycle_samples]
        bands.append(band / float(np.sqrt(np.mean(band.astype(np.float64) ** 2))))  # unit RMS: weights set the colour

    inhale, p_in, p_out = _phases(cycle_samples, in_samples)
    lo, top, end = np.log2([OCEAN_START_HZ, OCEAN_TOP_HZ, OCEAN_END_HZ])
    # In: the centre climbs like a wave drawing in. Out: it drops fast at first and then
    # settles low (1 - (1-p)^2), so the out-breath is darker on average, not a mirror image.
    centre = np.where(
        inhale,
        lo + (top - lo) * raised_cosine(p_in),
        top + (end - top) * (1.0 - (1.0 - np.clip(p_out, 0.0, 1.0)) ** 2),
    )
    # Weights on a coarse grid (every 32 samples) then interpolated: the centre moves over seconds.
    step = 32
    coarse = np.arange(0, cycle_samples + step, step)
    coarse_centre = np.interp(coarse, np.arange(cycle_samples), centre)
    weights = np.exp(-0.5 * ((coarse_centre[None, :] - band_oct[:, None]) / OCEAN_PASS_OCT) ** 2)
    weights /= np.sqrt((weights**2).sum(axis=0, keepdims=True))
    weights = weights.astype(np.float32)
    frac = (np.arange(step) / step).astype(np.float32)
    out = np.zeros(cycle_samples, dtype=np.float32)
    for band, w in zip(bands, weights):
        # Linear interpolation between grid points, block by block (np.interp is 10x slower here).
        w_full = (w[:-1, None] + (w[1:] - w[:-1])[:, None] * frac[None, :]).ravel()[:cycle_samples]
        out += band * w_full
    # In: sin^2 swell. Out: a long receding tail, cos^2 on a warped clock (p^0.6) that falls
    # quickly after the turn and then lingers low, still with zero slope at the very end.
    envelope = np.where(inhale, raised_cosine(p_in), raised_cosine(1.0 - np.clip(p_out, 0.0, 1.0) ** 0.6))
    wave = envelope * out.astype(np.float64)
    # Peak-normalising raw noise would let one random extreme set the level (cycles of a
    # ramp differed by over 3 LU); a soft tanh knee at OCEAN_KNEE_CREST x RMS makes the
    # peak, and so the loudness at peak 1.0, nearly the same for every draw.
    rms = np.sqrt(np.mean(wave**2))
    return np.tanh(wave / (OCEAN_KNEE_CREST * rms))


def _bowl_partials(
    t_s: np.ndarray, pitch_hz: float, brightness: np.ndarray | float, decay_scale_s: float | None = None
) -> np.ndarray:
    """Sum of the bowl's partials (each with a slightly detuned twin that beats against it).

    ``brightness`` raises partial k's weight to ``brightness**k`` (1 = full
    weights); with ``decay_scale_s`` partial k decays as ``exp(-t/(scale / ratio**0.7))``,
    so higher partials die first, as on a real bowl.
    """
    out = np.zeros_like(t_s)
    for k, (ratio, weight, beat_hz) in enumerate(zip(BOWL_RATIOS, BOWL_WEIGHTS, BOWL_BEAT_HZ)):
        f_hz = pitch_hz * ratio
        tone = 0.7 * np.sin(2 * np.pi * f_hz * t_s) + 0.3 * np.sin(2 * np.pi * (f_hz + beat_hz) * t_s)
        amp = weight * np.asarray(brightness) ** k
        if decay_scale_s is not None:
            amp = amp * np.exp(-t_s / (decay_scale_s / ratio**0.7))
        out += amp * tone
    return out


def _bowl(cycle_samples: int, in_samples: int, sample_rate: int) -> np.ndarray:
    """A rubbed swell on D4 through the in-breath; on the out-breath it lets go into a softer, lower G3 ring."""
    inhale, p_in, p_out = _phases(cycle_samples, in_samples)
    out_samples = cycle_samples - in_samples
    t_s = np.arange(cycle_samples) / sample_rate

    # In-breath swell: rises over the whole in-breath and brightens as it grows (rubbing
    # harder excites the upper partials); released over the first fifth of the out-breath.
    # Time is counted from the turn so each partial and its twin are in phase at the top of
    # the swell: otherwise the beat phase there, and with it the level left after peak
    # normalisation, would depend on the cycle length (7 LU apart across a ramp).
    release = 0.2
    swell = np.where(inhale, raised_cosine(p_in), raised_cosine(1.0 - p_out / release))
    out = swell * _bowl_partials(t_s - in_samples / sample_rate, BOWL_IN_HZ, brightness=0.4 + 0.6 * swell)

    # Out-breath ring: starts at the turn from silence with a raised-cosine onset of at
    # least 20 ms, decays (upper partials faster), and is faded to zero by the cycle's end.
    exhale = ~inhale
    t_out_s = t_s[exhale] - in_samples / sample_rate
    out_s = out_samples / sample_rate
    attack_s = min(BOWL_ATTACK_S, max(BOWL_MIN_ATTACK_S, 0.25 * out_s))
    onset = raised_cosine(t_out_s / attack_s)
    tail = raised_cosine((1.0 - p_out[exhale]) / 0.3)  # last 30 % of the out-breath fades to 0
    ring = _bowl_partials(t_out_s, BOWL_OUT_HZ, brightness=1.0, decay_scale_s=0.45 * out_s)
    out[exhale] += BOWL_OUT_LEVEL * onset * tail * ring
    return out
