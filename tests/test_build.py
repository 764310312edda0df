"""Building a short script at both ends of its range and at other loudness targets, measured when decoded.

The script (tests/data/scripts/nl/03-korte-mildheid.txt) has what track 3 has, in seconds instead of
minutes: an include, two optional passages and a practice silence with prompts. The real tracks are
built in test_build_e2e.py (slow).
"""

from __future__ import annotations

import pytest
import soundfile as sf
from audio_checks import ffmpeg_ebur128, requires_ffmpeg
from plans import range_samples
from texts import SHORT_TRACK3

from mbcl_audio import SAMPLE_RATE
from mbcl_audio.audio import ArraySource
from mbcl_audio.build import BuildOptions, build_track
from mbcl_audio.measure import integrated_loudness, true_peak_dbtp
from mbcl_audio.render.voice import SpeechCache
from mbcl_audio.script import parse_script

#: Each end of the range at its own loudness target, so two builds cover both ends and both targets.
TARGET_LUFS = {"min": -23.0, "max": -16.0}


@pytest.fixture(scope="module")
def built(tmp_path_factory, cache_dir):
    """The short script built at its shortest (-23 LUFS) and its longest (-16 LUFS), keyed "min" / "max"."""
    shortest, longest = range_samples(SHORT_TRACK3, cache_dir)
    lengths = {"min": shortest, "max": longest}
    out = {}
    for end, length in lengths.items():
        options = BuildOptions(length_s=length / SAMPLE_RATE, loudness_target=TARGET_LUFS[end])
        result = build_track(SHORT_TRACK3, tmp_path_factory.mktemp(f"out-{end}"), options, cache=SpeechCache(cache_dir))
        out[end] = (length, result)
    return out


@pytest.mark.parametrize("end", ["min", "max"])
def test_other_loudness_targets_on_decoded_mp3(built, end):
    length, r = built[end]
    x, rate = sf.read(r.path, dtype="float32", always_2d=True)
    assert x.shape[0] == length
    assert integrated_loudness(ArraySource(x, rate)) == pytest.approx(TARGET_LUFS[end], abs=0.5)
    assert true_peak_dbtp(x, rate) <= -1.0


@requires_ffmpeg
def test_ffmpeg_meter_agrees_at_minus_16(built):
    _, r = built["max"]
    lufs, peak = ffmpeg_ebur128(r.path)
    assert lufs == pytest.approx(-16.0, abs=0.5)
    assert peak <= -1.0


@pytest.mark.parametrize("end", ["min", "max"])
def test_builds_at_its_shortest_and_longest(built, end):
    """Includes, optional passages and a silence with prompts, built at both ends of its range."""
    length, r = built[end]
    info = sf.info(str(r.path))
    assert info.frames == length == r.plan.length_samples
    assert r.loudness_lufs == pytest.approx(TARGET_LUFS[end], abs=0.5) and r.true_peak_dbtp <= -1.0
    script = parse_script(SHORT_TRACK3)
    assert any(u.pos.path.endswith("_blocks/aankomen.txt") for u in script.utterances)
    if end == "min":
        assert r.plan.included_passages == ()
    else:
        assert set(r.plan.included_passages) == set(r.plan.all_passages) and len(r.plan.all_passages) >= 2
        silences = [e for e in r.plan.events if e.kind == "silence"]
        prompts = [o for o in r.plan.overlays if any(s.start_sample <= o.start_sample < s.stop_sample for s in silences)]
        assert prompts, "long silences carry their re-anchoring prompts"


def test_a_length_far_out_of_reach_is_refused_before_any_speech_is_synthesized(tmp_path, monkeypatch):
    from mbcl_audio.plan import LengthError
    from mbcl_audio.render.voice import espeak

    spoken = []
    monkeypatch.setattr(espeak.EspeakVoice, "synthesize", lambda self, text: spoken.append(text))
    for length_s in (2.0, 3600.0):  # a 1 MB paragraph ran 108 s of synthesis before the plan said no
        with pytest.raises(LengthError, match="cannot be reached: with estimated speech .*nothing was synthesized"):
            build_track(SHORT_TRACK3, tmp_path / "out", BuildOptions(length_s=length_s), cache=SpeechCache(tmp_path / "c"))
    assert spoken == [] and not (tmp_path / "out").exists()
