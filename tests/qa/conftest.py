"""Fixtures for the QA tests."""

from __future__ import annotations

import numpy as np
import pytest
from qa_files import at_lufs, speech_like


@pytest.fixture(scope="session")
def good_speech() -> np.ndarray:
    """20 s of speech-like audio at -18 LUFS (mono)."""
    return at_lufs(speech_like(20.0, start_s=0.5, end_pad_s=1.0), -18.0)
