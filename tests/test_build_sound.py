"""Built tracks, decoded: every loudness profile with a loud bell, QA refusal, ACX trimming.

Every tone family and bed, built: test_build_tones.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import soundfile as sf

from audio_checks import ffmpeg_ebur128, requires_ffmpeg, rms_db
from signals import SR
from texts import SHORT, write_script

from mbcl_audio.build import BuildOptions, build_track, prepare_track
from mbcl_audio.errors import BuildError
from mbcl_audio.export import read_tags
from mbcl_audio.master.profiles import all_profiles
from mbcl_audio.plan.frame import LEAD_IN_S, LEAD_OUT_S
from mbcl_audio.render.bell import BELL_END_GAP_S, START_BELL_LEAD_IN_S, bell_strike
from mbcl_audio.render.mix import MixSettings
from mbcl_audio.render.voice import SpeechCache


#: Sparse speech: a few short sentences between long silences, a bell at start, sections and end.
SPARSE = """+++
track = 5
title = "Sparse"
language = "en"
length = "1m20s"
bed = "none"
bell = ["start", "sections", "end"]
+++

# One

Settle in.

[silence 20s..40s]

# Two

Notice the breath.

[silence 10s..30s]

That is all.

[pause 6s..20s]
"""

#: A strike louder than the voice: the peak the limiter must catch.
LOUD_BELL = MixSettings(bell_level_lu=6.0)
#: SPARSE near the short end of its 45-95 s range (with the lead-in after the start bell and the
#: end bell's lead-out): the same bells, speech and silences, fewer seconds to build.
SPARSE_BUILD_S = 47.0


@pytest.fixture(scope="module")
def sparse_built(tmp_path_factory, cache_dir):
    """SPARSE with a loud bell, built once per profile on first use: ``built(profile) -> (script, result)``."""
    script = write_script(tmp_path_factory.mktemp("sparse"), "05-sparse.txt", SPARSE)
    results = {}

    def built(profile: str):
        if profile not in results:
            out = tmp_path_factory.mktemp(f"out-{profile}")
            options = BuildOptions(profile=profile, mix=LOUD_BELL, length_s=SPARSE_BUILD_S)
            results[profile] = build_track(script, out, options, cache=SpeechCache(cache_dir))
        return script, results[profile]

    return built


@pytest.mark.parametrize("profile", sorted(all_profiles()))
def test_every_profile_reaches_its_target_with_a_loud_bell_and_passes_qa(cache_dir, sparse_built, profile):
    script, r = sparse_built(profile)
    # The bell's strike is the loudest moment of the mix: the peak the limiter must catch.
    options = BuildOptions(profile=profile, mix=LOUD_BELL, length_s=SPARSE_BUILD_S)
    mix = prepare_track(script, options, SpeechCache(cache_dir)).mix
    x = np.abs(mix.read(0, mix.n_samples)).max(axis=1)
    peak_at = int(np.argmax(x))
    assert any(at <= peak_at < at + SR // 5 for at in mix.bell_starts) and len(mix.bell_starts) == 3
    p = r.profile
    assert r.qa.passed, [c.message for c in r.qa.failures]
    audio, rate = sf.read(r.path, dtype="float64", always_2d=True)
    assert rate == SR
    m = r.qa.measurement
    if p.target_measure == "voice":
        # The voice is on the target, the loud bell or no bell (see test_build_voice_level.py).
        assert abs(m.voice_lufs - p.target) <= 0.1
    elif p.target_measure == "lufs":
        assert abs(m.integrated_lufs - p.target) <= 0.5
    else:
        assert abs(rms_db(audio) - p.target) <= p.tolerance and p.rms_db[0] <= rms_db(audio) <= p.rms_db[1]
        assert 20 * math.log10(np.abs(audio).max()) <= p.sample_peak_dbfs
    assert m.true_peak_dbtp <= p.ceiling_dbtp
    if p.target_measure != "rms":  # the speech is limited lightly, if at all (the loud bell may be more)
        assert r.master.max_speech_reduction_db <= min(3.0, r.master.max_reduction_db)
    if p.head_s:
        assert p.head_s[0] <= r.qa.facts.head_s <= p.head_s[1] and p.tail_s[0] <= r.qa.facts.tail_s <= p.tail_s[1]
        # Trimmed to its sounds and given ACX's room tone, the file is still the length asked for.
        assert r.qa.facts.n_samples == round(SPARSE_BUILD_S * SR) and not r.warnings
        assert r.qa.facts.noise_floor_db <= p.noise_floor_db


@pytest.mark.parametrize("profile", ["meditation", "podcast"])
def test_a_track_opens_with_its_bell_and_closes_after_the_end_bell_has_rung_out(cache_dir, sparse_built, profile):
    script, r = sparse_built(profile)
    audio, _ = sf.read(r.path, dtype="float64", always_2d=True)
    first_word = min(e.start_sample for e in r.plan.voice)
    last_word_end = max(e.stop_sample for e in r.plan.voice)
    # The start bell strikes alone first: the first word comes after the lead-in.
    assert first_word >= START_BELL_LEAD_IN_S * SR
    # The end bell strikes after the last word (as documented) and rings out whole in the file.
    options = BuildOptions(profile=profile, mix=LOUD_BELL, length_s=SPARSE_BUILD_S)
    mix = prepare_track(script, options, SpeechCache(cache_dir)).mix
    end_bell = mix.bell_starts[-1]
    assert end_bell == last_word_end + round(BELL_END_GAP_S * SR)
    assert end_bell + len(bell_strike(SR)) <= len(audio)
    # And the file fades to digital silence: its last 50 ms are far below -60 dB.
    assert rms_db(audio[-SR // 20 :]) <= -60.0
    assert np.abs(audio[-1]).max() < 1e-4


def test_every_track_starts_quietly_and_ends_in_silence(tmp_path, cache_dir):
    # No bells: the bed rises through the lead-in, the voice comes after it, and the file ends in silence.
    script = write_script(tmp_path, "03-kort.txt", SHORT.replace('bed = "none"', 'bed = "warm-pad"'))
    r = build_track(script, tmp_path / "out", cache=SpeechCache(cache_dir))
    audio, _ = sf.read(r.path, dtype="float64", always_2d=True)
    first_word = min(e.start_sample for e in r.plan.voice)
    assert first_word >= LEAD_IN_S * SR
    assert rms_db(audio[: SR // 100]) <= -60.0  # the first 10 ms: no voice, the bed only beginning
    assert rms_db(audio[-SR // 20 :]) <= -60.0
    last_word_end = max(e.stop_sample for e in r.plan.voice)
    assert r.plan.length_samples - last_word_end >= LEAD_OUT_S * SR


@requires_ffmpeg
@pytest.mark.parametrize("profile", sorted(all_profiles()))
def test_ffmpeg_agrees_with_our_meter_on_built_tracks(sparse_built, profile):
    _, r = sparse_built(profile)
    lufs, peak = ffmpeg_ebur128(r.path)
    assert abs(lufs - r.qa.measurement.integrated_lufs) <= 0.2
    assert abs(peak - r.qa.measurement.true_peak_dbtp) <= 0.3


def test_build_refuses_a_file_that_fails_qa_and_keeps_it_with_no_qa(tmp_path, cache_dir):
    # A project profile that wants the room quieter than a bed can be: the file fails noise-floor.
    (tmp_path / "mbcl-audio.toml").write_text(
        '[profiles.silent-room]\ntarget_lufs = -18\ntrue_peak_dbtp = -1\nnoise_floor_db = -80\n'
    )
    script = write_script(tmp_path, "03-kort.txt", SHORT.replace('bed = "none"', 'bed = "warm-pad"'))
    options = BuildOptions(profile="silent-room", project_dir=tmp_path)
    with pytest.raises(BuildError, match=r"fails QA for profile 'silent-room': noise floor .* above the ceiling of -80"):
        build_track(script, tmp_path / "out", options, cache=SpeechCache(cache_dir))
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    kept = build_track(script, tmp_path / "out", BuildOptions(profile="silent-room", project_dir=tmp_path, qa=False),
                       cache=SpeechCache(cache_dir))
    assert kept.path.is_file() and not kept.qa.passed
    assert [c.name for c in kept.qa.failures] == ["noise-floor"]


#: A long opening silence and a bed: ACX must trim the silence, master the trimmed track and keep
#: the bed's fade out of the room tone.
QUIET_START = """+++
track = 7
title = "Quiet start"
language = "en"
length = "1m"
bed = "warm-pad"
+++

# Before

[silence 30s]

# One

Settle in, and let the body be held by the ground beneath you.
[pause 1s]
Notice the breath as it comes and goes, without changing it.
[pause 1s]
There is nothing to achieve here, only this moment.

# Two

Let the next breath be a little softer, and the one after that.
[pause 1s..20s]
"""


def longest_zero_run(audio) -> int:
    """The longest run of samples at exactly zero in every channel."""
    silent = np.all(audio == 0.0, axis=1).astype(np.int8)
    edges = np.diff(np.concatenate([[0], silent, [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    return int((stops - starts).max()) if starts.size else 0


@pytest.mark.parametrize("bed", ["none", "warm-pad"])
def test_acx_trims_the_silence_masters_what_is_left_and_keeps_chapters_in_the_file(tmp_path, cache_dir, bed):
    script = write_script(tmp_path, "07-quiet.txt", QUIET_START.replace('bed = "warm-pad"', f'bed = "{bed}"'))
    r = build_track(script, tmp_path / "out", BuildOptions(profile="acx"), cache=SpeechCache(cache_dir))
    assert r.qa.passed, [c.message for c in r.qa.failures]
    audio, _ = sf.read(r.path, dtype="float64", always_2d=True)
    assert abs(rms_db(audio) - (-22.7)) <= 0.3  # measured on the file, after the trim
    facts = r.qa.facts
    assert 0.5 <= facts.head_s <= 1.0 and 1.0 <= facts.tail_s <= 5.0 and facts.noise_floor_db <= -60.0
    # Room tone, not digital silence, in every pause: no run of exact zeros longer than 10 ms.
    assert longest_zero_run(audio) <= SR // 100, longest_zero_run(audio) / SR
    chapters = read_tags(r.path)["chapters"]
    assert [c[0] for c in chapters] == ["Before", "One", "Two"] and chapters[0][1] == 0
    if bed == "none":
        # The 30 s opening silence is gone: "One" starts with its words, after the head room tone.
        # No tail ACX allows makes that up, so the file is shorter than planned, and the build says why.
        assert facts.n_samples < r.plan.length_samples - 25 * SR
        assert abs(chapters[1][1] / 1000 - 0.75) <= 0.011
        assert any("not the 60.00 s asked for" in w and "room tone" in w for w in r.warnings), r.warnings
    else:
        # A bed sounds through the lead-in and the silence, so nothing is trimmed there; the first
        # moment of its fade-in is quiet enough to count as room tone, so less room tone is put before it.
        assert LEAD_IN_S + 30.0 <= chapters[1][1] / 1000 <= LEAD_IN_S + 30.75 + 0.011
        # The bed sounds to the end, so the plan was refit shorter to leave room for ACX's room tone
        # at both ends: the file is exactly the script's minute.
        assert r.plan.length_samples < 60 * SR and facts.n_samples == 60 * SR and not r.warnings


def test_shift_chapters_drops_what_the_trim_removed():
    from mbcl_audio.plan.shift import shift_chapters
    from mbcl_audio.plan import Chapter

    chapters = (Chapter("A", 0, 100), Chapter("B", 100, 500), Chapter("C", 500, 900), Chapter("D", 900, 1000))
    # Trim 150 samples at the head, keep 600: A and B start before the new start, D after the end.
    assert shift_chapters(chapters, -150, 600) == (Chapter("B", 0, 350), Chapter("C", 350, 600))
    # Room tone only: everything moves later, the first still opens the file.
    assert shift_chapters(chapters, 30, 1060) == (
        Chapter("A", 0, 130), Chapter("B", 130, 530), Chapter("C", 530, 930), Chapter("D", 930, 1060)
    )


def test_pacing_cycles_of_a_stretch_cut_short_never_overlap_the_next():
    from mbcl_audio.build import pacing_cycles
    from mbcl_audio.plan import fit
    from mbcl_audio.render.mix import TrackMix
    from mbcl_audio.script import parse_text

    text = SPARSE.replace('bell = ["start", "sections", "end"]\n', "").replace(
        "# Two\n", "# Two\n\n[pacing on rate=5]\n"
    ).replace("That is all.", "[pacing on]\nThat is all.")
    script = parse_text(text, "05-sparse.txt")
    clips = [np.full(SR, 0.01, dtype=np.float32) for _ in script.utterances]
    plan = fit(script, [len(c) for c in clips], 80 * SR, SR)
    assert [st.cycle_samples for st in plan.pacing] == [529_200, 441_000]
    cycles = pacing_cycles(TrackMix(plan, clips, bed=None))
    assert all(a[0] + a[2] <= b[0] for a, b in zip(cycles, cycles[1:]))
    assert cycles[-1][0] + cycles[-1][2] <= plan.length_samples
