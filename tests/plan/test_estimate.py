"""Estimated speech durations stay close to the real ones over a whole script."""

import pytest
from texts import TRACK3_EN, TRACK3_NL

from mbcl_audio import SAMPLE_RATE
from mbcl_audio.render.voice.speech import prepare_utterances
from mbcl_audio.render.voice import SpeechCache, get_voice
from mbcl_audio.plan.estimate import estimate_seconds, estimate_speech_samples
from mbcl_audio.script import parse_script


@pytest.mark.parametrize(
    "path, voice",
    [(TRACK3_NL, "espeak"), (TRACK3_EN, "espeak")],
    ids=["nl/03-espeak", "en/03-espeak"],
)
def test_script_total_within_5_percent_of_synthesized(path, voice, tmp_path):
    script = parse_script(path)
    estimated = sum(estimate_speech_samples(script, SAMPLE_RATE, voice))
    real = sum(
        len(a)
        for a in prepare_utterances(
            [u.text for u in script.utterances], get_voice(voice, script.front.language), SpeechCache(tmp_path)
        )
    )
    assert abs(estimated - real) / real < 0.05, (estimated / SAMPLE_RATE, real / SAMPLE_RATE)


def test_longer_text_takes_longer_and_any_onnx_voice_has_a_rate():
    assert estimate_seconds("May I be at ease.", "espeak", "en") < estimate_seconds("May I be at ease, and at peace.", "espeak", "en")
    assert estimate_seconds("Hallo.", "voices/x/nl_NL-test.onnx", "nl") > 0
