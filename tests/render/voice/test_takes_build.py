"""Building with a takes voice: recorded takes placed on the plan, TTS for missing ones, and the CLI.

The takes are espeak speech written as WAV files with leading room tone, one
utterance left unrecorded so that the fallback voice speaks it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from click.testing import CliRunner

import narrator_session as ns

from mbcl_audio import SAMPLE_RATE
from mbcl_audio.build import BuildOptions, build_track, prepare_track
from mbcl_audio.cli import main
from mbcl_audio.render.voice import SpeechCache, VoiceError, get_voice
from mbcl_audio.render.voice.takes import prepare_takes, tts_fallback
from mbcl_audio.script import parse_script
from mbcl_audio.takes import takes_folder, utterance_ids

SCRIPT = """+++
track = 1
title = "Takes build test"
language = "en"
length = "25s"
voice = "espeak"
+++

Welcome to this short practice.

[pause 2s..6s]

# Arriving

Notice the breath, coming and going.

[pause 2s..6s]

Let the body rest.

[pause 2s..6s]

# Kindness

May I be safe and well.
"""

IDS = ["00-001", "01-001", "01-002", "02-001"]
MISSING = "01-002"


ONSET_TOLERANCE_S = 0.020


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """voices/narrator (a takes voice with every take but MISSING) and scripts/en/01-takes-build-test.txt."""
    root = tmp_path_factory.mktemp("project")
    script_path = root / "scripts" / "en" / "01-takes-build-test.txt"
    script_path.parent.mkdir(parents=True)
    script_path.write_text(SCRIPT, encoding="utf-8")
    voices = root / "voices"
    (voices / "narrator").mkdir(parents=True)
    (voices / "narrator" / "voice.toml").write_text(ns.TAKES_PROFILE, encoding="utf-8")
    script = parse_script(script_path)
    assert utterance_ids(script) == IDS
    folder = takes_folder(voices / "narrator", "en", 1)
    folder.mkdir(parents=True)
    espeak = get_voice("espeak", "en")
    rng = np.random.default_rng(3)
    for i, (uid, utterance) in enumerate(zip(IDS, script.utterances)):
        if uid == MISSING:
            continue
        speech = np.asarray(espeak.synthesize(utterance.text), dtype=np.float64)
        speech = speech / np.max(np.abs(speech)) * 10 ** ((-10.0 + 2 * i) / 20)  # takes differ in level
        rate = espeak.sample_rate
        lead = np.zeros(int((0.5 + 0.2 * i) * rate))
        take = np.concatenate([lead, speech, np.zeros(int(0.6 * rate))])
        take += rng.standard_normal(take.size) * 10 ** (-65 / 20)  # room tone
        sf.write(str(folder / f"{uid}.wav"), take.astype(np.float32), rate, subtype="PCM_16")
    return {"root": root, "script": script_path, "voices": voices, "folder": folder}


@pytest.fixture
def cache_env(tmp_path, monkeypatch):
    monkeypatch.setenv("MBCL_AUDIO_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def options(project, **kw) -> BuildOptions:
    base = BuildOptions(voice="narrator", voices_dir=project["voices"], bed="none", pacing=False)
    return replace(base, **kw)


def first_onset(x: np.ndarray, from_sample: int, peak: float, below_peak_db: float = 30.0) -> int:
    """First sample at or after ``from_sample`` whose 2 ms RMS envelope is within ``below_peak_db`` of ``peak``."""
    win = int(0.002 * SAMPLE_RATE)
    env = np.sqrt(np.convolve(x.astype(np.float64) ** 2, np.ones(win) / win, "same"))
    loud = np.flatnonzero(env[from_sample:] >= peak * 10 ** (-below_peak_db / 20))
    return from_sample + int(loud[0])


def test_takes_build_places_takes_and_falls_back_for_the_missing_one(project, cache_env, tmp_path):
    script = parse_script(project["script"])
    result = build_track(project["script"], tmp_path / "out", options(project))
    assert result.path.is_file()
    fallback = [w for w in result.warnings if "fallback voice" in w]
    assert len(fallback) == 1
    assert MISSING in fallback[0] and "Let the body rest." in fallback[0]
    assert not any(uid in fallback[0] for uid in IDS if uid != MISSING)
    # The takes were copied in without a manifest: the build says so, naming each.
    (unverified,) = [w for w in result.warnings if "no record of the text" in w]
    assert all(uid in unverified for uid in IDS if uid != MISSING)
    assert len(result.warnings) == 2
    assert result.synthesized == 1  # only the missing take went through TTS

    # The clips the build placed: the same takes, prepared the same way.
    clips, report = prepare_takes(
        script, project["folder"], SAMPLE_RATE, BuildOptions().mix.speech_lufs,
        fallback=tts_fallback(get_voice("espeak", "en"), SpeechCache(cache_env)),
    )
    assert [m.id for m in report.fallback] == [MISSING]

    decoded, rate = sf.read(str(result.path), dtype="float32", always_2d=True)
    assert rate == SAMPLE_RATE
    mp3 = decoded.mean(axis=1)
    prepared = prepare_track(project["script"], options(project))
    speech_events = [e for e in result.plan.events if e.kind == "speech"]
    assert [e.utterance for e in speech_events] == list(range(len(IDS)))
    back = int(0.1 * SAMPLE_RATE)
    for event, clip, uid in zip(speech_events, clips, IDS):
        start = event.start_sample
        assert event.duration_samples == clip.size, uid
        # Where the speech starts in the clip, in seconds after the clip's start.
        lead = first_onset(clip, 0, float(np.max(np.abs(clip))))
        planned = start + lead
        lo, stop = max(0, start - back), start + clip.size
        layer = prepared.mix.voice(lo, stop)
        at_layer = lo + first_onset(layer, 0, float(np.max(np.abs(layer))))
        assert abs(at_layer - planned) <= ONSET_TOLERANCE_S * SAMPLE_RATE, (uid, at_layer - planned)
        window = mp3[lo:stop]
        at_mp3 = lo + first_onset(window, 0, float(np.max(np.abs(window))))
        assert abs(at_mp3 - planned) <= ONSET_TOLERANCE_S * SAMPLE_RATE, (uid, (at_mp3 - planned) / SAMPLE_RATE)


def test_require_takes_fails_listing_the_missing_take(project, cache_env, tmp_path):
    with pytest.raises(VoiceError) as info:
        build_track(project["script"], tmp_path / "out", options(project, require_takes=True))
    message = str(info.value)
    assert MISSING in message and "Let the body rest." in message
    assert "01-001" not in message
    assert not (tmp_path / "out" / "en").exists() or not any((tmp_path / "out" / "en").iterdir())


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def test_cli_takes_sheet_writes_every_id(project, tmp_path):
    result = run("takes", "sheet", project["script"].parent, "--voice", "narrator", "--voices", project["voices"])
    assert result.exit_code == 0, result.output
    written = [Path(line) for line in result.output.splitlines()]
    assert {p.name for p in written} == {"recording-sheet.md", "recording-sheet.csv", "takes.json"}
    for path in written:
        assert path.is_file() and path.parent == project["folder"]
        text = path.read_text(encoding="utf-8-sig")
        assert all(uid in text for uid in IDS), path


def test_cli_takes_status_lists_the_missing_take_and_exits_1(project, tmp_path):
    result = run("takes", "status", "--voice", "narrator", "--voices", project["voices"], project["script"])
    assert result.exit_code == 1, result.output
    assert f"missing {MISSING}" in result.output
    assert "3 of 4 takes present" in result.output
    assert not any(f"missing {uid}" in result.output for uid in IDS if uid != MISSING)


def test_cli_takes_refuses_a_voice_that_is_not_takes(project):
    result = run("takes", "status", "--voice", "espeak", "--voices", project["voices"], project["script"])
    assert result.exit_code == 1
    assert "not \"takes\"" in result.output


def test_cli_build_prints_the_fallback_warning(project, tmp_path):
    env = {"MBCL_AUDIO_CACHE": str(tmp_path / "cache")}
    result = CliRunner().invoke(
        main,
        ["build", str(project["script"]), "--voice", "narrator", "--voices", str(project["voices"]),
         "--bed", "none", "--out", str(tmp_path / "out")],
        env=env,
    )
    assert result.exit_code == 0, result.output + result.stderr
    assert "warning: " in result.stderr and MISSING in result.stderr
    failed = CliRunner().invoke(
        main,
        ["build", str(project["script"]), "--voice", "narrator", "--voices", str(project["voices"]),
         "--bed", "none", "--out", str(tmp_path / "out2"), "--require-takes"],
        env=env,
    )
    assert failed.exit_code == 1 and MISSING in failed.stderr


def test_cli_takes_split_cuts_a_session_into_the_voice_folder(tmp_path):
    """`takes split` from a continuous recording straight into voices/<id>/takes/<lang>/<track>/."""
    voices = tmp_path / "voices"
    (voices / "narrator").mkdir(parents=True)
    (voices / "narrator" / "voice.toml").write_text(ns.TAKES_PROFILE, encoding="utf-8")
    script_path = tmp_path / "en" / "01-takes-test.txt"
    script_path.parent.mkdir()
    script_path.write_text(ns.SCRIPT, encoding="utf-8")
    session = ns.write_session(tmp_path / "session.wav")
    result = CliRunner().invoke(
        main, ["takes", "split", str(session.path), "--script", str(script_path), "--voice", "narrator", "--voices", str(voices)]
    )
    assert result.exit_code == 0, result.output
    folder = takes_folder(voices / "narrator", "en", 1)
    assert sorted(p.stem for p in folder.glob("*.flac")) == sorted(ns.IDS)
    status = CliRunner().invoke(main, ["takes", "status", "--voice", "narrator", "--voices", str(voices), str(script_path)])
    assert status.exit_code == 0, status.output
