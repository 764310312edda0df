"""Encoding ahead: start encoding a mastering pass on a thread while mastering still measures it.

The ffmpeg encoder is the longest single step of a build and runs on a core of its own, so a
build with a core to spare starts it on the first limiter pass instead of after the last
(:func:`mbcl_audio.master.delivery.master_for_file` hands each pass to :meth:`EncodeAhead.start`).
Most tracks need one pass; when one misses the loudness target its encoding is given up (ffmpeg
is stopped, the temporary file removed) and the next pass starts its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Optional

import numpy as np

from ..audio import Source

__all__ = ["EncodeAhead", "EncodeGivenUp"]


class EncodeGivenUp(RuntimeError):
    """The pass being encoded was given up (a later pass, or an error elsewhere in the build)."""


class _Abortable:
    """``source`` until ``stop`` is set; then every read raises :class:`EncodeGivenUp`."""

    def __init__(self, source: Source, stop: threading.Event):
        self.source, self.stop = source, stop
        self.sample_rate, self.n_samples, self.n_channels = source.sample_rate, source.n_samples, source.n_channels

    def read(self, start: int, stop: int) -> np.ndarray:
        if self.stop.is_set():
            raise EncodeGivenUp("the pass was given up")
        return self.source.read(start, stop)


class EncodeAhead:
    """Runs ``encode(source)`` on a thread for the latest pass; :meth:`finish` says whether it was
    the pass mastering kept, and raises what the encoder raised."""

    def __init__(self, encode: Callable[[Source], object]):
        self._encode = encode
        self._source: Optional[Source] = None
        self._thread: Optional[threading.Thread] = None
        self._stop = threading.Event()
        self._error: Optional[BaseException] = None

    def start(self, source: Source) -> None:
        """Give up the pass being encoded (if any) and start encoding ``source``."""
        self.cancel()
        self._source, self._stop, self._error = source, threading.Event(), None
        self._thread = threading.Thread(target=self._run, args=(_Abortable(source, self._stop),), name="mbcl-encode", daemon=True)
        self._thread.start()

    def _run(self, source: _Abortable) -> None:
        try:
            self._encode(source)
        except BaseException as exc:  # raised by finish(), in the build's thread
            self._error = exc

    def cancel(self) -> None:
        """Give up the encoding under way and wait until its encoder has stopped and cleaned up."""
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        self._thread, self._source = None, None

    def finish(self, source: Source) -> bool:
        """Wait for the encoding of ``source`` and return True; False (and nothing under way) when
        the pass being encoded is another one. Raises the encoder's error."""
        if self._thread is None or self._source is not source:
            self.cancel()
            return False
        self._thread.join()
        self._thread = None
        if self._error is not None:
            raise self._error
        return True
