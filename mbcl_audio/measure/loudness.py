"""Streaming ITU-R BS.1770-4 integrated loudness (LUFS).

The K-weighting is derived from the standard itself (:func:`k_weighting_sos`),
and the gating follows pyloudnorm 0.2.0 step for step, so the two agree on whole
arrays when pyloudnorm is given the same filter (its ``filter_class="DeMan"``;
its default RBJ-cookbook K-weighting differs from the standard's by up to
0.05 dB across the band). Unlike pyloudnorm this meter streams: the track is
read in blocks, the K-weighting filter carries its state across blocks, and
only one mean-square energy per channel per 100 ms sub-block is kept
(27,000 x channels floats for 45 minutes). A 400 ms gating block with 75 %
overlap is exactly four consecutive 100 ms sub-blocks, so block energies are
sums of four sub-block energies.

Block-size independence is exact, not approximate: the filter recursion is the
same arithmetic whether or not it is split, each sub-block's sum of squares is
taken over the same samples in the same order, and the gating runs once over
the whole sub-block table.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

import numpy as np
import scipy.signal

from mbcl_audio.audio import BLOCK_SAMPLES, ArraySource, Source

#: Gating block length (s) and step (s) of BS.1770-4 (400 ms, 75 % overlap).
GATE_BLOCK_S = 0.400
GATE_STEP_S = 0.100
#: Absolute gate (LUFS) and relative gate (LU below the absolute-gated mean).
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0
#: BS.1770 channel weights in the order L, R, C, Ls, Rs (as pyloudnorm).
CHANNEL_WEIGHTS = (1.0, 1.0, 1.0, 1.41, 1.41)
#: The loudness offset of BS.1770 eq. 2 (dB).
LOUDNESS_OFFSET_DB = -0.691


#: The two K-weighting stages of BS.1770 as analog prototypes: a high shelf of about +4 dB above
#: ~1.7 kHz (the head's acoustic effect) and a second-order high pass at ~38 Hz (RLB weighting).
#: BS.1770 tabulates the digital coefficients for 48 kHz only; these centre frequencies, gains
#: and Qs are the ones whose bilinear transform at 48 kHz gives that table (to 1e-13; tested),
#: so the same filter is had at any sample rate. The shelf's band-edge gain is ``Vh ** VB_EXP``.
SHELF_F0_HZ = 1681.974450955533
SHELF_GAIN_DB = 3.999843853973347
SHELF_Q = 0.7071752369554196
SHELF_VB_EXP = 0.4996667741545416
HIGHPASS_F0_HZ = 38.13547087602444
HIGHPASS_Q = 0.5003270373238773


def k_weighting_sos(sample_rate: int) -> tuple[np.ndarray, float]:
    """K-weighting of ITU-R BS.1770-4 as second-order sections at ``sample_rate``.

    Returns ``(sos, gain)``: ``sos``, ``np.ndarray [shape=(2, 6)]``, the shelf then the high pass,
    for :func:`scipy.signal.sosfilt`, and ``gain``, a linear gain applied after them (1.0: the
    standard's stages carry their own gain). At 48 kHz the sections equal the coefficients
    tabulated in BS.1770-4 (Tables 1 and 2).
    """
    fs = float(sample_rate)
    k = math.tan(math.pi * SHELF_F0_HZ / fs)
    vh = 10.0 ** (SHELF_GAIN_DB / 20.0)
    vb = vh**SHELF_VB_EXP
    a0 = 1.0 + k / SHELF_Q + k * k
    shelf = [
        (vh + vb * k / SHELF_Q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / SHELF_Q + k * k) / a0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / SHELF_Q + k * k) / a0,
    ]
    k = math.tan(math.pi * HIGHPASS_F0_HZ / fs)
    a0 = 1.0 + k / HIGHPASS_Q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / HIGHPASS_Q + k * k) / a0]
    return np.array([shelf, highpass], dtype=np.float64), 1.0


def _n_gating_blocks(n_samples: int, sample_rate: int) -> int:
    """Number of 400 ms gating blocks, as pyloudnorm counts them.

    pyloudnorm rounds ``(T - 0.4) / 0.1`` to the nearest integer, so the last
    block may run up to 50 ms past the end (read as zeros). A track shorter
    than ~350 ms still gets one (zero-padded) block instead of an error.
    """
    duration = n_samples / sample_rate
    count = int(np.round((duration - GATE_BLOCK_S) / (GATE_BLOCK_S * (1 - 0.75)))) + 1
    return max(count, 1) if n_samples > 0 else 0


#: Filter state below this magnitude is set to zero between chunks (see :func:`flush_tiny_state`).
TINY_STATE = 1e-150


def flush_tiny_state(state: np.ndarray) -> np.ndarray:
    """Set the entries of an IIR filter ``state`` smaller than :data:`TINY_STATE` to zero, in place.

    In a long digital silence a recursive filter's state decays into subnormal numbers and stays
    there (the smallest subnormal times a pole just under 1 rounds back to itself), and the CPU
    computes with subnormals about a hundred times slower: a 10-minute track with silences and no
    bed took seven times as long to measure. Flushed between chunks, the state decays at most to
    the end of a chunk. What is lost is output below 1e-148, whose squares (below 1e-296) no
    meter resolves: the gates and every reading stay the same.
    """
    state[np.abs(state) < TINY_STATE] = 0.0
    return state


def subblock_energies(
    source: Source,
    block_samples: int = BLOCK_SAMPLES,
    on_chunk: Callable[[int, np.ndarray], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Sum of squares of the K-weighted signal per 100 ms sub-block.

    Returns ``(energy, hop)``: ``energy``, ``np.ndarray [shape=(n_blocks + 3, n_channels)]``
    float64, where ``n_blocks`` is the number of 400 ms
    gating blocks, and ``hop`` the sub-block length in samples. Filtered
    samples at and after the end of the track count as zero, as in pyloudnorm
    (the filter's ringing past the end is not part of the track).

    ``on_chunk``, if given, is called as ``on_chunk(start, x)`` with every raw
    (unfiltered) chunk ``x``, ``np.ndarray [shape=(stop - start, n_channels)]``
    float64, in order, so other meters can share this one
    pass. Chunks start on sub-block boundaries, are whole sub-blocks long and
    together cover every sample of the track: the reads run to the end of the
    track even where it extends past the last gating sub-block (up to 50 ms;
    those samples do not enter ``energy``). Samples past the end read as zero.
    """
    sr = int(source.sample_rate)
    n = int(source.n_samples)
    hop = int(round(GATE_STEP_S * sr))
    n_blocks = _n_gating_blocks(n, sr)
    n_sub = n_blocks + 3 if n_blocks else 0
    energy = np.zeros((n_sub, source.n_channels), dtype=np.float64)
    if n_sub == 0:
        return energy, hop
    sos, gain = k_weighting_sos(sr)
    # Read in whole sub-blocks so every sub-block sum is taken the same way
    # whatever the caller's block size.
    chunk = max(1, int(block_samples) // hop) * hop
    zi = np.zeros((sos.shape[0], 2, source.n_channels), dtype=np.float64)
    total = max(n_sub, -(-n // hop)) * hop  # gating sub-blocks, and every sample
    for start in range(0, total, chunk):
        stop = min(start + chunk, total)
        x = np.asarray(source.read(start, stop), dtype=np.float64)
        if on_chunk is not None:
            on_chunk(start, x)
        y, zi = scipy.signal.sosfilt(sos, x, axis=0, zi=zi)
        flush_tiny_state(zi)
        if gain != 1.0:
            y *= gain
        if stop > n:  # past the end of the track: no signal, no ringing
            y[max(n - start, 0) :] = 0.0
        squares = np.square(y).reshape(-1, hop, source.n_channels)
        lo, hi = start // hop, min(stop // hop, n_sub)
        if hi > lo:
            energy[lo:hi] = squares.sum(axis=1)[: hi - lo]
    return energy, hop


def channel_weights(n_channels: int) -> np.ndarray:
    """BS.1770 channel weights for ``n_channels`` (L, R, C, Ls, Rs; 1.0 beyond five)."""
    return np.array([CHANNEL_WEIGHTS[c] if c < len(CHANNEL_WEIGHTS) else 1.0 for c in range(n_channels)])


def window_mean_squares(energy: np.ndarray, hop: int, width: int) -> np.ndarray:
    """Mean square per channel over every window of ``width`` consecutive sub-blocks (hop one).

    ``energy`` as from :func:`subblock_energies`; returns ``np.ndarray [shape=(n_sub - width + 1, n_channels)]``
    (empty when there are fewer than ``width`` sub-blocks). ``width`` 4 gives the
    400 ms gating / momentary blocks, 30 the 3 s short-term windows.
    """
    n_sub = energy.shape[0]
    if n_sub < width:
        return np.zeros((0, energy.shape[1]), dtype=np.float64)
    total = energy[: n_sub - width + 1].copy()
    for k in range(1, width):
        total += energy[k : n_sub - width + 1 + k]
    return total / (width * hop)


def power_to_lufs(power: np.ndarray | float) -> np.ndarray | float:
    """Channel-weighted mean square -> loudness (LUFS), BS.1770 eq. 2; ``-inf`` for zero."""
    with np.errstate(divide="ignore"):
        return LOUDNESS_OFFSET_DB + 10.0 * np.log10(power)


def gated_loudness(energy: np.ndarray, hop: int, candidates: np.ndarray | None = None) -> float:
    """Integrated loudness (LUFS) from sub-block energies (see :func:`subblock_energies`).

    ``candidates``, ``np.ndarray [shape=(n_blocks,)]`` bool, restricts the
    measurement to those 400 ms gating blocks before both gates run (see
    :func:`speech_gated_loudness`); ``None`` takes every block. Returns ``-inf``
    when no gating block passes the absolute gate (silence).
    """
    n_sub, n_ch = energy.shape
    if n_sub < 4:
        return -math.inf
    # Mean square per 400 ms block: four sub-blocks over 4 * hop samples.
    z = window_mean_squares(energy, hop, 4)
    if candidates is not None:
        z = z[np.asarray(candidates, dtype=bool)[: len(z)]]
    weights = channel_weights(n_ch)
    power = z @ weights  # (n_blocks,)
    block_lufs = power_to_lufs(power)
    above_abs = block_lufs >= ABSOLUTE_GATE_LUFS
    if not above_abs.any():
        return -math.inf
    gamma_r = LOUDNESS_OFFSET_DB + 10.0 * math.log10(float(z[above_abs].mean(axis=0) @ weights)) + RELATIVE_GATE_LU
    kept = (block_lufs > gamma_r) & (block_lufs > ABSOLUTE_GATE_LUFS)
    if not kept.any():
        return -math.inf
    return LOUDNESS_OFFSET_DB + 10.0 * math.log10(float(z[kept].mean(axis=0) @ weights))


#: A 400 ms gating block counts as speech when at least this share of its samples lies in a speech span:
#: three of its four 100 ms sub-blocks, so a block half in a pause does not pull the voice level down.
SPEECH_BLOCK_SHARE = 0.75


def merged_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``(start, stop)`` sample spans sorted, with overlapping or touching ones joined and empty ones dropped."""
    out: list[tuple[int, int]] = []
    for a, b in sorted((int(a), int(b)) for a, b in spans if b > a):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def speech_blocks(spans: Iterable[tuple[int, int]], hop: int, n_blocks: int) -> np.ndarray:
    """Which 400 ms gating blocks are speech: ``np.ndarray [shape=(n_blocks,)]`` bool.

    Block ``i`` covers samples ``[i * hop, (i + 4) * hop)``; it is speech when at
    least :data:`SPEECH_BLOCK_SHARE` of them lie inside ``spans`` (``(start, stop)``
    samples, e.g. where the plan places the voice).
    """
    covered = np.zeros(n_blocks + 3, dtype=np.int64)  # samples in speech per 100 ms sub-block
    for a, b in merged_spans(spans):
        a, b = max(a, 0), min(b, len(covered) * hop)
        if b <= a:
            continue
        first, last = a // hop, (b - 1) // hop
        if first == last:
            covered[first] += b - a
            continue
        covered[first] += (first + 1) * hop - a
        covered[first + 1 : last] += hop
        covered[last] += b - last * hop
    per_block = sum(covered[k : k + n_blocks] for k in range(4)) if n_blocks else np.zeros(0, dtype=np.int64)
    return per_block >= SPEECH_BLOCK_SHARE * 4 * hop


def speech_gated_loudness(energy: np.ndarray, hop: int, spans: Iterable[tuple[int, int]]) -> float:
    """Loudness (LUFS) of the speech only: the voice level, whatever plays between the words.

    Dialogue-gated loudness as broadcast dialogue measurement does it, with
    the plan as the speech detector: BS.1770 integrated loudness (both
    gates) over only the 400 ms blocks :func:`speech_blocks` calls speech.
    A bed or tone in the pauses does not enter it; what sounds under the
    words does, as a listener hears it. ``-inf`` when no block is speech.
    """
    n_blocks = max(energy.shape[0] - 3, 0)
    return gated_loudness(energy, hop, speech_blocks(spans, hop, n_blocks))


def integrated_loudness(source: Source, block_samples: int = BLOCK_SAMPLES) -> float:
    """Integrated loudness of a source in LUFS (ITU-R BS.1770-4, EBU R 128 gating).

    Streams ``source`` in blocks of about ``block_samples`` (rounded down to
    whole 100 ms sub-blocks); memory stays bounded by the block size. The
    result does not depend on ``block_samples`` (bit for bit). Returns
    ``-inf`` for silence (no 400 ms block above -70 LUFS).
    """
    energy, hop = subblock_energies(source, block_samples)
    return gated_loudness(energy, hop)


def array_loudness(x: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness (LUFS) of an in-memory ``np.ndarray [shape=(n,) or (n, channels)]``.

    Clips shorter than one 400 ms gating block are measured as a periodic
    repetition of themselves (same mean-square level), because the meter
    needs at least one full block.
    """
    return gated_loudness(*array_energies(x, sample_rate))


def array_energies(x: np.ndarray, sample_rate: int) -> tuple[np.ndarray, int]:
    """:func:`subblock_energies` of an in-memory ``np.ndarray [shape=(n,) or (n, channels)]``, a clip
    shorter than one gating block repeated as :func:`array_loudness` does.

    Energies scale with the square of a gain, so the loudness of ``x`` at several gains comes
    from one filtering pass: ``gated_loudness(energy * gain ** 2, hop)``.
    """
    x = np.asarray(x, dtype=np.float32)
    need = int(math.ceil(0.4 * sample_rate)) + 1
    if 0 < x.shape[0] < need:
        x = np.tile(x, (-(-need // x.shape[0]),) + (1,) * (x.ndim - 1))
    return subblock_energies(ArraySource(x, sample_rate))
