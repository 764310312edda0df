"""How build-set shares the machine: longest tracks first, and -j N as N cores shared among the
tracks building (measured with mbcl_audio.audio.worker_threads, the figure each pass asks)."""

from __future__ import annotations

import multiprocessing

import pytest
from test_build_set import make_scripts

from mbcl_audio.audio import set_thread_budget, worker_threads
from mbcl_audio.set import SetOptions, build_set, runner


@pytest.fixture
def ran(monkeypatch):
    """run_job replaced by a recorder: (track, expected length, threads a pass may use) per job."""
    monkeypatch.delenv("MBCL_AUDIO_THREADS", raising=False)
    seen = []

    def record(job, events=None):
        seen.append((job.track, job.expected_s, worker_threads()))
        return runner.TrackOutcome(job.language, job.track, job.title, job.file, "failed", error="not built in this test")

    monkeypatch.setattr(runner, "run_job", record)
    yield seen
    set_thread_budget(None)


def test_one_job_builds_the_longest_track_first_on_one_core(tmp_path, ran):
    scripts = make_scripts(tmp_path)
    result = build_set(scripts, tmp_path / "out", SetOptions(jobs=1, lengths="long"))
    assert len(result.failed) == 3
    lengths = [expected_s for _, expected_s, _ in ran]
    assert lengths == sorted(lengths, reverse=True) and lengths[0] > lengths[-1]
    assert [track for track, *_ in ran] == [2, 4, 1]  # track 1 is the shortest; ties keep catalogue order
    assert [threads for *_, threads in ran] == [1, 1, 1]
    assert worker_threads() == min(2, multiprocessing.cpu_count())  # the budget ends with the build


def test_a_worker_gets_the_cores_over_the_tracks_building_with_it(monkeypatch, ran):
    monkeypatch.setattr(runner, "use_one_arena", lambda: None)  # not this test process's heap
    building = multiprocessing.Value("i", 0)
    runner._share_cores(2, building, None)
    job = runner.TrackJob("nl", 1, "t", None, None, None, "f.mp3", "", "default", voice="espeak", bed="warm-pad", expected_s=60.0)
    runner._counted(job)  # alone: both cores
    building.value = 1  # another track is building
    runner._counted(job)
    building.value = 0
    assert [threads for *_, threads in ran] == [2, 1]
    assert building.value == 0  # counted out again
