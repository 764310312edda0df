"""Placement: breath-locked halves start their clip's lead early, so the voice meets the breath."""

from pathlib import Path

from signals import SR

from mbcl_audio.plan import fit
from mbcl_audio.script.model import BreathPhrase, FrontMatter, Pause, Script, SourcePos, Speech

POS = SourcePos("t.txt", 1, 1)
CYCLE = 441_000


def phrase_script(*items) -> Script:
    return Script(Path("t.txt"), FrontMatter(track=1, title="T", language="en", length_s=60.0), tuple(items))


def test_halves_start_their_lead_before_the_breath_and_nothing_else_moves():
    phrase = BreathPhrase(Speech("May I", POS), Speech("be at ease", POS), POS, repeats=2)
    s = phrase_script(Speech("hello", POS), Pause(2, 30, POS), phrase, Speech("bye", POS), Pause(1, 60, POS))
    speech = [4 * SR, SR, 2 * SR, 3 * SR]
    leads = [1000, 1764, 2000, 3000]
    plain = fit(s, speech, 60 * SR, SR)
    led = fit(s, speech, 60 * SR, SR, leads)
    assert led.events == plain.events and led.pacing == plain.pacing  # the timeline is the same
    (ev,) = [e for e in led.events if e.kind == "phrase"]
    inhales = [e.start_sample for e in led.overlays if e.text == "May I"]
    exhales = [e.start_sample for e in led.overlays if e.text == "be at ease"]
    assert inhales == [ev.start_sample + r * CYCLE - 1764 for r in range(2)]
    assert exhales == [ev.start_sample + r * CYCLE + CYCLE // 2 - 2000 for r in range(2)]
    assert {e.onset_sample % CYCLE for e in led.overlays} == {0, CYCLE // 2}
    # Speech outside phrases keeps its place: its lead is part of the pause before it.
    assert [e.start_sample for e in led.events if e.kind == "speech"] == [
        e.start_sample for e in plain.events if e.kind == "speech"
    ]


def test_a_phrase_at_the_very_start_cannot_start_before_the_track():
    phrase = BreathPhrase(Speech("May I", POS), Speech("be at ease", POS), POS, repeats=1)
    s = phrase_script(phrase, Speech("bye", POS), Pause(1, 60, POS))
    plan = fit(s, [SR, SR, SR], 30 * SR, SR, [1764, 1764, 0])
    first = min(plan.overlays, key=lambda e: e.start_sample)
    assert (first.start_sample, first.lead_samples) == (0, 0)
