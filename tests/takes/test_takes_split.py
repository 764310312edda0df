"""takes split: cut a generated continuous narration session into utterance takes."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.signal
import soundfile as sf
import soxr

import narrator_session as ns
from mbcl_audio.render.voice.takes import load_take
from mbcl_audio.takes import read_manifest, split_session, takes_status
from mbcl_audio.takes.files import file_sha256
from mbcl_audio.takes.split import ROOM_TONE_S

VOICE_RATE = 22_050

VARIANTS = {
    "wav-44k1-stereo": ("session.wav", 44_100, 2, "PCM_16"),
    "flac-48k-mono": ("session.flac", 48_000, 1, "PCM_24"),
}


@pytest.fixture(scope="module", params=list(VARIANTS))
def session(request, tmp_path_factory):
    name, rate, channels, subtype = VARIANTS[request.param]
    return ns.write_session(tmp_path_factory.mktemp(request.param) / name, rate, channels, subtype)


def best_match(take: np.ndarray, rate: int, clean: dict[str, np.ndarray]) -> tuple[str, float, float]:
    """(id of the clean clip that correlates best with ``take``, its normalized correlation, its onset in the take s)."""
    best = ("", -1.0, 0.0)
    for uid, c in clean.items():
        ref = soxr.resample(c, VOICE_RATE, rate, quality="HQ") if rate != VOICE_RATE else c
        corr = scipy.signal.correlate(take, ref, mode="full", method="fft")
        k = int(np.argmax(np.abs(corr)))
        score = abs(corr[k]) / (np.linalg.norm(take) * np.linalg.norm(ref))
        if score > best[1]:
            best = (uid, float(score), (k - (ref.size - 1)) / rate)
    return best


def test_split_recovers_every_utterance_in_order(session, tmp_path):
    s = ns.script()
    out = tmp_path / "takes" / "en" / "01"
    report = split_session(session.path, s, "espeak", out)
    assert report.ok, report.lines()
    assert report.mismatch is None and report.suspicious == []
    assert [p.name for p in report.written] == [f"{uid}.flac" for uid in ns.IDS]
    for uid, path, onset in zip(ns.IDS, report.written, session.onsets_s):
        info = sf.info(str(path))
        assert (info.samplerate, info.channels, info.subtype) == (session.rate, 1, "PCM_24")
        take, rate = sf.read(str(path), dtype="float64")
        clean_s = session.clean[uid].size / VOICE_RATE
        speech_s = take.size / rate - 2 * ROOM_TONE_S
        assert abs(speech_s - clean_s) <= 0.15 * clean_s, (uid, speech_s, clean_s)
        # The file holds this utterance (not a neighbour), with the room tone lead kept before it.
        match, score, lead = best_match(take, rate, session.clean)
        assert match == uid and score > 0.9, (uid, match, score)
        assert abs(lead - ROOM_TONE_S) < 0.03, (uid, lead)
        assert abs(report.assignment[uid].start_s - onset) < 0.03
        assert load_take(path).size > 0  # usable by the stitcher
    manifest = read_manifest(out)
    for entry_id, text, path in zip(ns.IDS, (u.text for u in s.utterances), report.written):
        assert manifest[entry_id] == {"sheet_text": text, "text": text, "sha256": file_sha256(path)}
    status = takes_status(s, out)
    assert not status.missing and not status.stale and not status.extra and not status.unverified
    assert any("wrote 6 takes" in line for line in report.lines())


def test_missing_utterance_reports_count_mismatch_and_writes_nothing(tmp_path):
    rec = ns.write_session(tmp_path / "session.wav", skip=("01-001",))
    out = tmp_path / "out"
    report = split_session(rec.path, ns.script(), "espeak", out)
    assert not report.ok
    assert report.mismatch is not None
    assert (report.mismatch.expected, report.mismatch.found) == (6, 5)
    assert [e.id for e in report.mismatch.unassigned] == ["01-001"]
    text = "\n".join(report.lines())
    assert "count mismatch" in text and "01-001" in text and "wrote nothing" in text
    assert report.written == [] and not out.exists()

    # Forced: the alignment's guess is written, 01-001 left without a take and the rest in place.
    forced = split_session(rec.path, ns.script(), "espeak", out, force=True)
    assert [p.stem for p in forced.written] == [uid for uid in ns.IDS if uid != "01-001"]
    take, rate = sf.read(str(out / "01-002.flac"), dtype="float64")
    assert best_match(take, rate, rec.clean)[0] == "01-002"
    assert "forced" in "\n".join(forced.lines())


def test_twice_as_long_segment_is_flagged(tmp_path):
    rec = ns.write_session(tmp_path / "session.wav", repeat=("02-001",))
    report = split_session(rec.path, ns.script(), "espeak", tmp_path / "out")
    assert report.mismatch is None
    assert [s.id for s in report.suspicious] == ["02-001"]
    flagged = report.suspicious[0]
    assert flagged.ratio > 2.0
    line = flagged.line()
    assert f"{flagged.segment.duration_s:.1f} s" in line and f"{flagged.expected_s:.1f} s" in line
    assert not report.ok
    assert len(report.written) == 6  # suspicious takes are written, and reported


def test_short_pause_inside_an_utterance_does_not_split_it(tmp_path):
    rec = ns.write_session(tmp_path / "session.flac", rate=48_000, channels=1, inner_gap=("01-001", 0.35))
    assert 0.3 < rec.inner_gap_s < 0.7  # a real pause, shorter than min_silence_s
    report = split_session(rec.path, ns.script(), "espeak", tmp_path / "out", min_silence_s=0.7)
    assert report.ok, report.lines()
    take, rate = sf.read(str(tmp_path / "out" / "01-001.flac"), dtype="float64")
    clean_s = rec.clean["01-001"].size / VOICE_RATE
    assert abs(take.size / rate - 2 * ROOM_TONE_S - clean_s) <= 0.15 * clean_s
    # The pause is detectable: a shorter min_silence_s splits there (and the mismatch is reported).
    finer = split_session(rec.path, ns.script(), "espeak", tmp_path / "finer", min_silence_s=0.3)
    assert finer.mismatch is not None and len(finer.mismatch.extra) == 1
    assert finer.written == []


def test_existing_take_in_another_format_blocks_writing(tmp_path):
    rec = ns.write_session(tmp_path / "session.wav")
    out = tmp_path / "out"
    out.mkdir()
    sf.write(str(out / "01-001.wav"), np.zeros(100, dtype=np.float32), 44_100)
    report = split_session(rec.path, ns.script(), "espeak", out)
    assert report.conflicts == [out / "01-001.wav"] and report.written == [] and not report.ok
    assert "01-001.wav" in "\n".join(report.lines())


def test_a_narrator_slower_than_the_estimates_is_not_suspicious(session, tmp_path, monkeypatch):
    """Durations are judged at the narrator's own pace: estimates at double speed flag nothing."""
    from mbcl_audio.plan import estimate

    faster = {key: (rate * 2.5, break_s / 2.5) for key, (rate, break_s) in estimate.SPEECH_RATES.items()}
    monkeypatch.setattr(estimate, "SPEECH_RATES", faster)
    report = split_session(session.path, ns.script(), "espeak", tmp_path / "takes")
    assert report.mismatch is None and report.suspicious == [] and report.ok
