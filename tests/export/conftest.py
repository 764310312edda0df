"""Shared fixtures: a 20 s stereo test signal and the tags/chapters of one track."""

from __future__ import annotations

import numpy as np
import pytest
from signals import SR

from mbcl_audio.audio import ArraySource
from mbcl_audio.export import TrackTags
from mbcl_audio.plan.model import Chapter

SECONDS = 20


@pytest.fixture(scope="session")
def signal() -> np.ndarray:
    """20 s stereo: two sines (different per channel) plus noise, peak well below 0 dBFS."""
    n = SR * SECONDS
    t = np.arange(n) / SR
    rng = np.random.default_rng(1234)
    left = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * 1234 * t)
    right = 0.3 * np.sin(2 * np.pi * 330 * t + 0.5)
    x = np.stack([left, right], axis=1) + 0.03 * rng.standard_normal((n, 2))
    return x.astype(np.float32)


@pytest.fixture()
def source(signal: np.ndarray) -> ArraySource:
    return ArraySource(signal, SR)


@pytest.fixture()
def tags() -> TrackTags:
    return TrackTags(
        title="Mildheidmeditatie – een ‘lastige’ persoon",
        track_number=1,
        album="MBCL — Compassietraining",
        artist="Erik van den Brink",
        language="nl",
        comment="Oefening bij sessie 5",
    )


@pytest.fixture()
def chapters() -> list[Chapter]:
    # Given out of time order, with titles whose frame sizes are not in time
    # order either: the writer must sort.
    return [
        Chapter("Afronden en terugkeren", 14 * SR + 17, SR * SECONDS),
        Chapter("In", 0, 3 * SR + 11_025),
        Chapter("Ademruimte met vriendelijkheid", 3 * SR + 11_025, 9 * SR),
        Chapter("Zelf", 9 * SR, 14 * SR + 17),
    ]
