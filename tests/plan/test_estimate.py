"""Estimated speech durations stay close to the real ones over a whole script."""

import pytest
from plans import real_speech_samples
from texts import TRACK1_EN, TRACK1_NL, TRACK3_DE, TRACK3_EN, TRACK3_NL

from mbcl_audio import SAMPLE_RATE
from mbcl_audio.render.voice.speech import prepare_utterances
from mbcl_audio.render.voice import SpeechCache, get_voice
from mbcl_audio.plan import fit
from mbcl_audio.plan.estimate import estimate_lead_samples, estimate_seconds, estimate_speech_samples
from mbcl_audio.script import parse_script


@pytest.mark.parametrize(
    "path, voice",
    [(TRACK3_NL, "espeak"), (TRACK3_EN, "espeak"), (TRACK3_DE, "espeak")],
    ids=["nl/03-espeak", "en/03-espeak", "de/03-espeak"],
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


# The English tracks speak through piper (some 40 s of synthesis for track 3): slow, like real builds.
@pytest.mark.parametrize(
    "path, lengths_s",
    [
        pytest.param(TRACK1_NL, [None], id="nl/01"),
        pytest.param(TRACK1_EN, [None], id="en/01", marks=pytest.mark.slow),
        pytest.param(TRACK3_NL, [None, 600, 1500], id="nl/03"),
        pytest.param(TRACK3_EN, [None, 600, 1500], id="en/03", marks=pytest.mark.slow),
    ],
)
def test_estimated_plan_puts_every_utterance_within_2_percent_of_the_length_of_where_the_build_does(
    path, lengths_s, cache_dir
):
    # Each script in its own voice (espeak for nl, piper for en), planned as plan does (estimates)
    # and as build does (the real clips), at its default length and at 10 and 25 minutes.
    script, real = real_speech_samples(path, cache_dir)
    estimated = estimate_speech_samples(script, SAMPLE_RATE)
    for length_s in lengths_s:
        target = round((length_s or script.front.length_s) * SAMPLE_RATE)
        guess = fit(script, estimated, target, SAMPLE_RATE, estimate_lead_samples(script, SAMPLE_RATE))
        built = fit(script, real, target, SAMPLE_RATE)
        starts = [(e.utterance, e.start_sample) for e in guess.voice]
        assert [u for u, _ in starts] == [e.utterance for e in built.voice]  # the same passages
        worst = max(abs(a - e.start_sample) for (_, a), e in zip(starts, built.voice))
        assert worst <= 0.02 * target, (length_s, worst / SAMPLE_RATE)

