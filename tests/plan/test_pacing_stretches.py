"""Pacing stretches: ramps land on the steady grid, per-section rates and ratios, fades in whole cycles."""

from pathlib import Path

import numpy as np
import pytest
from signals import SR

from mbcl_audio.plan import cycle_samples, fit
from mbcl_audio.plan.fit import PlanError
from mbcl_audio.plan.pacing import PacingStretch, ramp_onsets
from mbcl_audio.script.model import Breathe, FrontMatter, PacingChange, Pause, Script, SourcePos, Speech

CYCLE = 441_000
EIGHT = 330_750
POS = SourcePos("t.txt", 1, 1)


def script_with(*items, **front):
    return Script(Path("t.txt"), FrontMatter(track=1, title="T", language="en", length_s=300.0, **front), tuple(items))


def sp():
    return Speech("hello", POS)


def test_ramp_from_8_to_6_per_minute_ends_exactly_on_the_steady_grid():
    ramp = 6 * CYCLE  # one minute
    onsets = ramp_onsets(cycle_samples(8.0, SR), CYCLE, ramp)
    lengths = np.diff(onsets + [ramp])
    assert onsets[0] == 0 and len(onsets) == 7  # 60 s at a mean of 7 breaths a minute
    assert np.all(np.diff(lengths) > 0)  # the breath slows steadily
    assert abs(lengths[0] / cycle_samples(8.0, SR) - 1) < 0.03  # starts at ~8/min
    assert abs(lengths[-1] / CYCLE - 1) < 0.05  # and flows into 6/min
    stretch = PacingStretch(0, 40 * CYCLE, CYCLE, CYCLE // 2, ramp_from_samples=cycle_samples(8.0, SR), ramp_samples=ramp)
    cycles = stretch.cycles()
    starts = [c.start_sample for c in cycles]
    # Cycles tile the stretch without gap or overlap, through the ramp's end.
    assert all(a.stop_sample == b.start_sample for a, b in zip(cycles, cycles[1:]))
    after = [t for t in starts if t >= ramp]
    assert after[0] == ramp and np.all(np.diff(after) == CYCLE)
    assert all(abs(c.in_samples / c.cycle_samples - 0.5) < 1e-5 for c in cycles)


def test_steady_grid_is_exact_over_thirty_minutes():
    stretch = PacingStretch(3 * CYCLE, 3 * CYCLE + 30 * 60 * SR, CYCLE, 176_400)
    starts = np.array(stretch.onsets())
    assert len(starts) == 180 and np.all(starts % CYCLE == 0) and np.all(np.diff(starts) == CYCLE)
    assert stretch.next_onset(3 * CYCLE + 1) == 4 * CYCLE


def test_front_matter_ramp_starts_when_the_tone_comes_on_and_keeps_the_global_grid():
    s = script_with(
        sp(), Pause(3, 3, POS), PacingChange("on", POS), sp(), Pause(10, 400, POS),
        pacing_ramp_from=8.0, pacing_ramp_s=60.0,
    )
    plan = fit(s, [4 * SR, 4 * SR], 300 * SR, SR)
    (st,) = plan.pacing
    assert st.start_sample == CYCLE  # the mark at 7 s takes effect at the next in-breath
    assert st.ramp_samples == 6 * CYCLE and st.ramp_from_samples == cycle_samples(8.0, SR)
    steady = [t for t in st.onsets() if t >= st.start_sample + st.ramp_samples]
    assert all(t % CYCLE == 0 for t in steady)


def test_a_section_can_pace_at_its_own_rate_and_ratio():
    s = script_with(
        PacingChange("on", POS), sp(), Pause(30, 30, POS),
        PacingChange("on", POS, rate=5.0, in_fraction=0.4), sp(), Pause(60, 60, POS),
        PacingChange("off", POS), sp(), Pause(1, 300, POS),
    )
    plan = fit(s, [2 * SR] * 3, 200 * SR, SR)
    first, second = plan.pacing
    five = cycle_samples(5.0, SR)
    assert (first.cycle_samples, first.in_samples) == (CYCLE, CYCLE // 2)
    assert (second.cycle_samples, second.in_samples) == (five, int(round(0.4 * five)))
    assert first.stop_sample == second.start_sample == 4 * CYCLE  # switch on the next in-breath after 32 s
    # "off" waits for the 5/min stretch's own next in-breath.
    assert (second.stop_sample - second.start_sample) % five == 0


def test_fade_counts_the_running_stretch_s_own_cycles():
    s = script_with(
        PacingChange("on", POS, rate=4.0), sp(), Pause(3, 3, POS), PacingChange("fade", POS, cycles=2), sp(),
        Pause(1, 300, POS),
    )
    plan = fit(s, [2 * SR] * 2, 120 * SR, SR)
    (st,) = plan.pacing
    four = cycle_samples(4.0, SR)
    assert (st.start_sample, st.stop_sample) == (0, 3 * four)
    # The tone fades over those two cycles: from the onset of the first of them to the stop.
    assert st.fade_span == (four, 3 * four)


def test_off_does_not_fade_and_a_breathe_block_past_a_fade_cancels_it():
    off = script_with(PacingChange("on", POS), sp(), Pause(3, 3, POS), PacingChange("off", POS), sp(), Pause(1, 300, POS))
    (st,) = fit(off, [2 * SR] * 2, 120 * SR, SR).pacing
    assert st.fade_span is None
    carried = script_with(
        PacingChange("on", POS), sp(), PacingChange("fade", POS, cycles=1), Breathe(4, POS), sp(), Pause(1, 300, POS)
    )
    (st,) = fit(carried, [2 * SR] * 2, 120 * SR, SR).pacing
    assert st.fade_span is None and st.stop_sample - st.start_sample >= 4 * CYCLE


def test_breathe_inside_a_stretch_at_another_rate_is_a_located_error():
    where = SourcePos("t.txt", 12, 1)
    s = script_with(PacingChange("on", POS, rate=4.0), sp(), Breathe(2, where), sp(), Pause(1, 300, POS))
    with pytest.raises(PlanError) as err:
        fit(s, [2 * SR] * 2, 120 * SR, SR)
    assert err.value.pos == where and "another rate or ratio" in err.value.message


def test_breathe_inside_a_ramp_is_a_located_error_and_after_it_joins_the_stretch():
    where = SourcePos("t.txt", 9, 1)
    early = script_with(
        PacingChange("on", POS, ramp_from=8.0, ramp_s=60.0), sp(), Breathe(2, where), sp(), Pause(1, 300, POS)
    )
    with pytest.raises(PlanError, match="inside a pacing ramp"):
        fit(early, [2 * SR] * 2, 120 * SR, SR)
    late = script_with(
        PacingChange("on", POS, ramp_from=8.0, ramp_s=30.0), sp(), Pause(40, 40, POS), Breathe(2, where), sp(),
        Pause(1, 300, POS),
    )
    plan = fit(late, [2 * SR] * 2, 200 * SR, SR)
    assert len(plan.pacing) == 1 and plan.pacing[0].ramp_samples == 3 * CYCLE


def test_tone_family_comes_from_front_matter_or_the_change():
    s = script_with(
        PacingChange("on", POS, sound="bowl"), sp(), Pause(30, 30, POS), PacingChange("off", POS), Breathe(2, POS),
        sp(), Pause(1, 300, POS), pacing_sound="ocean",
    )
    plan = fit(s, [2 * SR] * 2, 200 * SR, SR)
    assert [st.sound for st in plan.pacing] == ["bowl", "ocean"]


def test_a_stretch_that_ends_inside_its_ramp_keeps_the_ramp_s_cycle_lengths():
    ramp = 6 * CYCLE
    whole = PacingStretch(0, 20 * CYCLE, CYCLE, CYCLE // 2, ramp_from_samples=EIGHT, ramp_samples=ramp)
    onsets = ramp_onsets(EIGHT, CYCLE, ramp)
    cut = PacingStretch(0, onsets[3], CYCLE, CYCLE // 2, ramp_from_samples=EIGHT, ramp_samples=ramp)
    assert cut.cycles() == whole.cycles()[:3]
    assert [c.cycle_samples for c in cut.cycles()] == list(np.diff(onsets[:4]))


def test_switching_back_to_the_script_s_rate_lands_on_the_script_s_grid():
    s = script_with(
        PacingChange("on", POS, rate=5.0), sp(), Pause(25, 25, POS), PacingChange("on", POS), sp(),
        Pause(10, 10, POS), Breathe(2, POS), sp(), Pause(1, 300, POS),
    )
    plan = fit(s, [2 * SR] * 3, 200 * SR, SR)
    five, six = plan.pacing
    assert five.cycle_samples == cycle_samples(5.0, SR) and six.cycle_samples == CYCLE
    assert five.stop_sample == six.start_sample == 3 * CYCLE  # the next 6/min onset after 27 s
    (breathe,) = [e for e in plan.events if e.kind == "breathe"]
    assert breathe.start_sample in six.onsets()  # the block's in-breaths are the tone's


@pytest.mark.parametrize("seconds", [60, 70, 80, 90, 100, 110])
def test_off_after_another_rate_lets_a_following_breathe_block_take_over_at_any_length(seconds):
    s = script_with(
        PacingChange("on", POS, rate=5.0), sp(), Pause(3, 3, POS), PacingChange("off", POS), Breathe(2, POS),
        sp(), Pause(1, 300, POS),
    )
    plan = fit(s, [2 * SR] * 2, seconds * SR, SR)
    (breathe,) = [e for e in plan.events if e.kind == "breathe"]
    first, second = plan.pacing
    assert first.stop_sample <= breathe.start_sample == second.start_sample
    assert second.cycle_samples == CYCLE


def test_changing_only_the_sound_does_not_restart_the_script_s_ramp():
    s = script_with(
        sp(), Pause(100, 100, POS), PacingChange("on", POS, sound="bowl"), sp(), Pause(10, 300, POS),
        pacing="on", pacing_ramp_from=8.0, pacing_ramp_s=60.0,
    )
    plan = fit(s, [2 * SR] * 2, 200 * SR, SR)
    glide, bowl = plan.pacing
    assert glide.ramp_samples == 6 * CYCLE and bowl.ramp_samples == 0
    assert bowl.start_sample % CYCLE == 0


def test_speech_re_entering_inside_a_ramp_is_a_located_warning():
    where = SourcePos("t.txt", 14, 1)
    s = script_with(
        PacingChange("on", POS, ramp_from=8.0, ramp_s=120.0), sp(), Pause(20, 20, POS, silence=True),
        Speech("back", where), Pause(1, 300, POS), pacing="off",
    )
    plan = fit(s, [2 * SR] * 2, 200 * SR, SR)
    assert any(loc == str(where) and "inside the pacing ramp" in msg for loc, msg in plan.warnings)
