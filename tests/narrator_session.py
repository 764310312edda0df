"""A generated "narrator session" for takes tests: espeak utterances recorded as if by a person.

Each utterance gets room tone (low filtered noise through the whole file),
its own level (a few dB up or down), leading and trailing silence, and is
written in its own format: 16/24-bit and float WAV, FLAC, MP3, OGG at
22.05/44.1/48 kHz, mono and stereo.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np
import pytest
import scipy.signal
import soundfile as sf
import soxr

from mbcl_audio.render.voice.espeak import EspeakVoice
from mbcl_audio.script.parser import parse_text

#: The voice.toml of a takes voice that falls back to espeak, for tests that build with one.
TAKES_PROFILE = """engine = "takes"
languages = ["en"]
fallback = "espeak"

[licence]
name = "Recorded for this project"
commercial_use = true
"""

SCRIPT = """+++
track = 1
title = "Takes test"
language = "en"
length = "3m"
voice = "espeak"
+++

Welcome to this short practice.

# Arriving

You can arrive in this moment, just as you are.

[pause 2s..5s]

Notice the breath, coming and going.

# Kindness

[breath-locked x2] May I be safe and well | and may I be at ease

[silence 1m..2m every=30s]
> Gently, come back to the wish.
"""

#: The IDs the rule gives SCRIPT's utterances, in order.
IDS = ["00-001", "01-001", "01-002", "02-001", "02-002", "02-003"]

#: How each take is written: (extension, soundfile format, subtype, rate, channels, level dB, lead s, tail s).
FORMATS = [
    ("wav", "WAV", "PCM_16", 48_000, 2, +3.0, 0.6, 0.7),
    ("wav", "WAV", "PCM_24", 22_050, 1, -4.0, 0.8, 0.5),
    ("wav", "WAV", "FLOAT", 44_100, 1, +1.0, 0.5, 0.9),
    ("flac", "FLAC", "PCM_16", 48_000, 2, -2.0, 0.7, 0.6),  # right channel dead (mic on one input)
    ("mp3", "MP3", "MPEG_LAYER_III", 44_100, 1, +4.0, 0.6, 0.6),
    ("ogg", "OGG", "VORBIS", 48_000, 1, -3.0, 0.9, 0.8),
]

#: Room tone level (RMS, dBFS) and the speech peak level before the per-take offset (dBFS).
ROOM_TONE_DBFS = -62.0
SPEECH_PEAK_DBFS = -8.0


@dataclass
class Session:
    script_text: str
    texts: list[str]
    files: dict[str, Path]  # id -> take file
    speech: dict[str, np.ndarray]  # id -> the clean espeak clip (22.05 kHz), before any recording effects


def narrator() -> EspeakVoice:
    """The synthetic narrator: espeak at a brisk, fixed rate, so the sessions (their pauses inside
    utterances and between them) stay the same whatever the voices' default pace."""
    return EspeakVoice("en", rate_wpm=140)


def script(text: str = SCRIPT, path: str = "takes-test.txt"):
    return parse_text(text, path)


def room_tone(n: int, rate: int, rng: np.random.Generator) -> np.ndarray:
    """Low, slightly dark noise at :data:`ROOM_TONE_DBFS` RMS."""
    noise = rng.standard_normal(n)
    sos = scipy.signal.butter(2, 3000, "low", fs=rate, output="sos")
    noise = scipy.signal.sosfilt(sos, noise)
    return noise / np.sqrt(np.mean(noise**2)) * 10 ** (ROOM_TONE_DBFS / 20)


def record(folder: Path, seed: int = 7) -> Session:
    """Synthesize SCRIPT's utterances with espeak and write one take file per utterance into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    s = script()
    voice = narrator()
    rng = np.random.default_rng(seed)
    texts = [u.text for u in s.utterances]
    files, speech = {}, {}
    for uid, text, (ext, fmt, subtype, rate, channels, level_db, lead, tail) in zip(IDS, texts, FORMATS):
        clean = np.asarray(voice.synthesize(text), dtype=np.float64)
        speech[uid] = clean
        x = soxr.resample(clean, voice.sample_rate, rate, quality="HQ") if rate != voice.sample_rate else clean
        x = x / np.max(np.abs(x)) * 10 ** ((SPEECH_PEAK_DBFS + level_db) / 20)
        x = np.concatenate([np.zeros(int(lead * rate)), x, np.zeros(int(tail * rate))])
        x = x + room_tone(x.size, rate, rng)
        if channels == 2:
            if uid == "02-001":  # dead right input: only its own faint noise
                data = np.stack([x, room_tone(x.size, rate, rng) * 0.3], axis=1)
            else:  # the same mic on both inputs, slightly different gain and noise
                data = np.stack([x, 0.9 * x + room_tone(x.size, rate, rng)], axis=1)
        else:
            data = x
        path = folder / f"{uid}.{ext}"
        sf.write(str(path), data.astype(np.float32), rate, format=fmt, subtype=subtype)
        files[uid] = path
    return Session(SCRIPT, texts, files, speech)


def speech_duration_s(clean: np.ndarray, rate: int = 22_050, below_peak_db: float = 45.0) -> float:
    """Duration of the sounding part of a clean espeak clip (first to last 10 ms frame within 45 dB of the peak)."""
    frame = int(0.01 * rate)
    n = clean.size // frame
    rms = np.sqrt(np.mean(clean[: n * frame].reshape(n, frame) ** 2, axis=1))
    loud = np.flatnonzero(rms >= np.max(np.abs(clean)) * 10 ** (-below_peak_db / 20))
    return (loud[-1] + 1 - loud[0]) * frame / rate


@dataclass
class SessionRecording:
    """One continuous narration recording of SCRIPT written by :func:`write_session`."""

    path: Path
    rate: int
    ids: list[str]  # the utterances in the recording, in order (skipped ones left out)
    onsets_s: list[float]  # where each of them starts in the file
    clean: dict[str, np.ndarray]  # id -> the clean clip as spoken (22.05 kHz; repeats and inner gaps included)
    inner_gap_s: float = 0.0  # longest pause inside the utterance given an inner gap (0: none)


#: Per-utterance level offsets (dB) in a session: the narrator moves a little.
SESSION_LEVELS_DB = [+3.0, -2.0, 0.0, -3.0, +2.0, -1.0]


def _quiet_run(clean: np.ndarray, rate: int) -> tuple[int, int]:
    """The longest run of quiet 10 ms frames (45 dB under the peak) in the middle half of a clean clip."""
    frame = int(0.01 * rate)
    n = clean.size // frame
    rms = np.sqrt(np.mean(clean[: n * frame].reshape(n, frame) ** 2, axis=1))
    quiet = rms < np.max(np.abs(clean)) * 10 ** (-45 / 20)
    quiet[: n // 4] = quiet[3 * n // 4:] = False
    edges = np.diff(np.concatenate([[0], quiet.astype(int), [0]]))
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if starts.size == 0:  # no pause: cut in the middle
        return n // 2 * frame, n // 2 * frame
    k = int(np.argmax(stops - starts))
    return int(starts[k]) * frame, int(stops[k]) * frame


def write_session(
    path: Path,
    rate: int = 44_100,
    channels: int = 2,
    subtype: str = "PCM_24",
    seed: int = 11,
    skip: tuple[str, ...] = (),
    repeat: tuple[str, ...] = (),
    inner_gap: tuple[str, float] | None = None,
) -> SessionRecording:
    """Write SCRIPT read in one go as one continuous recording (format from the suffix: .wav, .flac, ...).

    Room tone throughout, 1.5-4 s gaps between utterances, per-utterance level
    offsets (:data:`SESSION_LEVELS_DB`), a second channel of the same mic with
    its own noise when stereo.

    Args:
        skip: IDs the narrator left out.
        repeat: IDs spoken twice with 0.4 s between (a retake run straight on).
        inner_gap: ``(id, seconds)``: silence added at the longest pause
            inside that utterance (a breath in mid-sentence).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    s = script()
    voice = narrator()
    rng = np.random.default_rng(seed)
    vr = voice.sample_rate
    ids, onsets, clean_by_id = [], [], {}
    inner = 0.0
    pieces = [np.zeros(int(1.0 * rate))]
    t = pieces[0].size
    for uid, u, level_db in zip(IDS, s.utterances, SESSION_LEVELS_DB):
        if uid in skip:
            continue
        clean = np.asarray(voice.synthesize(u.text), dtype=np.float64)
        if uid in repeat:
            clean = np.concatenate([clean, np.zeros(int(0.4 * vr)), clean])
        if inner_gap is not None and inner_gap[0] == uid:
            a, b = _quiet_run(clean, vr)
            clean = np.concatenate([clean[:a], np.zeros(int(inner_gap[1] * vr)), clean[a:]])
            inner = (b - a) / vr + inner_gap[1]
        clean_by_id[uid] = clean
        x = soxr.resample(clean, vr, rate, quality="HQ") if rate != vr else clean
        x = x / np.max(np.abs(x)) * 10 ** ((SPEECH_PEAK_DBFS + level_db) / 20)
        ids.append(uid)
        onsets.append(t / rate)
        gap = np.zeros(int(rng.uniform(1.5, 4.0) * rate))
        pieces += [x, gap]
        t += x.size + gap.size
    pieces.append(np.zeros(int(0.5 * rate)))
    x = np.concatenate(pieces)
    x = x + room_tone(x.size, rate, rng)
    data = np.stack([x, 0.9 * x + room_tone(x.size, rate, rng)], axis=1) if channels == 2 else x
    sf.write(str(path), data.astype(np.float32), rate, subtype=subtype)
    return SessionRecording(path, rate, ids, onsets, clean_by_id, inner)


_recorded: Optional[Session] = None


@pytest.fixture(scope="session")
def recorded_session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    """One generated narrator session (espeak takes in mixed formats), recorded once per test run.

    tests/takes and tests/render/voice both import this fixture into their
    conftest; the module-level copy keeps the recording to one.
    """
    global _recorded
    if _recorded is None:
        _recorded = record(tmp_path_factory.mktemp("session") / "takes" / "en" / "01")
    return _recorded


@pytest.fixture
def takes_dir(recorded_session: Session, tmp_path: Path) -> Path:
    """A private copy of the session's take folder, free to edit."""
    folder = tmp_path / "voices" / "narrator" / "takes" / "en" / "01"
    shutil.copytree(next(iter(recorded_session.files.values())).parent, folder)
    return folder
