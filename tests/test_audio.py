"""The spool: a source rendered once, read back exactly, on several threads when its blocks allow."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from mbcl_audio.audio import (
    ArraySource,
    Concatenated,
    Spool,
    SpoolClosed,
    block_spans,
    map_spans,
    raised_cosine,
    read_all,
    set_thread_budget,
    worker_threads,
)
from mbcl_audio.master.limiter import TruePeakLimiter
from mbcl_audio.measure.truepeak import true_peak_source

SR = 44_100


class CountingSource(ArraySource):
    """An array source that counts the samples it is asked for."""

    def __init__(self, samples, sample_rate, parallel=False):
        super().__init__(samples, sample_rate)
        self.samples_read = 0
        self.parallel_reads = parallel
        self._count = threading.Lock()

    def read(self, start, stop):
        with self._count:
            self.samples_read += stop - start
        return super().read(start, stop)


def _noise(n: int, seed: int = 0) -> np.ndarray:
    return (0.3 * np.random.default_rng(seed).standard_normal((n, 2))).astype(np.float32)


def test_a_spool_renders_its_source_once_and_reads_back_every_span_exactly():
    x = _noise(10 * 4_410 + 17)
    inner = CountingSource(x, SR)
    spool = Spool(inner, block_samples=4_410)
    assert np.array_equal(read_all(spool), x)
    rng = np.random.default_rng(1)
    for _ in range(50):
        a = int(rng.integers(-500, len(x)))
        b = a + int(rng.integers(0, 9_000))
        expected = np.zeros((b - a, 2), np.float32)
        lo, hi = max(a, 0), min(b, len(x))
        if hi > lo:
            expected[lo - a : hi - a] = x[lo:hi]
        assert np.array_equal(spool.read(a, b), expected)
    assert inner.samples_read == len(x)  # every later read came from the file
    spool.close()


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_map_spans_keeps_the_order_whatever_the_threads(threads):
    spans = block_spans(5, 1_000, 64)
    assert spans[0] == (5, 69) and spans[-1][1] == 1_000
    assert list(map_spans(lambda a, b: (a, b), spans, threads)) == spans


def test_worker_threads_follow_the_environment(monkeypatch):
    monkeypatch.setenv("MBCL_AUDIO_THREADS", "3")
    assert worker_threads() == 3
    monkeypatch.setenv("MBCL_AUDIO_THREADS", "no")
    assert 1 <= worker_threads() <= 2


def test_worker_threads_follow_the_budget_the_set_builder_gives(monkeypatch):
    monkeypatch.delenv("MBCL_AUDIO_THREADS", raising=False)
    share = [2]
    set_thread_budget(lambda: share[0])
    try:
        assert worker_threads() == 2
        share[0] = 0  # asked again at each pass; never fewer than one
        assert worker_threads() == 1
        monkeypatch.setenv("MBCL_AUDIO_THREADS", "3")  # the environment still wins
        assert worker_threads() == 3
    finally:
        set_thread_budget(None)


def test_a_limiter_spooled_on_two_threads_equals_the_serial_limiter_bit_for_bit(monkeypatch):
    """Its blocks depend only on the samples around them: two threads give the same bytes and the
    same deepest reduction as one pass in order."""
    x = _noise(7 * 44_100 + 123, seed=2) * 3.0  # peaks far over the ceiling: it limits hard
    spans = ((SR, 3 * SR),)
    serial = TruePeakLimiter(ArraySource(x, SR), gain_db=2.0, ceiling_dbtp=-1.0, speech_spans=spans)
    expected = np.concatenate([serial.read(a, b) for a, b in block_spans(0, len(x), SR)])
    monkeypatch.setenv("MBCL_AUDIO_THREADS", "2")
    source = Spool(CountingSource(x, SR, parallel=True), block_samples=SR)
    limited = Spool(TruePeakLimiter(source, gain_db=2.0, ceiling_dbtp=-1.0, speech_spans=spans), block_samples=SR)
    assert limited.source.parallel_reads
    got = read_all(limited)
    assert np.array_equal(got, expected)
    assert limited.max_reduction_db == serial.max_reduction_db > 3.0
    assert limited.max_speech_reduction_db == serial.max_speech_reduction_db
    # The true peak measured on two threads is the one measured in order, and under the ceiling.
    threaded = true_peak_source(limited, block_samples=SR)
    monkeypatch.setenv("MBCL_AUDIO_THREADS", "1")
    assert threaded == true_peak_source(ArraySource(got, SR), block_samples=SR) <= -1.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_raised_cosine_is_the_sine_squared_bit_for_bit(dtype):
    """Computed only on the ramps, it still equals sin(pi/2 * clip(p, 0, 1))**2 everywhere, signs of zero included."""
    p = np.concatenate([np.random.default_rng(5).uniform(-1, 2, 20_000), [0.0, -0.0, 1.0, 0.5, -3.0]]).astype(dtype)
    expected = np.sin(0.5 * np.pi * np.clip(p, 0.0, 1.0)) ** 2
    got = raised_cosine(p)
    assert got.dtype == expected.dtype
    assert np.array_equal(got, expected) and np.array_equal(np.signbit(got), np.signbit(expected))
    assert raised_cosine(dtype(0.5)) == expected[-2]  # a scalar gives a scalar
    assert raised_cosine(-0.0) == 0.0 and not np.signbit(raised_cosine(-0.0))


def test_concatenated_clips_read_as_one_array():
    rng = np.random.default_rng(6)
    clips = [rng.standard_normal(n).astype(np.float32) for n in (5, 0, 1_000, 1, 333)]
    joined = np.concatenate(clips)
    source = Concatenated(clips, SR)
    assert source.n_samples == len(joined) and source.n_channels == 1
    for a, b in [(0, len(joined)), (-10, 7), (4, 1_006), (1_005, 1_400), (1_300, 1_345)]:
        expected = np.zeros(b - a, np.float32)
        lo, hi = max(a, 0), min(b, len(joined))
        expected[lo - a : hi - a] = joined[lo:hi]
        assert np.array_equal(source.read(a, b)[:, 0], expected)


def test_a_background_spool_serves_readers_while_it_renders_and_equals_its_source(monkeypatch):
    monkeypatch.setenv("MBCL_AUDIO_THREADS", "2")
    x = _noise(23 * 4_410 + 5, seed=7)
    inner = CountingSource(x, SR, parallel=True)
    spool = Spool(inner, block_samples=4_410, background=True)
    got = np.concatenate([spool.read(a, b) for a, b in block_spans(0, len(x), 3_000)])
    assert np.array_equal(got, x)
    spool.close()
    assert inner.samples_read == len(x)


def test_on_one_core_a_background_spool_renders_in_the_readers_thread(monkeypatch):
    # build-set -j 1 promises one core: no render thread beside the reader.
    monkeypatch.delenv("MBCL_AUDIO_THREADS", raising=False)
    set_thread_budget(lambda: 1)
    try:
        x = _noise(12 * 4_410 + 3, seed=9)
        inner = CountingSource(x, SR, parallel=True)
        before = {t.ident for t in threading.enumerate()}
        spool = Spool(inner, block_samples=4_410, background=True)
        assert inner.samples_read == 0  # nothing rendered ahead
        got = np.concatenate([spool.read(a, b) for a, b in block_spans(0, len(x), 3_000)])
        assert not [t for t in threading.enumerate() if t.ident not in before]
        spool.close()
    finally:
        set_thread_budget(None)
    assert np.array_equal(got, x)
    assert inner.samples_read == len(x)  # still rendered once


class FailingSource(ArraySource):
    """Fails when asked for samples at or past ``fail_at``."""

    def __init__(self, samples, sample_rate, fail_at):
        super().__init__(samples, sample_rate)
        self.fail_at = fail_at

    def read(self, start, stop):
        if stop > self.fail_at:
            raise ValueError("the source broke")
        return super().read(start, stop)


def test_a_background_spool_hands_its_sources_error_to_the_reader_waiting_for_those_samples(monkeypatch):
    monkeypatch.setenv("MBCL_AUDIO_THREADS", "2")
    x = _noise(10 * 4_410, seed=8)
    spool = Spool(FailingSource(x, SR, fail_at=6 * 4_410), block_samples=4_410, background=True)
    assert np.array_equal(spool.read(0, 4_410), x[:4_410])  # what came before the error reads fine
    with pytest.raises(ValueError, match="the source broke"):
        spool.read(5 * 4_410, 7 * 4_410)
    spool.close()


class SlowSource(ArraySource):
    def __init__(self, samples, sample_rate, gate):
        super().__init__(samples, sample_rate)
        self.gate = gate

    def read(self, start, stop):
        if start >= 4_410:
            self.gate.wait()  # the render stalls after its first block until the test lets it go
        return super().read(start, stop)


def test_closing_a_background_spool_wakes_a_waiting_reader_with_spool_closed(monkeypatch):
    monkeypatch.setenv("MBCL_AUDIO_THREADS", "2")
    gate = threading.Event()
    spool = Spool(SlowSource(_noise(5 * 4_410), SR, gate), block_samples=4_410, background=True)
    errors = []

    def reader():
        try:
            spool.read(0, 3 * 4_410)
        except SpoolClosed as exc:
            errors.append(exc)

    waiting = threading.Thread(target=reader)
    waiting.start()
    waiting.join(0.2)
    assert waiting.is_alive()  # it waits for samples the render has not reached
    closer = threading.Thread(target=spool.close)
    closer.start()
    waiting.join(5)
    assert not waiting.is_alive() and len(errors) == 1
    gate.set()  # the block in flight finishes, and the render stops
    closer.join(5)
    assert not closer.is_alive()
