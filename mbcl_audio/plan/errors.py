"""What the planner raises: a length it cannot reach, or a construct it cannot place."""

from __future__ import annotations

from ..errors import MbclError
from ..script.model import ScriptError


class LengthError(MbclError, ValueError):
    """The requested length lies outside what the script can reach."""

    def __init__(self, message: str, min_samples: int, max_samples: int, sample_rate: int) -> None:
        self.min_samples = min_samples
        self.max_samples = max_samples
        self.sample_rate = sample_rate
        super().__init__(message)


class PlanError(ScriptError):
    """A script construct that cannot be placed (e.g. a breath-locked span holding no whole breath)."""
