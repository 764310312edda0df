"""ID3v2.3 tags and chapters, read back by mutagen and by ffprobe."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from mutagen.id3 import ID3
from signals import SR

from mbcl_audio.export import TrackTags, encode_mp3, read_tags, write_tags
from mbcl_audio.export.tags import language_code, samples_to_ms
from mbcl_audio.plan.model import Chapter


@pytest.fixture()
def mp3(tmp_path, source):
    return encode_mp3(source, tmp_path / "t.mp3")


def expected_chapters(chapters):
    return sorted(
        (c.title, round(c.start_sample * 1000 / SR), round(c.stop_sample * 1000 / SR))
        for c in chapters
    )


def test_round_trip(mp3, tags, chapters):
    write_tags(mp3, tags, chapters, SR)
    got = read_tags(mp3)
    assert got["title"] == "Mildheidmeditatie – een ‘lastige’ persoon"
    assert got["track"] == "1/27"
    assert (got["track_number"], got["track_total"]) == (1, 27)
    assert got["album"] == tags.album
    assert got["artist"] == tags.artist
    assert got["language"] == "nl"
    assert got["genre"] == "Meditation"
    assert got["comment"] == tags.comment
    assert len(got["chapters"]) == 4
    want = sorted(chapters, key=lambda c: c.start_sample)
    for (title, start_ms, end_ms), ch in zip(got["chapters"], want):
        assert title == ch.title
        assert abs(start_ms - ch.start_sample * 1000 / SR) <= 1
        assert abs(end_ms - ch.stop_sample * 1000 / SR) <= 1


def test_raw_frames_are_id3v23(mp3, tags, chapters):
    write_tags(mp3, tags, chapters, SR)
    id3 = ID3(mp3)
    assert id3.version == (2, 3, 0)
    assert str(id3["TLAN"]) == "dut"
    assert str(id3["TRCK"]) == "1/27"
    ctoc = id3.getall("CTOC")[0]
    assert ctoc.flags & 0x3 == 0x3  # top-level and ordered
    starts = {c.element_id: c.start_time for c in id3.getall("CHAP")}
    assert [starts[e] for e in ctoc.child_element_ids] == sorted(starts.values())
    # Only the frames we asked for: nothing time- or tool-dependent.
    assert sorted({k.split(":")[0] for k in id3.keys()}) == sorted(
        ["TIT2", "TRCK", "TALB", "TPE1", "TLAN", "TCON", "COMM", "CTOC", "CHAP"]
    )


def test_chap_frames_stored_in_time_order(mp3, tags, chapters):
    # ffmpeg lists chapters in file order; mutagen alone writes them by size.
    write_tags(mp3, tags, chapters, SR)
    data = mp3.read_bytes()
    positions = [data.index(f"ch{i}\0".encode()) for i in range(len(chapters))]
    assert positions == sorted(positions)


def test_no_comment_frame_when_empty(mp3, chapters):
    tags = TrackTags("Kort", 2, "MBCL", "X", "en")
    write_tags(mp3, tags, chapters, SR)
    assert not ID3(mp3).getall("COMM")
    assert read_tags(mp3)["comment"] is None
    assert read_tags(mp3)["track"] == "2/27"
    assert read_tags(mp3)["language"] == "en"


def test_rewriting_replaces_old_tags(mp3, tags, chapters):
    write_tags(mp3, tags, chapters, SR)
    first = mp3.read_bytes()
    write_tags(mp3, TrackTags("Anders", 3, "B", "C", "de"), chapters[:1], SR)
    write_tags(mp3, tags, chapters, SR)
    assert mp3.read_bytes() == first


def test_tagging_keeps_exact_decode_length(mp3, tags, chapters, signal):
    import soundfile as sf

    write_tags(mp3, tags, chapters, SR)
    assert sf.info(mp3).frames == signal.shape[0]


@pytest.mark.skipif(shutil.which("ffprobe") is None, reason="ffprobe not installed")
def test_ffprobe_sees_chapters_in_order(mp3, tags, chapters):
    write_tags(mp3, tags, chapters, SR)
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_chapters", "-show_format", "-of", "json", str(mp3)],
        capture_output=True, text=True, check=True,
    ).stdout
    probe = json.loads(out)
    got = [
        (c["tags"]["title"], float(c["start_time"]) * 1000, float(c["end_time"]) * 1000)
        for c in probe["chapters"]
    ]
    want = expected_chapters(chapters)
    want.sort(key=lambda c: c[1])
    assert [g[0] for g in got] == [w[0] for w in want]  # same titles, time order
    for g, w in zip(got, want):
        assert g[1] == pytest.approx(w[1], abs=1)
        assert g[2] == pytest.approx(w[2], abs=1)
    fmt_tags = probe["format"]["tags"]
    assert fmt_tags["title"] == tags.title
    assert fmt_tags["track"] == "1/27"
    assert fmt_tags["language"] == "dut"


@pytest.mark.parametrize(
    "given, code",
    [("nl", "dut"), ("en", "eng"), ("de", "ger"), ("nl-BE", "dut"), ("de_AT", "ger"),
     ("EN", "eng"), ("fra", "fra"), ("xx", "und"), ("", "und")],
)
def test_language_codes(given, code):
    assert language_code(given) == code


def test_samples_to_ms_rounds_to_nearest():
    assert samples_to_ms(0, SR) == 0
    assert samples_to_ms(SR, SR) == 1000
    assert samples_to_ms(22, SR) == 0  # 0.499 ms
    assert samples_to_ms(23, SR) == 1  # 0.522 ms
    assert samples_to_ms(45 * 60 * SR + 1, SR) == 45 * 60 * 1000


def test_track_number_validated():
    with pytest.raises(ValueError):
        TrackTags("x", 0, "a", "b", "nl")
    with pytest.raises(ValueError):
        TrackTags("x", 28, "a", "b", "nl")


def test_bad_chapters_rejected(mp3, tags):
    with pytest.raises(ValueError, match="start < stop"):
        write_tags(mp3, tags, [Chapter("leeg", 100, 100)], SR)


def test_set_tags_credits_and_replaygain_round_trip(mp3, tags, chapters):
    from dataclasses import replace

    full = replace(
        tags, album_artist="mbcl-audio", publisher="A training centre", year=2026,
        credits="Voice: espeak (GPL-3.0-or-later (espeak-ng)). Bed: warm-pad, generated by mbcl-audio (GPL-3.0-or-later).",
        replaygain_gain_db=-0.43, replaygain_peak=0.831764,
    )
    write_tags(mp3, full, chapters, SR)
    got = read_tags(mp3)
    assert (got["album_artist"], got["publisher"], got["year"]) == ("mbcl-audio", "A training centre", "2026")
    assert got["credits"] == full.credits and got["comment"] == tags.comment  # two comments, told apart
    assert (got["replaygain_track_gain"], got["replaygain_track_peak"]) == ("-0.43 dB", "0.831764")
    id3 = ID3(mp3)
    assert id3.version == (2, 3, 0) and str(id3["TDRC"]) == "2026"  # v2.3's TYER, read back as TDRC
    # Without them, none of these frames is written.
    write_tags(mp3, tags, chapters, SR)
    got = read_tags(mp3)
    assert got["album_artist"] is got["publisher"] is got["year"] is got["credits"] is got["replaygain_track_gain"] is None
