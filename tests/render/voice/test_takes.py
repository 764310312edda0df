"""The takes voice: prepare_takes / load_take on a generated narrator session in mixed formats, and TakesVoice."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pytest
import scipy.signal
import soundfile as sf
from audio_checks import reference_lufs

import narrator_session as ns
from mbcl_audio import SAMPLE_RATE
from mbcl_audio.render.voice import (
    SpeechCache,
    SynthesizedVoice,
    TakesVoice,
    VoiceBackend,
    VoiceError,
    get_voice,
    load_profile,
    open_voice,
)
from mbcl_audio.render.voice.takes import load_take, prepare_takes, tts_fallback

SPEECH_LUFS = -20.0


def onset_offset_s(x: np.ndarray, rate: int, below_peak_db: float = 35.0) -> tuple[float, float]:
    """Time before the first and after the last 5 ms window within ``below_peak_db`` of the peak."""
    win = int(0.005 * rate)
    env = np.sqrt(np.convolve(x.astype(np.float64) ** 2, np.ones(win) / win, "same"))
    loud = np.flatnonzero(env >= np.max(np.abs(x)) * 10 ** (-below_peak_db / 20))
    return loud[0] / rate, (x.size - loud[-1]) / rate


def hf_power(x: np.ndarray, rate: int) -> np.ndarray:
    """Squared output of a 4 kHz high-pass (clicks are broadband; speech has little energy up there)."""
    sos = scipy.signal.butter(4, 4000, "high", fs=rate, output="sos")
    return scipy.signal.sosfilt(sos, x.astype(np.float64)) ** 2


def edge_hf_ratio(x: np.ndarray, rate: int, edge_s: float = 0.005) -> float:
    """High-frequency power in the first/last ``edge_s`` against the body's typical (median) ``edge_s`` window.

    The clip is padded with zeros so that a cut (a step at the edge) shows up
    as the broadband impulse it is when the clip is played after silence.
    """
    n = int(edge_s * rate)
    p = hf_power(np.concatenate([np.zeros(n), x, np.zeros(n)]), rate)
    body = p[n:-n]
    windows = body[: body.size // n * n].reshape(-1, n).mean(axis=1)
    return max(p[: 2 * n].mean(), p[-2 * n :].mean()) / np.median(windows)


#: Faded edges measure 0.002-0.06 on the session; a hard cut at the loudest
#: sample measures ~20-190, one through a quiet stretch (|x| ~0.08) ~0.25.
EDGE_LIMIT = 0.1


def test_session_files_are_mixed(recorded_session):
    infos = [sf.info(str(p)) for p in recorded_session.files.values()]
    assert {i.samplerate for i in infos} == {22_050, 44_100, 48_000}
    assert {i.channels for i in infos} == {1, 2}
    assert {p.suffix for p in recorded_session.files.values()} == {".wav", ".flac", ".mp3", ".ogg"}
    assert {i.subtype for i in infos} >= {"PCM_16", "PCM_24", "FLOAT"}


def test_prepare_takes_levels_trim_and_edges(recorded_session, takes_dir):
    script = ns.script()
    clips, report = prepare_takes(script, takes_dir, SAMPLE_RATE, SPEECH_LUFS)
    assert len(clips) == len(script.utterances)
    assert not report.missing and not report.extra and not report.stale and not report.fallback

    # The input really differs in level (the +-4 dB offsets), so matching has work to do.
    raw = [load_take(p, SAMPLE_RATE) for p in recorded_session.files.values()]
    raw_lufs = [reference_lufs(x, SAMPLE_RATE) for x in raw]
    assert max(raw_lufs) - min(raw_lufs) > 5.0

    lufs = []
    for uid, clip in zip(ns.IDS, clips):
        assert clip.dtype == np.float32 and clip.ndim == 1
        assert clip.size > 0.45 * SAMPLE_RATE  # long enough for pyloudnorm's 400 ms block
        lufs.append(reference_lufs(clip, SAMPLE_RATE))
        lead, tail = onset_offset_s(clip, SAMPLE_RATE)
        assert lead < 0.060, f"{uid}: {lead * 1000:.0f} ms before the speech"
        assert tail < 0.150, f"{uid}: {tail * 1000:.0f} ms after the speech"
        # The pre-roll is kept: speech is not cut right at its first sound.
        assert lead > 0.020, f"{uid}: pre-roll only {lead * 1000:.0f} ms"
        assert abs(clip[0]) < 1e-6 and abs(clip[-1]) < 1e-6
        assert edge_hf_ratio(clip, SAMPLE_RATE) < EDGE_LIMIT, uid
        # Duration matches the clean espeak speech plus at most ~0.25 s of rolls.
        speech_s = ns.speech_duration_s(recorded_session.speech[uid])
        assert speech_s - 0.05 < clip.size / SAMPLE_RATE < speech_s + 0.25, uid
    assert max(lufs) - min(lufs) <= 1.0, lufs
    assert all(abs(v - SPEECH_LUFS) < 0.5 for v in lufs), lufs

    # Butt-joined, the takes never click: HF power around each join is below the speech around it.
    joined = np.concatenate(clips)
    p = hf_power(joined, SAMPLE_RATE)
    n = int(0.0025 * SAMPLE_RATE)
    at = np.cumsum([c.size for c in clips])[:-1]
    for j in at:
        assert p[j - n : j + n].mean() < p[j - SAMPLE_RATE // 2 : j + SAMPLE_RATE // 2].mean()


def test_click_measure_detects_a_hard_cut(recorded_session):
    """Control for the edge measure: the same take cut without a fade fails it."""
    clip = load_take(recorded_session.files["01-001"], SAMPLE_RATE)
    k = int(np.argmax(np.abs(clip)))
    assert edge_hf_ratio(clip[: k + 1], SAMPLE_RATE) > 1.0  # ends on its loudest sample
    assert edge_hf_ratio(clip[k:], SAMPLE_RATE) > 1.0  # starts on it
    mid = clip[: clip.size // 2]
    assert abs(mid[-1]) > 0.01
    assert edge_hf_ratio(mid, SAMPLE_RATE) > EDGE_LIMIT


def test_dead_channel_take_keeps_its_level(recorded_session):
    """02-001.flac has a dead right channel: the downmix does not halve its speech."""
    data, rate = sf.read(str(recorded_session.files["02-001"]), always_2d=True)
    assert np.sqrt(np.mean(data[:, 1] ** 2)) < 0.01 * np.sqrt(np.mean(data[:, 0] ** 2))
    clip = load_take(recorded_session.files["02-001"], rate)
    assert np.max(np.abs(clip)) == pytest.approx(np.max(np.abs(data[:, 0])), rel=0.05)


def test_missing_without_fallback_lists_every_id(takes_dir):
    (takes_dir / "01-002.wav").unlink()
    (takes_dir / "02-003.ogg").unlink()
    with pytest.raises(VoiceError) as err:
        prepare_takes(ns.script(), takes_dir)
    msg = str(err.value)
    assert "2 take(s) missing" in msg
    assert "01-002: Notice the breath, coming and going." in msg
    assert "02-003: Gently, come back to the wish." in msg
    assert "00-001" not in msg


def test_fallback_fills_and_is_reported(takes_dir, tmp_path):
    (takes_dir / "01-002.wav").unlink()
    calls = []
    speak = tts_fallback(get_voice("espeak", "en"), SpeechCache(tmp_path / "cache"))

    def fallback(text):
        calls.append(text)
        return speak(text)

    clips, report = prepare_takes(ns.script(), takes_dir, SAMPLE_RATE, SPEECH_LUFS, fallback=fallback)
    assert calls == ["Notice the breath, coming and going."]
    assert [(m.id, m.text) for m in report.fallback] == [("01-002", calls[0])]
    assert [m.id for m in report.missing] == ["01-002"]
    assert "01-002" in report.warning()
    assert len(clips) == 6
    assert reference_lufs(clips[2], SAMPLE_RATE) == pytest.approx(SPEECH_LUFS, abs=0.5)
    assert clips[2][0] == 0.0 and clips[2][-1] == 0.0


def test_bad_file_names_it(takes_dir):
    bad = takes_dir / "01-001.wav"
    bad.write_bytes(b"this is not audio at all " * 40)
    with pytest.raises(VoiceError, match=r"01-001\.wav: cannot read this take"):
        prepare_takes(ns.script(), takes_dir)


def test_silent_file_names_it(takes_dir):
    sf.write(str(takes_dir / "01-001.wav"), np.zeros(44_100, dtype=np.float32), 44_100)
    with pytest.raises(VoiceError, match=r"01-001\.wav: the take is silent"):
        prepare_takes(ns.script(), takes_dir)


@pytest.fixture
def narrator(takes_dir):
    """The takes voice profile whose takes are ``takes_dir`` (voices/narrator/takes/en/01)."""
    folder = takes_dir.parents[2]
    (folder / "voice.toml").write_text(ns.TAKES_PROFILE, encoding="utf-8")
    return load_profile(folder / "voice.toml")


def counting_espeak(calls: list) -> Callable[[], VoiceBackend]:
    """Opens the espeak backend as a takes voice's fallback, noting each opening in ``calls``."""

    def open_fallback():
        calls.append("opened")
        return get_voice("espeak", "en")

    return open_fallback


def test_stale_take_is_used_with_a_warning(narrator, takes_dir, tmp_path):
    (takes_dir / "takes.json").write_text(
        '{"format": 1, "takes": {"00-001": {"sheet_text": "Welcome to this long practice."}}}', encoding="utf-8"
    )
    voice = open_voice("narrator", "en", takes_dir.parents[3])
    speech = voice.speak(ns.script(), SpeechCache(tmp_path / "cache"), SPEECH_LUFS)
    stale = [w for w in speech.warnings if "stale" in w]
    assert len(stale) == 1 and "00-001" in stale[0] and "long practice" in stale[0]


def test_open_voice_gives_a_takes_voice_for_a_takes_profile(narrator, takes_dir):
    voices = takes_dir.parents[3]
    assert isinstance(open_voice("narrator", "en", voices), TakesVoice)
    assert open_voice("narrator", "en", voices).name == "narrator"
    assert isinstance(open_voice("espeak", "en", voices), SynthesizedVoice)
    with pytest.raises(VoiceError, match=r"'narrator' .* has takes in en, not 'nl'"):
        open_voice("narrator", "nl", voices)


def test_fallback_voice_opens_only_for_a_missing_take(narrator, takes_dir, tmp_path):
    calls: list = []
    voice = TakesVoice(narrator, "en", counting_espeak(calls))
    cache = SpeechCache(tmp_path / "cache")
    speech = voice.speak(ns.script(), cache, SPEECH_LUFS)
    assert calls == [] and speech.synthesized == 0 and speech.cached == 0
    assert len(speech.clips) == len(ns.IDS)
    assert not any("fallback voice" in w for w in speech.warnings)

    (takes_dir / "01-002.wav").unlink()
    speech = voice.speak(ns.script(), cache, SPEECH_LUFS)
    assert calls == ["opened"] and speech.synthesized == 1 and speech.cached == 0
    (fallback,) = [w for w in speech.warnings if "fallback voice" in w]
    assert fallback.startswith("takes-test.txt: voice 'narrator': 1 utterance(s) without a take")
    assert "01-002 'Notice the breath, coming and going.'" in fallback


def test_require_takes_names_the_script_the_voice_and_the_missing_take(narrator, takes_dir, tmp_path):
    (takes_dir / "01-002.wav").unlink()
    calls: list = []
    voice = TakesVoice(narrator, "en", counting_espeak(calls), require_takes=True)
    with pytest.raises(VoiceError) as err:
        voice.speak(ns.script(), SpeechCache(tmp_path / "cache"), SPEECH_LUFS)
    message = str(err.value)
    assert message.startswith("takes-test.txt: voice 'narrator' (--require-takes): 1 take(s) missing in ")
    assert "01-002: Notice the breath, coming and going." in message and "00-001" not in message
    assert calls == []
