"""The spool: a source rendered once, read back exactly, on several threads when its blocks allow."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from mbcl_audio.audio import ArraySource, Spool, block_spans, map_spans, read_all, worker_threads
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
