"""Fixtures shared by the test packages."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from signals import sparse_speech

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def speech() -> np.ndarray:
    return sparse_speech(30.0)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    """A speech cache folder shared by the builds of one test module (each module synthesizes once)."""
    return tmp_path_factory.mktemp("speech-cache")


@pytest.fixture
def scripts_copy(tmp_path, monkeypatch) -> Path:
    """``tmp_path`` holding a copy of the repository's ``scripts/`` (catalogue, nl and en; no de),
    as the working directory: a project to translate, import and check in."""
    shutil.copytree(REPO / "scripts", tmp_path / "scripts", ignore=shutil.ignore_patterns("de"))
    monkeypatch.chdir(tmp_path)
    return tmp_path
