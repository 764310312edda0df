"""Sharing slack: how much each pause grows, and how many beats each anchored segment spans.

These functions only compute; :mod:`mbcl_audio.plan.place` lays out what they choose.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, Sequence

import numpy as np

from .segments import Elastic, Layout, Reach


def share_slack(ranges: np.ndarray, weights: np.ndarray, slack_samples: int) -> np.ndarray:
    """Split ``slack_samples`` over elastic parts with the given ranges, in whole samples.

    Each part gets ``min(range, f * weight * range)`` for one common ``f``
    (water-filling), so equal weights stretch every part by the same fraction
    of its range. Rounding remainders go to the largest fractional parts, so
    the shares add up to ``slack_samples`` exactly.

    Parameters
    ----------
    ranges : np.ndarray [shape=(n,)], int
        How far each part may grow (samples).
    weights : np.ndarray [shape=(n,)], float
        How readily each part grows.
    slack_samples : int
        What to share.

    Returns
    -------
    shares : np.ndarray [shape=(n,)], int64
        Growth of each part (samples), each within its range.
    """
    ranges = np.asarray(ranges, dtype=np.int64)
    if slack_samples <= 0 or ranges.sum() == 0:
        return np.zeros_like(ranges)
    if slack_samples >= ranges.sum():
        return ranges.copy()
    want = np.asarray(weights, dtype=float) * ranges

    def total(f: float) -> float:
        return float(np.minimum(ranges, f * want).sum())

    lo_f, hi_f = 0.0, 1.0
    while total(hi_f) < slack_samples:
        hi_f *= 2.0
    for _ in range(100):
        mid = 0.5 * (lo_f + hi_f)
        if total(mid) < slack_samples:
            lo_f = mid
        else:
            hi_f = mid
    exact = np.minimum(ranges.astype(float), hi_f * want)
    shares = np.minimum(np.floor(exact).astype(np.int64), ranges)
    remainder = slack_samples - int(shares.sum())
    order = np.argsort(-(exact - shares), kind="stable")
    step = 1 if remainder > 0 else -1
    while remainder != 0:
        for i in order if step > 0 else order[::-1]:
            if remainder == 0:
                break
            if 0 <= shares[i] + step <= ranges[i]:
                shares[i] += step
                remainder -= step
    return shares


def share_towards_preferred(parts: Sequence[Elastic], slack_samples: int) -> np.ndarray:
    """Slack shares above each minimum: up to the preferred lengths first, then beyond.

    Returns
    -------
    shares : np.ndarray [shape=(len(parts),)], int64
        Samples each part gets above its ``min_samples``.
    """
    to_preferred = np.array([p.preferred_samples - p.min_samples for p in parts], dtype=np.int64)
    beyond = np.array([p.max_samples - p.preferred_samples for p in parts], dtype=np.int64)
    weights = np.array([p.weight for p in parts], dtype=float)
    first = int(min(slack_samples, to_preferred.sum()))
    return share_slack(to_preferred, weights, first) + share_slack(beyond, weights, slack_samples - first)


class Split(NamedTuple):
    """How an anchored segment's beats divide between its lead and the free part after it."""

    lead_beats: int
    free_beats: int


def choose_beats(layout: Layout, reach: Reach, target_samples: int) -> tuple[list[Split], int]:
    """Beats for each anchored segment, and the tail's lead beats.

    Starts from a global, unquantized share of the slack (so every pause in the
    track stretches alike), rounds each part to whole beats, then moves single
    beats to the part that stays closest to that ideal until the total fits.
    """
    beat = layout.beat_samples
    *anchored, tail = layout.segments
    # Global ideal: every pause and every fill phrase as one elastic part.
    parts: list[Elastic] = []
    owners: list[tuple[int, Literal["lead", "free"]]] = []
    for k, seg in enumerate(layout.segments):
        if seg.lead_max_beats > seg.lead_min_beats:
            parts.append(
                Elastic(seg.lead_min_beats * beat, seg.lead_preferred_beats * beat, seg.lead_max_beats * beat)
            )
            owners.append((k, "lead"))
        for p in seg.pauses:
            parts.append(p)
            owners.append((k, "free"))
    floor_total = sum(s.lead_min_beats * beat + s.fixed_samples for s in layout.segments)
    shares = share_towards_preferred(parts, max(0, target_samples - floor_total)) if parts else []
    ideal_lead = [float(s.lead_min_beats) for s in layout.segments]
    ideal_free = [float(s.fixed_samples) for s in layout.segments]
    for (k, where), share in zip(owners, shares):
        if where == "lead":
            ideal_lead[k] += share / beat
        else:
            ideal_free[k] += share

    # Parts that move in whole beats: each anchored segment, and the tail's lead.
    bounds = [s.beats(beat) for s in anchored] + [(tail.lead_min_beats, tail.lead_max_beats)]
    ideal = [ideal_lead[k] + ideal_free[k] / beat for k in range(len(anchored))] + [ideal_lead[-1]]
    # Round the running total, not each part, so rounding never piles up on the tail.
    running = np.round(np.cumsum(ideal)).astype(int)
    chosen = [int(min(hi, max(lo, n))) for n, (lo, hi) in zip(np.diff(running, prepend=0), bounds)]
    first, last = reach.beats_for(target_samples)
    if first > last:
        raise ValueError("no pacing-aligned combination reaches this length")
    want = min(last, max(first, sum(chosen)))
    while sum(chosen) != want:
        step = 1 if sum(chosen) < want else -1
        movable = [i for i, (lo, hi) in enumerate(bounds) if lo <= chosen[i] + step <= hi]
        best = min(movable, key=lambda i: (abs(chosen[i] + step - ideal[i]), i))
        chosen[best] += step

    # Split each anchored segment's beats between its lead and its free part.
    splits: list[Split] = []
    for k, seg in enumerate(anchored):
        free_lo, free_hi = seg.free_beats(beat)
        n = chosen[k]
        lead = int(min(seg.lead_max_beats, max(seg.lead_min_beats, round(ideal_lead[k]))))
        lead = min(max(lead, n - free_hi), n - free_lo)
        splits.append(Split(lead, n - lead))
    return splits, chosen[-1]
