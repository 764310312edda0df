"""End to end on the real tracks: track 1 becomes a tagged MP3 that measures right when decoded.

Slow (minutes of audio each); `pytest -m "not slow"` leaves them out. The same stages on short
test scripts are in test_build.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf
from audio_checks import decoded_voice_lufs, ffmpeg_ebur128, requires_ffmpeg, rms_db
from plans import plan_at, range_samples
from texts import TRACK1_EN, TRACK1_NL, TRACK3_NL

from mbcl_audio import SAMPLE_RATE
from mbcl_audio.audio import ArraySource
from mbcl_audio.build import BuildOptions, build_track
from mbcl_audio.export import read_tags
from mbcl_audio.measure import integrated_loudness, true_peak_dbtp
from mbcl_audio.render.voice import SpeechCache
from mbcl_audio.render.voice.espeak import EspeakVoice

pytestmark = pytest.mark.slow

NL = TRACK1_NL
EN = TRACK1_EN


class CountingCalls:
    """Counts calls to EspeakVoice.synthesize while active."""

    def __init__(self):
        self.calls = 0

    def __enter__(self):
        self.mp = pytest.MonkeyPatch()
        original = EspeakVoice.synthesize

        def counted(voice, text):
            self.calls += 1
            return original(voice, text)

        self.mp.setattr(EspeakVoice, "synthesize", counted)
        return self

    def __exit__(self, *exc):
        self.mp.undo()


@pytest.fixture(scope="module")
def built(tmp_path_factory, cache_dir):
    """Track 1 (nl) at its default length, built twice with one cache."""
    first_out = tmp_path_factory.mktemp("out1")
    with CountingCalls() as first_calls:
        first = build_track(NL, first_out, cache=SpeechCache(cache_dir))
    with CountingCalls() as second_calls:
        second = build_track(NL, tmp_path_factory.mktemp("out2"), cache=SpeechCache(cache_dir))
    audio, rate = sf.read(first.path, dtype="float32", always_2d=True)
    return {
        "result": first,
        "again": second,
        "calls": (first_calls.calls, second_calls.calls),
        "audio": audio,
        "rate": rate,
        "out": first_out,
    }


def test_file_lands_at_the_documented_path(built):
    r = built["result"]
    assert r.path == built["out"] / "nl" / "01 De ademruimte met vriendelijkheid.mp3"
    assert not [p for p in r.path.parent.iterdir() if p.name.startswith(".")], "no staging leftovers"


def test_decodes_to_exactly_five_minutes(built):
    assert built["rate"] == SAMPLE_RATE
    assert built["audio"].shape == (300 * SAMPLE_RATE, 2)


def test_decoded_voice_level_loudness_and_true_peak(built):
    x, rate = built["audio"], built["rate"]
    r = built["result"]
    # The default profile puts the voice at -18 LUFS; the pauses (bed, tone) put the whole file below it.
    assert decoded_voice_lufs(r.path) == pytest.approx(-18.0, abs=0.3)
    integrated = integrated_loudness(ArraySource(x, rate))
    assert -21.0 <= integrated <= -17.5 and integrated == pytest.approx(r.loudness_lufs, abs=0.01)
    assert true_peak_dbtp(x, rate) <= -1.0
    assert r.master.max_speech_reduction_db <= 3.0


@requires_ffmpeg
def test_ffmpeg_meter_agrees(built):
    lufs, peak = ffmpeg_ebur128(built["result"].path)
    assert lufs == pytest.approx(built["result"].loudness_lufs, abs=0.2)
    assert peak <= -1.0


def test_tags_and_chapters_read_back(built):
    r = built["result"]
    tags = read_tags(r.path)
    assert tags["title"] == "De ademruimte met vriendelijkheid"
    assert tags["track"] == "1/27"
    assert tags["album"] == "Compassievol leven – oefeningen"
    assert tags["language"] == "nl"
    assert tags["genre"] == "Meditation"
    chapters = tags["chapters"]
    assert len(chapters) >= 3
    planned = r.plan.chapters
    assert [c[0] for c in chapters] == [c.title for c in planned]
    for (_, start_ms, _), c in zip(chapters, planned):
        assert abs(start_ms - c.start_sample * 1000 / SAMPLE_RATE) <= 50


def test_speech_lands_in_its_planned_windows(built):
    """Every placed utterance is far louder than the stretch without speech beside it."""
    x = built["audio"].mean(axis=1)
    voice = built["result"].plan.voice
    margin = SAMPLE_RATE // 4  # keep clear of the utterances' own edges
    bounds = [0] + [b for e in voice for b in (e.start_sample, e.stop_sample)] + [len(x)]
    gaps = list(zip(bounds[0::2], bounds[1::2]))  # gaps[i] precedes voice[i], gaps[i + 1] follows it
    checked = 0
    for i, e in enumerate(voice):
        speech_db = rms_db(x[e.start_sample : e.stop_sample])
        quiet = [(a, b) for a, b in (gaps[i], gaps[i + 1]) if b - a >= SAMPLE_RATE]
        assert quiet, f"utterance {e.text!r} has no silence of 1 s beside it"
        for a, b in quiet:
            quiet_db = rms_db(x[a + margin : b - margin])
            assert speech_db - quiet_db >= 10.0, (e.text, speech_db, quiet_db)
        checked += 1
    assert checked == len(voice) >= 16


def test_bed_ducks_and_tone_stays_below_the_voice_in_the_built_mix(cache_dir):
    """The layers as build_track mixes them: bed >= 10 dB lower under speech, tone >= 10 LU under the voice."""
    from mbcl_audio.build import prepare_track
    from mbcl_audio.measure.loudness import array_loudness

    mix = prepare_track(NL, cache=SpeechCache(cache_dir)).mix
    plan = mix.plan
    speech = [(e.start_sample, e.stop_sample) for e in plan.voice]
    bed = np.concatenate([mix.bed.read(a, b) for a, b in speech])
    long_pauses = [(e.start_sample + 2 * SAMPLE_RATE, e.stop_sample - 2 * SAMPLE_RATE)
                   for e in plan.events if e.kind == "pause" and e.duration_samples > 5 * SAMPLE_RATE]
    assert long_pauses
    bed_open = np.concatenate([mix.bed.read(a, b) for a, b in long_pauses])
    assert rms_db(bed_open) - rms_db(bed) >= 10.0
    voice = np.concatenate([mix.voice(a, b) for a, b in speech])
    tone = np.concatenate([mix.pacing.read(a, b) for a, b in plan.pacing_spans])
    assert array_loudness(voice, SAMPLE_RATE) - array_loudness(tone, SAMPLE_RATE) >= 10.0


def test_pacing_tone_sounds_in_breathe_blocks(built):
    """Breathe blocks start on the 10 s grid and carry the tone's 196-294 Hz glide."""
    x = built["audio"].mean(axis=1).astype(np.float64)
    plan = built["result"].plan
    breathes = [e for e in plan.events if e.kind == "breathe"]
    assert breathes
    for e in breathes:
        assert e.start_sample % 441_000 == 0
        seg = x[e.start_sample + 2 * SAMPLE_RATE : e.start_sample + 8 * SAMPLE_RATE]
        spectrum = np.abs(np.fft.rfft(seg * np.hanning(len(seg)))) ** 2
        freqs = np.fft.rfftfreq(len(seg), 1 / SAMPLE_RATE)
        band = spectrum[(freqs > 190) & (freqs < 300)].sum()
        # Same band in a long pause without the tone: the bed alone.
        pause = max((p for p in plan.events if p.kind == "pause"), key=lambda p: p.duration_samples)
        quiet = x[pause.start_sample + 2 * SAMPLE_RATE : pause.start_sample + 8 * SAMPLE_RATE]
        q = np.abs(np.fft.rfft(quiet * np.hanning(len(quiet)))) ** 2
        assert 10 * np.log10(band / q[(freqs > 190) & (freqs < 300)].sum()) >= 6.0


def test_second_build_synthesizes_nothing_and_is_byte_identical(built):
    first_calls, second_calls = built["calls"]
    from mbcl_audio.script import parse_script

    assert first_calls == len({u.text for u in parse_script(NL).utterances})
    assert second_calls == 0
    assert built["again"].synthesized == 0 and built["again"].cached == first_calls
    assert built["again"].path.read_bytes() == built["result"].path.read_bytes()


def test_english_track_1_with_piper_at_minus_16_on_decoded_mp3(tmp_path, cache_dir):
    """The neural voice end to end, at a louder target than the default."""
    r = build_track(EN, tmp_path, BuildOptions(length_s=180.0, loudness_target=-16.0), cache=SpeechCache(cache_dir))
    x, rate = sf.read(r.path, dtype="float32", always_2d=True)
    assert x.shape[0] == 180 * SAMPLE_RATE
    assert decoded_voice_lufs(r.path) == pytest.approx(-16.0, abs=0.3)
    assert true_peak_dbtp(x, rate) <= -1.0
    # 2 dB louder than the default costs its peaks more limiting (the 3 dB bound is for -18 and -23).
    assert 0.0 < r.master.max_speech_reduction_db


@pytest.mark.parametrize("script", [NL, EN], ids=["nl", "en"])
def test_track_1_plans_exactly_at_3_5_and_8_minutes(script, cache_dir):
    """The catalog's range for track 1 (3-8 min) is reachable with the script's own voice (plans only)."""
    for minutes in (3, 5, 8):
        plan = plan_at(script, cache_dir, 60.0 * minutes)
        assert plan.length_samples == minutes * 60 * SAMPLE_RATE
        assert plan.min_length_samples <= 180 * SAMPLE_RATE
        assert plan.max_length_samples >= 480 * SAMPLE_RATE


NL3 = TRACK3_NL


def test_track_3_builds_at_its_shortest(tmp_path, cache_dir):
    """The real includes and optional passages of track 3, left out at its shortest.

    Both ends of a range, with the prompts of a long silence, are built on a short script in test_build.py.
    """
    from mbcl_audio.script import parse_script

    length, _ = range_samples(NL3, cache_dir)
    r = build_track(NL3, tmp_path, BuildOptions(length_s=length / SAMPLE_RATE), cache=SpeechCache(cache_dir))
    info = sf.info(str(r.path))
    assert info.frames == length == r.plan.length_samples
    assert r.loudness_lufs == pytest.approx(-18.0, abs=0.5) and r.true_peak_dbtp <= -1.0
    script = parse_script(NL3)
    assert any(u.pos.path.endswith("_blocks/opening.txt") for u in script.utterances)
    assert r.plan.included_passages == () and len(r.plan.all_passages) >= 2


TRACK5_NL = TRACK1_NL.parent / "05-ademruimte-met-compassie.txt"


def test_track_5_builds_at_its_catalog_minimum_and_passes_qa(tmp_path, cache_dir):
    """A session-2 track end to end at the shortest length the catalogue allows (3 min), in espeak."""
    from mbcl_audio.catalog import catalog_path, load_catalog

    info = load_catalog(catalog_path(TRACK5_NL.parents[1]))[5]
    r = build_track(TRACK5_NL, tmp_path, BuildOptions(length_s=info.min_s), cache=SpeechCache(cache_dir))
    assert sf.info(str(r.path)).frames == 180 * SAMPLE_RATE == r.plan.length_samples
    assert r.qa is not None and r.qa.passed and {c.name for c in r.qa.checks} >= {"voice-loudness", "true-peak"}
    assert r.qa.facts.measurement.true_peak_dbtp <= -1.0
    # Every structural step is still there at the shortest length: the three phases and the close.
    assert [c.title for c in r.plan.chapters] == ["Open, milde aanwezigheid", "Compassie ontvangen", "Compassie geven", "Afsluiting"]
    assert any(e.kind == "phrase" for e in r.plan.events)  # the split wish on the breath
