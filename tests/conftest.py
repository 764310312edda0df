"""Fixtures shared by the test packages."""

from __future__ import annotations

import numpy as np
import pytest
from signals import sparse_speech


@pytest.fixture(scope="session")
def speech() -> np.ndarray:
    return sparse_speech(30.0)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    """A speech cache folder shared by the builds of one test module (each module synthesizes once)."""
    return tmp_path_factory.mktemp("speech-cache")
