"""Fixtures shared by the test packages (measure, master)."""

from __future__ import annotations

import numpy as np
import pytest
from signals import sparse_speech


@pytest.fixture(scope="session")
def speech() -> np.ndarray:
    return sparse_speech(30.0)
