"""Room tone at head and tail: how long the file is quiet before the first and after the last sound.

From the 10 ms window levels of :class:`~mbcl_audio.qa.scan.ScanResult`:
the first sound is the first window whose RMS rises :data:`ONSET_ABOVE_FLOOR_DB`
above the quiet level of the head region (the first :data:`REGION_S`
seconds; its :data:`QUIET_PERCENTILE` th percentile window, so that the few
windows of digital silence an MP3 decoder puts at the very start and end do
not set it); the last sound likewise from the end. The threshold is kept
within :data:`THRESHOLD_RANGE_DB`: anything louder than ACX's -60 dB noise
floor counts as sound (the soft end of a fading bed is not room tone), and a
loud noise bed would make speech fail to stand out; a bed above -40 dB is not
room tone anyway.

The room tone's level (the noise floor ACX means) is the RMS over the head and
tail room tone, leaving out the :data:`GUARD_S` before the first sound and
after the last, where a word's soft onset or decay is still below threshold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..master.roomtone import QUIET_BELOW_DB
from ..measure.meters import power_db
from .scan import ScanResult

#: How far (dB) above the quiet level a window must be to count as sound.
ONSET_ABOVE_FLOOR_DB = 10.0
#: The sound threshold (dB RMS) is kept in this range, whatever the quiet level reads.
THRESHOLD_RANGE_DB = (QUIET_BELOW_DB, -40.0)
#: Which window of the head / tail region sets its quiet level (percentile of the window levels).
QUIET_PERCENTILE = 5.0
#: Length (s) of the head and tail regions whose quietest window sets the threshold.
REGION_S = 10.0
#: Left out (s) next to the first and last sound when measuring the room tone level.
GUARD_S = 0.1
#: Less room tone than this (s, head and tail together) is too little to measure a level from.
MIN_ROOM_TONE_S = 0.1


@dataclass(frozen=True)
class RoomTone:
    """Head and tail room tone of a track (s), and its level (dB RMS, None when too short to tell)."""

    head_s: float
    tail_s: float
    level_db: float | None
    #: The sound thresholds (dB RMS) used at head and tail.
    head_threshold_db: float
    tail_threshold_db: float
    #: False when no window anywhere crosses the threshold (silence or pure room tone).
    has_sound: bool


def _threshold_db(region_ms: np.ndarray) -> float:
    quietest = power_db(float(np.percentile(region_ms, QUIET_PERCENTILE))) if region_ms.size else -math.inf
    lo, hi = THRESHOLD_RANGE_DB
    return min(max(quietest + ONSET_ABOVE_FLOOR_DB, lo), hi)


def find_room_tone(scan: ScanResult) -> RoomTone:
    """Head / tail room tone of a scanned track."""
    sr = scan.sample_rate
    n = scan.n_samples
    ms = scan.window_ms
    if ms.size == 0:
        duration_s = n / sr if sr else 0.0
        return RoomTone(duration_s, duration_s, None, -math.inf, -math.inf, False)
    region = max(1, int(np.searchsorted(scan.window_starts, REGION_S * sr)))
    head_thr = _threshold_db(ms[:region])
    tail_thr = _threshold_db(ms[-region:])
    with np.errstate(divide="ignore"):
        level = 10.0 * np.log10(ms)
    head_loud = np.flatnonzero(level > head_thr)
    tail_loud = np.flatnonzero(level > tail_thr)
    if head_loud.size == 0 or tail_loud.size == 0:
        whole = n / sr
        return RoomTone(whole, whole, power_db(float(ms.mean())), head_thr, tail_thr, False)
    first = int(scan.window_starts[head_loud[0]])
    last = int(scan.window_stops[tail_loud[-1]])
    guard = int(round(GUARD_S * sr))
    quiet = (scan.window_stops <= first - guard) | (scan.window_starts >= last + guard)
    enough = quiet.sum() * (scan.window_stops[0] - scan.window_starts[0]) >= MIN_ROOM_TONE_S * sr
    level_db = power_db(float(ms[quiet].mean())) if enough else None
    return RoomTone(first / sr, (n - last) / sr, level_db, head_thr, tail_thr, True)
