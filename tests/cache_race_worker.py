"""Module-level helpers for the two-process cache test (importable by spawned children)."""

from __future__ import annotations

import time

import numpy as np

from mbcl_audio.render.voice import SpeechCache


class SlowVoice:
    """A backend slow enough that two processes asking at once would both synthesize without a lock."""

    name = "slow"
    language = "en"
    sample_rate = 16000

    def identity(self) -> str:
        return "slow v1"

    def synthesize(self, text: str) -> np.ndarray:
        time.sleep(0.5)
        t = np.arange(8000) / self.sample_rate
        return (0.3 * np.sin(2 * np.pi * (200 + len(text)) * t)).astype(np.float32)


def synthesize_once(directory: str, text: str, start_at: float) -> tuple[int, int, bytes]:
    """Wait until ``start_at`` (both processes start together), synthesize; (misses, hits, samples)."""
    time.sleep(max(0.0, start_at - time.time()))
    cache = SpeechCache(directory)
    audio = cache.synthesize(SlowVoice(), text)
    return cache.misses, cache.hits, audio.tobytes()
