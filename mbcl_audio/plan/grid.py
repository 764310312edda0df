"""The pacing grid: cycle, step and beat lengths in whole samples."""

from __future__ import annotations

from ..script.model import Script


def cycle_samples(breaths_per_minute: float, sample_rate: int) -> int:
    """Length of one pacing cycle in samples (6/min at 44.1 kHz: 441,000)."""
    return int(round(sample_rate * 60.0 / breaths_per_minute))


def step_samples(script: Script, sample_rate: int) -> int:
    """One step of a walking script (samples)."""
    return cycle_samples(script.front.steps_per_minute, sample_rate)


def grid_samples(script: Script, sample_rate: int) -> int:
    """The grid beat of a script: a breath cycle, or a stride of two steps when ``grid = "steps"``.

    On a step grid the steps take the place of the breath: a breath-locked
    phrase puts its first half on one step and its second on the next, so one
    repetition is a stride, and cues land on the first step of a stride.
    """
    if script.front.grid == "steps":
        return 2 * step_samples(script, sample_rate)
    return cycle_samples(script.front.breaths_per_minute, sample_rate)


def ceil_div(n: int, d: int) -> int:
    """``n / d`` rounded up, in exact integers."""
    return -(-n // d)
