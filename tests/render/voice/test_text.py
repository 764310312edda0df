"""Text normalization: nothing an engine would spell out reaches it."""

import numpy as np
import pytest

from mbcl_audio.render.voice import get_voice
from mbcl_audio.render.voice.text import normalize_for_speech


@pytest.mark.parametrize(
    "raw, spoken",
    [
        ("May I *be* safe", "May I be safe"),
        ("“Moge ik,” zeg je – zacht", "Moge ik, zeg je, zacht"),
        ("it’s a ‘lastige’ persoon", "it's a lastige persoon"),
        ("Breathe in | breathe out #1", "Breathe in breathe out 1"),
        ("Gleichmut — ganz ruhig  ", "Gleichmut, ganz ruhig"),
        ("self-compassion stays", "self-compassion stays"),
    ],
)
def test_normalized_text(raw, spoken):
    assert normalize_for_speech(raw) == spoken


def test_espeak_no_longer_says_asterisk():
    voice = get_voice("espeak", "en")
    plain = voice.synthesize("May I be safe")
    marked = voice.synthesize("May I *be* safe")
    assert len(marked) > len(plain) * 1.3  # the raw text makes espeak spell the markup
    np.testing.assert_array_equal(voice.synthesize(normalize_for_speech("May I *be* safe")), plain)
