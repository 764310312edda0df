"""The planner lands exactly on the target length, on the pacing grid, within every bound."""

from pathlib import Path

import pytest

from mbcl_audio.plan import LengthError, cycle_samples, fit, reachable_range
from mbcl_audio.script.model import Breathe, FrontMatter, Pause, Script, Section, SourcePos, Speech

SR = 44_100
POS = SourcePos("t.txt", 1, 1)


def script(*items, bpm=6.0):
    front = FrontMatter(track=1, title="T", language="en", length_s=300.0, breaths_per_minute=bpm)
    return Script(Path("t.txt"), front, tuple(items))


def sp(text="hello"):
    return Speech(text, POS)


def pause(lo, hi=None, weight=1.0):
    return Pause(lo, lo if hi is None else hi, POS, weight)


def test_cycle_is_441000_samples_at_6_per_minute():
    assert cycle_samples(6.0, 44_100) == 441_000
    assert cycle_samples(5.0, 48_000) == 576_000


def test_target_inside_range_gives_exactly_that_length_and_pauses_in_bounds():
    s = script(Section("A", POS), sp(), pause(2), sp(), pause(10, 60), Section("B", POS), sp(), pause(5, 100))
    speech = [3 * SR + 17, 2 * SR + 5, 4 * SR + 301]
    lo, hi = reachable_range(s, speech, SR)
    assert lo == sum(speech) + (2 + 10 + 5) * SR
    assert hi == sum(speech) + (2 + 60 + 100) * SR
    for target in (lo, lo + 1, (lo + hi) // 2 + 7, hi - 1, hi):
        plan = fit(s, speech, target, SR)
        assert plan.length_samples == target
        assert plan.events[-1].stop_sample == target
        # Events tile the timeline without gaps or overlaps.
        for a, b in zip(plan.events, plan.events[1:]):
            assert a.stop_sample == b.start_sample
        for e in plan.events:
            if e.kind == "pause":
                assert e.min_samples <= e.duration_samples <= e.max_samples
            if e.kind == "speech":
                assert e.duration_samples == speech[e.utterance]


def test_equal_weights_stretch_pauses_by_the_same_fraction():
    s = script(sp(), pause(10, 20), sp(), pause(10, 50))
    speech = [SR, SR]
    plan = fit(s, speech, 2 * SR + 20 * SR + 25 * SR, SR)  # slack 25 s over ranges 10 s and 40 s
    pauses = [e for e in plan.events if e.kind == "pause"]
    assert pauses[0].duration_samples == 15 * SR
    assert pauses[1].duration_samples == 30 * SR


def test_weight_shifts_slack_towards_heavier_pause():
    s = script(sp(), pause(0, 100, weight=1.0), sp(), pause(0, 100, weight=3.0))
    plan = fit(s, [SR, SR], 2 * SR + 40 * SR, SR)
    light, heavy = [e.duration_samples for e in plan.events if e.kind == "pause"]
    assert light + heavy == 40 * SR
    assert heavy == 3 * light


def test_outside_range_error_names_min_and_max():
    s = script(sp(), pause(10, 20))
    with pytest.raises(LengthError) as err:
        fit(s, [SR], 60 * SR, SR)
    assert err.value.min_samples == 11 * SR and err.value.max_samples == 21 * SR
    assert "0:11.0" in str(err.value) and "0:21.0" in str(err.value)
    with pytest.raises(LengthError):
        fit(s, [SR], 11 * SR - 1, SR)


def test_breathe_blocks_start_on_in_breath_onsets():
    cycle = 441_000
    s = script(sp(), pause(1, 30), Breathe(3, POS), sp(), pause(2, 40), Breathe(2, POS), sp(), pause(1, 90))
    speech = [7 * SR + 123, 5 * SR + 77, 3 * SR]
    lo, hi = reachable_range(s, speech, SR)
    for target in (lo, lo + 12345, (lo + hi) // 2, hi):
        plan = fit(s, speech, target, SR)
        assert plan.length_samples == target
        breathes = [e for e in plan.events if e.kind == "breathe"]
        assert [e.duration_samples for e in breathes] == [3 * cycle, 2 * cycle]
        for e in breathes:
            assert e.start_sample % cycle == 0
        # Speech after a breathe block re-enters on an in-breath onset too.
        after = [e for e in plan.events if e.kind == "speech" and e.utterance in (1, 2)]
        assert all(e.start_sample % cycle == 0 for e in after)


def test_align_event_fills_to_grid_when_pauses_cannot():
    s = script(sp(), Breathe(1, POS), sp())
    plan = fit(s, [3 * SR, 2 * SR], 441_000 * 2 + 2 * SR, SR)
    kinds = [e.kind for e in plan.events]
    assert kinds == ["speech", "align", "breathe", "speech"]
    assert plan.events[1].duration_samples == 441_000 - 3 * SR


def test_chapters_follow_sections_and_cover_the_track():
    s = script(Section("One", POS), sp(), pause(5), Section("Two", POS), sp(), pause(5), Section("Three", POS), sp())
    plan = fit(s, [SR, SR, SR], 13 * SR, SR)
    assert [c.title for c in plan.chapters] == ["One", "Two", "Three"]
    assert plan.chapters[0].start_sample == 0
    assert plan.chapters[1].start_sample == 6 * SR
    assert plan.chapters[2].start_sample == 12 * SR
    assert plan.chapters[-1].stop_sample == 13 * SR


from hypothesis import given, settings
from hypothesis import strategies as st


@st.composite
def scripts_and_targets(draw):
    """Random scripts of speech, fixed and elastic pauses and breathe blocks, and a target in range."""
    items, speech = [], []
    for _ in range(draw(st.integers(1, 7))):
        kind = draw(st.sampled_from(["speech", "pause", "elastic", "breathe"]))
        if kind == "speech":
            items.append(sp())
            speech.append(draw(st.integers(1, 20 * SR)))
        elif kind == "pause":
            items.append(pause(draw(st.integers(0, 20)) / 4))
        elif kind == "elastic":
            lo = draw(st.integers(0, 40)) / 4
            items.append(pause(lo, lo + draw(st.integers(1, 400)) / 4, weight=draw(st.sampled_from([0.5, 1.0, 3.0]))))
        else:
            items.append(Breathe(draw(st.integers(1, 3)), POS))
    if not speech:
        items.append(sp())
        speech.append(SR)
    s = script(*items)
    lo, hi = reachable_range(s, speech, SR)
    return s, speech, draw(st.integers(lo, hi))


def assert_valid(plan, target):
    assert plan.length_samples == target == plan.events[-1].stop_sample
    assert plan.events[0].start_sample == 0
    assert all(a.stop_sample == b.start_sample for a, b in zip(plan.events, plan.events[1:]))
    for e in plan.events:
        if e.kind == "pause":
            assert e.min_samples <= e.duration_samples <= e.max_samples
        elif e.kind == "breathe":
            assert e.start_sample % plan.cycle_samples == 0
        elif e.kind == "align":
            assert 0 < e.duration_samples < plan.cycle_samples


@settings(max_examples=400, deadline=None, derandomize=True)
@given(scripts_and_targets())
def test_any_target_in_range_is_met_exactly_or_the_nearest_lengths_are_named(case):
    s, speech, target = case
    try:
        plan = fit(s, speech, target, SR)
    except LengthError as err:
        # Only in a gap between pacing-aligned lengths; both named neighbours must plan exactly.
        assert "nearest reachable" in str(err)
        from mbcl_audio.plan.fit import _reach, _segments

        reach = _reach(*_segments(s, speech, SR, 441_000), 441_000)
        below, above = reach.nearest(target)
        assert below < target < above
        for length in (below, above):
            assert_valid(fit(s, speech, length, SR), length)
        return
    assert_valid(plan, target)


def test_gap_between_aligned_lengths_names_the_nearest_ones():
    # Before the breathe block: 3 s of speech and 0-25 s of pause, so 1, 2 or 3 cycles;
    # after it, 2 s of speech and 0-1 s of pause: 22-23 s, 32-33 s or 42-43 s in all.
    s = script(sp(), pause(0, 25), Breathe(1, POS), sp(), pause(0, 1))
    speech = [3 * SR, 2 * SR]
    assert reachable_range(s, speech, SR) == (22 * SR, 43 * SR)
    with pytest.raises(LengthError) as err:
        fit(s, speech, 27 * SR, SR)
    assert "nearest reachable are 0:23.0 and 0:32.0" in str(err.value)
    for seconds in (22, 23, 32, 33, 42, 43):
        assert fit(s, speech, seconds * SR, SR).length_samples == seconds * SR


def test_heading_before_breathe_block_starts_after_the_alignment_silence():
    s = script(Section("A", POS), sp(), Section("B", POS), Breathe(1, POS), sp())
    plan = fit(s, [3 * SR, 2 * SR], 441_000 * 2 + 2 * SR, SR)
    assert [e.kind for e in plan.events] == ["speech", "align", "breathe", "speech"]
    assert plan.chapters[1].title == "B" and plan.chapters[1].start_sample == 441_000
