"""What QA measures about one file, before any judgement: :class:`FileFacts`.

Its own module so that the checks (:mod:`.checks`) can read the facts that
:mod:`.analyze` gathers without the two importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Optional

from ..export.frames import PacingCycles
from ..measure.meters import LoudnessSeries, Measurement
from .scan import ScanResult

#: How an MP3 spends its bits, as mutagen reports it.
BitrateModeName = Literal["CBR", "VBR", "ABR", "unknown"]


@dataclass(frozen=True, eq=False)
class Series:
    """What the plot draws, decimated: never more than a few ten thousand values."""

    loudness: LoudnessSeries
    scan: ScanResult


@dataclass(frozen=True, eq=False)
class FileFacts:
    """Everything measured about one decodable file, before any judgement."""

    measurement: Measurement
    container: str  # soundfile's format name: "MP3", "WAV", "FLAC", "OGG"
    sample_rate_hz: int
    channels: int
    #: Decoded length in samples per channel.
    n_samples: int
    bitrate_kbps: Optional[int]
    bitrate_mode: Optional[BitrateModeName]  # MP3 only
    head_s: float
    tail_s: float
    #: Room tone RMS (dB) at head and tail; None when there is too little room tone.
    room_tone_db: Optional[float]
    #: The noise floor the ``noise-floor`` check uses: the room tone, else the meters' quietest 10 %.
    noise_floor_db: float
    noise_floor_from: str
    clip_runs: int
    first_clip_s: Optional[float]
    #: ``(title, start_s, end_s)`` from the ID3 chapters, in time order.
    chapters: tuple[tuple[str, float, float], ...]
    pacing: Optional[PacingCycles]
    #: Why a pacing tag present in the file could not be used, else "".
    pacing_note: str
    series: Series
    #: Why a speech tag present in the file could not be used, else "".
    speech_note: str = ""
