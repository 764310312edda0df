"""Measure a built file as a listener gets it: decode it, never trust the plan.

:func:`analyze_file` decodes the file (any format soundfile reads, MP3
included) in blocks, meters it (:func:`mbcl_audio.measure.meters.measure_with_series`),
finds the room tone at head and tail, counts clipped runs, reads the MP3
frame header, ID3 chapters and pacing tag, and checks everything against a
:class:`~mbcl_audio.master.profiles.LoudnessProfile`. A file that cannot be
decoded gives a failing report with a ``decode`` check, not an exception.

Two decoding passes per file, whatever its length: the loudness pass (which
also feeds :class:`~mbcl_audio.qa.scan.ChunkStats`) and the true-peak pass.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

import numpy as np
import soundfile as sf
from mutagen.mp3 import MP3, BitrateMode

from ..audio import FileSource, Spool, quiet_stderr
from ..export.mp3 import first_frame_format
from ..export.frames import PacingCycles, SpeechSpans, parse_pacing_tag, parse_speech_tag
from ..export.tags import read_tags
from ..measure.loudness import GATE_STEP_S
from ..measure.meters import Measurement, measure_with_series
from ..master.profiles import LoudnessProfile
from .checks import Check, run_checks
from .facts import BitrateModeName, FileFacts, Series
from .roomtone import find_room_tone
from .scan import ChunkStats, ScanResult

PathLike = Union[str, "os.PathLike[str]"]
#: What ``pacing`` may be given as: parsed cycles, the tag's JSON text, or
#: ``(start_sample, in_samples, cycle_samples)`` triples at the file's sample rate.
PacingInput = Union[PacingCycles, str, Sequence[Sequence[int]], None]
#: Where the voice speaks: parsed spans, the tag's JSON text, or ``(start_sample, stop_sample)``
#: pairs at the file's sample rate.
SpeechInput = Union[SpeechSpans, str, Sequence[Sequence[int]], None]


@dataclass(frozen=True, eq=False)
class FileReport:
    """The QA verdict on one file: its facts (None if undecodable) and its checks."""

    path: Path
    profile: LoudnessProfile
    facts: Optional[FileFacts]
    checks: tuple[Check, ...]
    error: Optional[str] = None
    #: Extra notes for the reader (e.g. an unreadable pacing tag); never affect the verdict.
    notes: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return self.error is None and all(c.passed for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    @property
    def measurement(self) -> Optional[Measurement]:
        return self.facts.measurement if self.facts is not None else None

    def summary_line(self) -> str:
        """``PASS  path`` or ``FAIL  path  check measured (limit ...); ...``."""
        if self.passed:
            return f"PASS  {self.path}"
        return f"FAIL  {self.path}  " + "; ".join(c.outcome() if c.name != "decode" else c.message for c in self.failures)


def analyze_file(
    path: PathLike, profile: LoudnessProfile, pacing: PacingInput = None, speech: SpeechInput = None
) -> FileReport:
    """Decode, measure and check the audio file at ``path`` against ``profile``.

    ``pacing`` gives the breath cycles directly (the build knows them); when
    None they are read from the file's pacing tag, if any. They only feed the
    plot, never the verdict. ``speech`` says where the voice speaks, likewise
    from the file's speech tag when None; with it the voice level is measured
    (and checked, for a profile with a voice target).
    """
    path = Path(path)
    try:
        # The MP3 decoder inside libsndfile prints its resync notes straight to stderr.
        with quiet_stderr():
            facts = _measure_file(path, pacing, speech)
    except (sf.LibsndfileError, RuntimeError, OSError, ValueError, EOFError) as err:
        return undecodable_report(path, profile, _what_is_wrong(path, err))
    notes = tuple(note for note in (facts.pacing_note, facts.speech_note) if note)
    return FileReport(path=path, profile=profile, facts=facts, checks=run_checks(profile, facts), notes=notes)


def undecodable_report(path: Path, profile: LoudnessProfile, why: str) -> FileReport:
    """The report of a file that does not decode: one failed ``decode`` check saying ``why``."""
    message = f"{path}: cannot decode: {why}"
    decode = Check("decode", False, None, "decodable audio", "", message)
    return FileReport(path=path, profile=profile, facts=None, checks=(decode,), error=message)


#: The first bytes of each container soundfile decodes, to tell "not audio" from "damaged audio".
AUDIO_HEADERS = {b"ID3": "MP3", b"RIFF": "WAV", b"fLaC": "FLAC", b"OggS": "Ogg"}


def _what_is_wrong(path: Path, err: BaseException) -> str:
    """Why ``path`` does not decode, in words: libsndfile says "does not exist" for a file it cannot read."""
    if not path.is_file():
        return "no such file" if not path.exists() else "not a regular file"
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
        size = path.stat().st_size
    except OSError as exc:
        return f"cannot read it: {exc.strerror or exc}"
    if size == 0:
        return "the file is empty"
    kind = next((name for magic, name in AUDIO_HEADERS.items() if head.startswith(magic)), None)
    if kind is None and len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        kind = "MP3"
    if kind is None:
        return f"not an audio file: its first bytes {head[:12]!r} are no MP3, WAV, FLAC or Ogg header ({size} bytes)"
    reason = _reason(err)
    if "does not exist" in reason:  # libsndfile's words for any file it cannot open
        reason = "the decoder finds no audio frames in it"
    return f"it starts like {kind} but its audio is damaged or cut short ({size} bytes; {reason})"


def _reason(err: BaseException) -> str:
    text = getattr(err, "error_string", None) or getattr(err, "strerror", None) or str(err) or type(err).__name__
    return str(text)


def _measure_file(path: Path, pacing: PacingInput, speech: SpeechInput) -> FileFacts:
    if not path.is_file():
        raise OSError(f"no such file: {path}")
    container = str(sf.info(str(path)).format)
    chapters, tag_pacing, tag_speech = _tags(path)
    with FileSource(path) as decoded:
        if decoded.n_samples <= 0:
            raise ValueError("no audio frames")
        # Decoded once into a spool, in the background while the loudness pass reads what is ready;
        # the true-peak pass (on every core) reads it back.
        source = Spool(decoded, background=True)
        sr, n = int(source.sample_rate), int(source.n_samples)
        spans, speech_note = _speech(speech if speech is not None else tag_speech, sr)
        hop = int(round(GATE_STEP_S * sr))
        stats = ChunkStats(sr, n, hop)
        measurement, loudness = measure_with_series(source, on_chunk=stats, speech_spans=spans)
        source.close()
    scan = stats.result()
    tone = find_room_tone(scan)
    if tone.level_db is not None:
        noise_db, noise_from = tone.level_db, "head and tail room tone"
    else:
        noise_db, noise_from = measurement.noise_floor_db, "quietest 10 % of 400 ms blocks (no room tone at head or tail)"
    kbps, mode = _mp3_format(path) if container == "MP3" else (None, None)
    cycles, note = _pacing(pacing if pacing is not None else tag_pacing, sr)
    return FileFacts(
        measurement=measurement,
        container=container,
        sample_rate_hz=sr,
        channels=int(source.n_channels),
        n_samples=n,
        bitrate_kbps=kbps,
        bitrate_mode=mode,
        head_s=tone.head_s,
        tail_s=tone.tail_s,
        room_tone_db=tone.level_db,
        noise_floor_db=noise_db,
        noise_floor_from=noise_from,
        clip_runs=scan.clip_runs,
        first_clip_s=None if scan.first_clip_sample is None else scan.first_clip_sample / sr,
        chapters=chapters,
        pacing=cycles,
        pacing_note=note,
        speech_note=speech_note,
        series=Series(loudness=loudness, scan=scan),
    )


def _mp3_format(path: Path) -> tuple[Optional[int], Optional[BitrateModeName]]:
    """Bitrate (kb/s) from the first frame header, and mutagen's bitrate mode (CBR / VBR / ABR / unknown)."""
    try:
        kbps, _ = first_frame_format(path)
    except ValueError:
        return None, None
    try:
        mode = MP3(path).info.bitrate_mode
    except Exception:  # mutagen raises its own errors for odd headers; the kb/s is still known
        return kbps, "unknown"
    names = {BitrateMode.CBR: "CBR", BitrateMode.VBR: "VBR", BitrateMode.ABR: "ABR"}
    return kbps, names.get(mode, "unknown")


def _tags(path: Path) -> tuple[tuple[tuple[str, float, float], ...], Optional[str], Optional[str]]:
    """Chapters (title, start s, end s), the raw pacing tag and the raw speech tag; none for a file without ID3."""
    from mutagen import MutagenError

    try:
        tags = read_tags(path)
    except (MutagenError, ValueError, OSError):
        return (), None, None
    chapters = tuple((title, start_ms / 1000.0, end_ms / 1000.0) for title, start_ms, end_ms in tags["chapters"])
    return chapters, tags.get("pacing"), tags.get("speech")


def _speech(value: SpeechInput, sample_rate: int) -> tuple[Optional[tuple[tuple[int, int], ...]], str]:
    """Speech spans at the file's sample rate, and why a speech tag could not be used ("" if it could)."""
    if value is None:
        return None, ""
    if isinstance(value, str):
        try:
            value = parse_speech_tag(value)
        except ValueError as err:
            return None, f"speech tag ignored: {err}"
    if isinstance(value, SpeechSpans):
        if value.sample_rate != sample_rate:
            scale = sample_rate / value.sample_rate
            return tuple((round(a * scale), round(b * scale)) for a, b in value.spans), ""
        return value.spans, ""
    return tuple((int(a), int(b)) for a, b in value), ""


def _pacing(value: PacingInput, sample_rate: int) -> tuple[Optional[PacingCycles], str]:
    if value is None:
        return None, ""
    if isinstance(value, PacingCycles):
        return value, ""
    if isinstance(value, str):
        try:
            return parse_pacing_tag(value), ""
        except ValueError as err:
            return None, f"pacing tag ignored: {err}"
    cycles = tuple((int(a), int(b), int(c)) for a, b, c in value)
    return PacingCycles(sample_rate=sample_rate, cycles=tuple(sorted(cycles))), ""


def finite_or_none(value: Optional[float]) -> Optional[float]:
    """``value`` unless it is None or not finite (JSON has no -inf)."""
    return value if value is not None and math.isfinite(value) else None


#: The band envelope's floor (dB below its 99th percentile): the plot's bottom.
BAND_FLOOR_DB = -60.0


def band_envelope(scan: ScanResult) -> tuple[np.ndarray, np.ndarray]:
    """``(centre times s, level dB)`` of the low band per 100 ms, relative to its 99th percentile.

    In dB, so a pacing tone 16 LU under the voice still shows its swell and
    ebb next to the speech; the top percent is clipped to 0 dB so a single
    loud word does not set the scale, and silence sits at ``BAND_FLOOR_DB``.
    """
    hop_s = scan.band_hop / scan.sample_rate
    times = (np.arange(scan.band_energy.size) + 0.5) * hop_s
    rms = np.sqrt(scan.band_energy / scan.band_hop)
    top = float(np.percentile(rms, 99)) if rms.size else 0.0
    if top <= 0:
        return times, np.full_like(rms, BAND_FLOOR_DB)
    with np.errstate(divide="ignore"):
        level = 20.0 * np.log10(np.minimum(rms / top, 1.0))
    return times, np.maximum(level, BAND_FLOOR_DB)
