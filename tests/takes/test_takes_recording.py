"""Reading takes: recordings downmixed to mono, take files found by utterance ID."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from mbcl_audio.errors import VoiceError
from mbcl_audio.takes import find_takes
from mbcl_audio.takes.recording import downmix


def test_downmix():
    rng = np.random.default_rng(1)
    v = rng.standard_normal(1000).astype(np.float32)
    both = np.stack([v, 0.8 * v], axis=1)
    assert np.allclose(downmix(both), 0.9 * v, atol=1e-6)
    dead = np.stack([0.001 * rng.standard_normal(1000), v], axis=1).astype(np.float32)
    assert np.array_equal(downmix(dead), v)  # the near-silent channel is left out
    inverted = np.stack([v, -0.95 * v], axis=1)
    assert np.array_equal(downmix(inverted), v)  # averaging would cancel: loudest channel


def test_two_files_for_one_id_names_both(takes_dir):
    sf.write(str(takes_dir / "01-001.flac"), np.zeros(100, dtype=np.float32), 44_100)
    with pytest.raises(VoiceError) as err:
        find_takes(takes_dir)
    assert "01-001.flac" in str(err.value) and "01-001.wav" in str(err.value)
