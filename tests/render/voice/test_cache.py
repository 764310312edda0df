"""SpeechCache: hits make no backend calls, keys cover everything, writes are atomic, two processes share one entry."""

from __future__ import annotations

import multiprocessing
import time

import numpy as np
import pytest

import cache_race_worker

from mbcl_audio.render.voice import SpeechCache, VoiceError
from mbcl_audio.render.voice import cache as cache_mod
from mbcl_audio.render.voice.espeak import EspeakVoice


class FakeVoice:
    """Deterministic backend that counts its calls: a tone whose pitch depends on the text."""

    name = "fake"
    language = "en"

    def __init__(self, setting: float = 1.0, sample_rate: int = 16000) -> None:
        self.setting = setting
        self.sample_rate = sample_rate
        self.calls = 0

    def identity(self) -> str:
        return f"fake v1 setting={self.setting}"

    def synthesize(self, text: str) -> np.ndarray:
        self.calls += 1
        t = np.arange(int(0.05 * len(text) * self.sample_rate)) / self.sample_rate
        return (0.3 * self.setting * np.sin(2 * np.pi * (200 + len(text)) * t)).astype(np.float32)


class CountingProxy:
    """Wraps a real backend and counts synthesize calls."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name, self.language, self.sample_rate = inner.name, inner.language, inner.sample_rate
        self.calls = 0

    def identity(self) -> str:
        return self.inner.identity()

    def synthesize(self, text: str) -> np.ndarray:
        self.calls += 1
        return self.inner.synthesize(text)


def entries(directory):
    """Every file in the cache directory except the (permanent) lock files."""
    if not directory.exists():
        return []
    return sorted(p.name for p in directory.iterdir() if not p.name.startswith(cache_mod.LOCK_PREFIX))


def test_second_call_is_a_hit_without_backend_call(tmp_path):
    cache, voice = SpeechCache(tmp_path), FakeVoice()
    first = cache.synthesize(voice, "Breathe in.")
    assert (voice.calls, cache.hits, cache.misses) == (1, 0, 1)
    second = cache.synthesize(voice, "Breathe in.")
    assert (voice.calls, cache.hits, cache.misses) == (1, 1, 1)
    np.testing.assert_array_equal(first, second)
    assert second.dtype == np.float32

    # Persisted: a fresh cache object over the same directory hits too.
    again = SpeechCache(tmp_path)
    np.testing.assert_array_equal(again.synthesize(voice, "Breathe in."), first)
    assert voice.calls == 1 and again.hits == 1


def test_real_espeak_round_trip(tmp_path):
    cache, voice = SpeechCache(tmp_path), CountingProxy(EspeakVoice("nl"))
    first = cache.synthesize(voice, "Adem rustig in.")
    second = cache.synthesize(voice, "Adem rustig in.")
    assert voice.calls == 1 and (cache.hits, cache.misses) == (1, 1)
    np.testing.assert_array_equal(first, second)
    stored = np.load(cache.path_for(voice, "Adem rustig in."))
    assert stored.dtype == np.float32 and stored.shape == first.shape


def test_key_changes_with_text_settings_and_rate(tmp_path):
    cache = SpeechCache(tmp_path)
    base = cache.path_for(FakeVoice(), "Breathe in.")
    assert cache.path_for(FakeVoice(), "Breathe in.") == base
    assert cache.path_for(FakeVoice(), "Breathe out.") != base
    assert cache.path_for(FakeVoice(setting=0.5), "Breathe in.") != base
    assert cache.path_for(FakeVoice(sample_rate=22050), "Breathe in.") != base
    assert cache.path_for(EspeakVoice("nl"), "x") != cache.path_for(EspeakVoice("nl", pitch=60), "x")

    # A changed setting really re-synthesizes instead of returning stale audio.
    loud, quiet = FakeVoice(1.0), FakeVoice(0.5)
    a = cache.synthesize(loud, "Breathe in.")
    b = cache.synthesize(quiet, "Breathe in.")
    assert quiet.calls == 1
    assert np.max(np.abs(b)) == pytest.approx(0.5 * np.max(np.abs(a)), rel=1e-3)


def test_key_changes_with_format_version(tmp_path, monkeypatch):
    cache, voice = SpeechCache(tmp_path), FakeVoice()
    before = cache.path_for(voice, "x")
    monkeypatch.setattr(cache_mod, "CACHE_FORMAT_VERSION", cache_mod.CACHE_FORMAT_VERSION + 1)
    assert cache.path_for(voice, "x") != before


@pytest.mark.parametrize(
    "corrupt",
    [
        lambda good: b"",
        lambda good: b"not numpy at all",
        lambda good: good[: len(good) // 2],  # valid header, half the samples
        lambda good: good[:40],  # cut inside the header
    ],
    ids=["empty", "garbage", "truncated-data", "truncated-header"],
)
def test_corrupt_entry_is_a_miss_and_is_overwritten(tmp_path, corrupt):
    cache, voice = SpeechCache(tmp_path), FakeVoice()
    good = cache.synthesize(voice, "Breathe in.")
    path = cache.path_for(voice, "Breathe in.")
    path.write_bytes(corrupt(path.read_bytes()))
    again = cache.synthesize(voice, "Breathe in.")
    assert voice.calls == 2 and cache.misses == 2
    np.testing.assert_array_equal(again, good)
    np.testing.assert_array_equal(np.load(path), good)  # repaired on disk
    cache.synthesize(voice, "Breathe in.")
    assert voice.calls == 2  # and now a hit


def test_wrong_dtype_entry_is_a_miss(tmp_path):
    cache, voice = SpeechCache(tmp_path), FakeVoice()
    path = cache.path_for(voice, "x")
    tmp_path.mkdir(exist_ok=True)
    np.save(path, np.zeros(10, dtype=np.float64))
    cache.synthesize(voice, "x")
    assert voice.calls == 1 and np.load(path).dtype == np.float32


def test_atomic_write_leaves_no_temp_files(tmp_path):
    cache, voice = SpeechCache(tmp_path / "speech"), FakeVoice()
    for text in ["one", "two", "three", "one"]:
        cache.synthesize(voice, text)
    names = entries(tmp_path / "speech")
    assert len(names) == 3 and all(n.endswith(".npy") and not n.startswith(".") for n in names)


def test_failed_write_leaves_neither_entry_nor_temp_file(tmp_path, monkeypatch):
    cache, voice = SpeechCache(tmp_path), FakeVoice()

    def broken_save(f, arr, allow_pickle=False):
        f.write(b"\x93NUMPY partial")  # half a file, then the disk "fills up"
        raise OSError("No space left on device")

    monkeypatch.setattr(cache_mod.np, "save", broken_save)
    with pytest.raises(OSError):
        cache.synthesize(voice, "Breathe in.")
    assert entries(tmp_path) == []


def test_empty_result_is_not_stored(tmp_path):
    class Mute(FakeVoice):
        def synthesize(self, text):
            self.calls += 1
            return np.zeros(0, dtype=np.float32)

    cache, voice = SpeechCache(tmp_path), Mute()
    assert cache.synthesize(voice, "x").size == 0
    assert cache.synthesize(voice, "x").size == 0
    assert voice.calls == 2 and entries(tmp_path) == []


def test_non_mono_or_non_finite_output_raises(tmp_path):
    class Stereo(FakeVoice):
        def synthesize(self, text):
            return np.zeros((100, 2), dtype=np.float32)

    class Broken(FakeVoice):
        def synthesize(self, text):
            return np.full(100, np.nan, dtype=np.float32)

    with pytest.raises(VoiceError, match="mono"):
        SpeechCache(tmp_path).synthesize(Stereo(), "x")
    with pytest.raises(VoiceError, match="non-finite"):
        SpeechCache(tmp_path).synthesize(Broken(), "x")
    assert entries(tmp_path) == []


def test_default_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("MBCL_AUDIO_CACHE", str(tmp_path / "env-cache"))
    assert SpeechCache().directory == tmp_path / "env-cache"
    monkeypatch.delenv("MBCL_AUDIO_CACHE")
    directory = SpeechCache().directory
    assert directory.name == "speech" and directory.parent.name == "mbcl-audio"
    # Constructing a cache does not touch the disk.
    assert not (tmp_path / "env-cache").exists()


def test_two_processes_synthesizing_the_same_text_leave_one_entry(tmp_path):
    directory = tmp_path / "cache"
    start_at = time.time() + 3.0  # after both spawned interpreters have imported everything
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        results = pool.starmap(
            cache_race_worker.synthesize_once, [(str(directory), "Breathe in.", start_at)] * 2
        )
    misses = sum(r[0] for r in results)
    hits = sum(r[1] for r in results)
    assert (misses, hits) == (1, 1), "the second process waits for the first and reads its entry"
    assert results[0][2] == results[1][2]
    cache = SpeechCache(directory)
    entries = cache.entries()
    assert len(entries) == 1
    assert not list(directory.glob(".tmp-*"))
    stored = np.load(entries[0])
    assert stored.dtype == np.float32 and stored.tobytes() == results[0][2]
