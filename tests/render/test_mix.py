"""The mix sets every layer relative to the voice in LU, places the bell, and knows where sound is."""

from pathlib import Path

import numpy as np
import pytest
from audio_checks import reference_lufs
from signals import SR

from mbcl_audio.measure.loudness import array_loudness
from mbcl_audio.plan import fit
from mbcl_audio.render.mix import CENTRED_MONO_GAIN_LU, MixSettings, TrackMix
from mbcl_audio.render.tones import TONE_FAMILIES
from mbcl_audio.script.model import (
    BreathPhrase,
    FrontMatter,
    PacingChange,
    Pause,
    Script,
    Section,
    SourcePos,
    Speech,
)

POS = SourcePos("t.txt", 1, 1)


def speech_clip(seconds: float, lufs: float = -20.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(seconds * SR)
    x = rng.standard_normal(n) * (0.6 + 0.4 * np.sin(np.arange(n) / SR * 2 * np.pi * 3))  # syllable-ish
    x = x.astype(np.float32)
    return x * np.float32(10 ** ((lufs - array_loudness(x, SR)) / 20))


@pytest.fixture(scope="module")
def plan_and_clips():
    front = FrontMatter(track=1, title="T", language="en", length_s=120.0)
    items = (
        Section("A", POS), Speech("one", POS), Pause(40, 40, POS, silence=True),
        Section("B", POS), PacingChange("on", POS), Speech("two", POS), Pause(5, 100, POS),
    )
    clips = [speech_clip(4.0, seed=1), speech_clip(4.0, seed=2)]
    plan = fit(Script(Path("t.txt"), front, items), [len(c) for c in clips], 120 * SR, SR)
    return plan, clips


@pytest.mark.parametrize("bed_level_lu", [-22.0, -12.0])
def test_bed_sits_at_its_level_below_the_voice_in_a_pause(plan_and_clips, bed_level_lu):
    plan, clips = plan_and_clips
    mix = TrackMix(plan, clips, bed="rain", pacing=False, settings=MixSettings(bed_level_lu=bed_level_lu, swell_db=0.0))
    # The silence between the utterances, away from the duck and fade edges.
    a, b = plan.events[1].start_sample + 5 * SR, plan.events[1].stop_sample - 5 * SR
    bed_lufs = array_loudness(mix.read(a, b), SR)
    voice_lufs = -20.0 + CENTRED_MONO_GAIN_LU  # the voice, centred in stereo
    assert abs(bed_lufs - voice_lufs - bed_level_lu) < 0.5


def test_bed_swells_in_a_long_silence(plan_and_clips):
    plan, clips = plan_and_clips
    flat = TrackMix(plan, clips, bed="warm-pad", pacing=False, settings=MixSettings(swell_db=0.0))
    swell = TrackMix(plan, clips, bed="warm-pad", pacing=False, settings=MixSettings(swell_db=3.0))
    mid = (plan.events[1].start_sample + plan.events[1].stop_sample) // 2
    ratio_db = 20 * np.log10(swell.bed.gain_curve(mid, mid + 1)[0] / flat.bed.gain_curve(mid, mid + 1)[0])
    assert abs(ratio_db - 3.0) < 0.01


@pytest.mark.parametrize("family", ["glide", "ocean", "bowl"])
def test_pacing_tone_is_at_its_level_below_the_voice_for_every_family(plan_and_clips, family):
    from dataclasses import replace

    plan, clips = plan_and_clips
    plan = replace(plan, pacing=tuple(replace(st, sound=family) for st in plan.pacing))
    mix = TrackMix(plan, clips, bed=None, settings=MixSettings(pacing_level_lu=-16.0))
    (st,) = plan.pacing
    tone = mix.pacing.tone(st.start_sample, st.start_sample + 4 * st.cycle_samples)
    voice = np.concatenate(clips)
    # Measured with pyloudnorm against the voice itself: 16 LU apart.
    gap = reference_lufs(voice, SR) - reference_lufs(tone, SR)
    assert abs(gap - 16.0) < 0.2


def test_bell_strikes_where_asked_and_sound_span_covers_every_layer(plan_and_clips):
    plan, clips = plan_and_clips
    mix = TrackMix(plan, clips, bed=None, pacing=False, bell=("start", "sections", "end"))
    last_word = max(e.stop_sample for e in plan.voice)
    assert mix.bell_starts == (0, plan.chapters[1].start_sample, last_word + SR // 2)
    first, stop = mix.sound_span()
    assert first == 0 and stop == min(plan.length_samples, last_word + SR // 2 + len(mix._bell))
    quiet = TrackMix(plan, clips, bed=None, pacing=False)
    assert quiet.sound_span() == (plan.voice[0].start_sample, last_word)


@pytest.mark.parametrize("family", TONE_FAMILIES)
def test_breath_locked_halves_stand_16_lu_above_the_tone_that_guides_them(family):
    # The out-breath half starts where the tone swells; undipped, the tone sat 12-14 LU below it.
    front = FrontMatter(track=1, title="T", language="en", length_s=60.0, pacing_sound=family)
    phrase = BreathPhrase(Speech("may I", POS), Speech("be at ease", POS), POS, repeats=3)
    items = (Speech("one", POS), Pause(2, 30, POS), phrase, Speech("two", POS), Pause(1, 60, POS))
    clips = [speech_clip(3.0, seed=1), speech_clip(1.0, seed=2), speech_clip(1.5, seed=3), speech_clip(3.0, seed=4)]
    plan = fit(Script(Path("t.txt"), front, items), [len(c) for c in clips], 60 * SR, SR)
    mix = TrackMix(plan, clips, bed=None)
    (ev,) = [e for e in plan.events if e.kind == "phrase"]
    exhales = [o for o in plan.overlays if o.text == "be at ease"]
    assert len(exhales) == 3
    for half in exhales:
        a, b = half.start_sample, half.stop_sample
        gap_lu = array_loudness(mix.voice(a, b), SR) - array_loudness(mix.pacing.read(a, b), SR)
        assert gap_lu >= 16.0, (family, gap_lu)
    # It still guides: through the phrase the tone dips by only 3 dB, not the 6 dB it dips under speech.
    undipped = TrackMix(plan, clips, bed=None, settings=MixSettings(pacing_phrase_duck_db=0.0))
    mid = ev.start_sample + ev.duration_samples // 2
    ratio_db = 20 * np.log10(np.max(np.abs(mix.pacing.read(mid, mid + SR))) / np.max(np.abs(undipped.pacing.read(mid, mid + SR))))
    assert ratio_db == pytest.approx(-3.0, abs=0.05)

