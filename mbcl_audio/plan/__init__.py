"""Plan stage: a script plus speech durations becomes a timeline in samples."""

from .fit import LengthError, cycle_samples, fit, reachable_range
from .model import Chapter, Event, Plan

__all__ = ["Chapter", "Event", "LengthError", "Plan", "cycle_samples", "fit", "reachable_range"]
