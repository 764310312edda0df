"""WebVTT and SRT from a plan: one cue per utterance where the voice sets in, never overlapping."""

from mbcl_audio.plan.model import Event, Plan
from mbcl_audio.set.transcripts import Cue, plan_cues, srt_text, vtt_text

SR = 1000


def _plan(events, overlays=(), length=10_000):
    return Plan(
        sample_rate=SR, length_samples=length, events=tuple(events), chapters=(), cycle_samples=10 * SR,
        min_length_samples=length, max_length_samples=length, overlays=tuple(overlays),
    )


def test_cues_start_at_the_voice_onset_and_are_cut_where_the_next_begins():
    plan = _plan(
        [Event("speech", 1000, 2000, "Hello  there.", 0, lead_samples=40), Event("silence", 3000, 5000)],
        overlays=[Event("speech", 2500, 1000, "Back --> now.", 1, lead_samples=0)],
    )
    cues = plan_cues(plan)
    assert cues == [Cue(1.04, 2.5, "Hello there."), Cue(2.5, 3.5, "Back --> now.")]
    # A file trimmed 1.5 s into the plan and 1.8 s long: cues move, start at 0 at the earliest, end with the file.
    assert plan_cues(plan, shift_samples=-1500, length_samples=1800) == [Cue(0.0, 1.0, "Hello there."), Cue(1.0, 1.8, "Back --> now.")]


def test_vtt_and_srt_layout():
    cues = [Cue(1.04, 2.5, "Hello there."), Cue(3723.0456, 3724.5, "Back --> now.")]
    assert vtt_text(cues, "01 Title") == (
        "WEBVTT\n\nNOTE 01 Title\n\n"
        "1\n00:00:01.040 --> 00:00:02.500\nHello there.\n\n"
        "2\n01:02:03.046 --> 01:02:04.500\nBack -> now.\n"
    )
    assert srt_text(cues) == (
        "1\n00:00:01,040 --> 00:00:02,500\nHello there.\n\n"
        "2\n01:02:03,046 --> 01:02:04,500\nBack -> now.\n"
    )
