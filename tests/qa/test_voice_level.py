"""The voice level in QA: the speech tag, the speech-gated measurement and the ``voice-loudness`` check."""

from __future__ import annotations

import numpy as np
import pytest
from qa_files import SR, at_lufs, noise, speech_like, write_mp3

from mbcl_audio.export import TrackTags, read_tags, write_tags
from mbcl_audio.export.frames import SpeechSpans, parse_speech_tag, speech_tag_json
from mbcl_audio.master.profiles import get_profile
from mbcl_audio.qa import analyze_file

MEDITATION = get_profile("meditation")


def voice_and_bed(bed_db: float) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """20 s of speech at -18 LUFS from 2 s to 22 s, then 20 s of a bed alone at ``bed_db`` dB RMS.

    The bed dips 12 dB under the speech, as the mix ducks it."""
    speech = at_lufs(speech_like(20.0, seed=5), -18.0)
    x = noise(44 * SR, bed_db, seed=6)
    x[2 * SR : 22 * SR] = x[2 * SR : 22 * SR] * 10 ** (-12 / 20) + speech
    return x, [(2 * SR, 22 * SR)]


def test_speech_tag_json_is_compact_deterministic_and_checked():
    text = speech_tag_json([(300, 900), (0, 200)], 44100)
    assert text == '{"sample_rate":44100,"spans":[[0,200],[300,900]]}'
    assert parse_speech_tag(text) == SpeechSpans(44100, ((0, 200), (300, 900)))
    for bad in ("", "[]", '{"sample_rate": 44100}', '{"sample_rate": 44100, "spans": [[5, 5]]}',
                '{"sample_rate": -1, "spans": []}', '{"sample_rate": 44100, "spans": [[0, 1.5]]}'):
        with pytest.raises(ValueError, match="speech"):
            parse_speech_tag(bad)


def test_a_built_file_carries_its_speech_spans_and_qa_measures_the_voice_from_them(tmp_path):
    x, spans = voice_and_bed(-30.0)
    path = write_mp3(tmp_path / "v.mp3", x)
    write_tags(path, TrackTags("T", 1, "A", "B", "nl", speech=speech_tag_json(spans, SR)), [], SR)
    assert parse_speech_tag(read_tags(path)["speech"]).spans == tuple(spans)
    report = analyze_file(path, MEDITATION)
    m = report.measurement
    # The voice is at its -18 LUFS; the bed-only half pulls the whole file's loudness well below it.
    assert m.voice_lufs == pytest.approx(-18.0, abs=0.3)
    assert m.integrated_lufs < -20.0
    check = next(c for c in report.checks if c.name == "voice-loudness")
    assert check.passed and check.measured == m.voice_lufs and "speech-gated" in check.message


def test_spans_given_directly_win_over_the_tag_and_a_bad_tag_is_a_note(tmp_path):
    x, spans = voice_and_bed(-30.0)
    path = write_mp3(tmp_path / "v.mp3", x)
    write_tags(path, TrackTags("T", 1, "A", "B", "nl", speech="{not json"), [], SR)
    report = analyze_file(path, MEDITATION)
    assert report.measurement.voice_lufs is None
    assert any(n.startswith("speech tag ignored") for n in report.notes)
    check = next(c for c in report.checks if c.name == "voice-loudness")
    # Without spans the whole file stands in, says so, and here misses the target.
    assert not check.passed and "the whole file stands in" in check.message
    given = analyze_file(path, MEDITATION, speech=spans)
    assert given.measurement.voice_lufs == pytest.approx(-18.0, abs=0.3) and given.passed
