from __future__ import annotations

import shutil

import pytest

import narrator_session


@pytest.fixture(scope="session")
def recorded_session(tmp_path_factory):
    """One generated narrator session (espeak takes in mixed formats), recorded once."""
    folder = tmp_path_factory.mktemp("session") / "takes" / "en" / "01"
    return narrator_session.record(folder)


@pytest.fixture
def takes_dir(recorded_session, tmp_path):
    """A private copy of the session's take folder, free to edit."""
    folder = tmp_path / "voices" / "narrator" / "takes" / "en" / "01"
    shutil.copytree(next(iter(recorded_session.files.values())).parent, folder)
    return folder
