"""Cut one continuous narration recording into utterance takes (``takes split``).

A narrator often records a whole track in one go, reading the sheet from top
to bottom with a pause between utterances. :func:`split_session` finds the
speech in that recording by silence detection, assigns the speech segments to
the script's utterances in order, and writes each as a take
(``<out_folder>/<utterance-id>.flac``).

Detection (vectorized over 10 ms frames of the downmixed, DC-free recording):

* The **noise floor** is the 10th percentile of the frame RMS (the room tone
  in the pauses); the **peak** is the loudest frame.
* A frame is *hot* when its RMS is :data:`ON_FRACTION` of the way from the
  floor to the peak (in dB; at least :data:`ON_MIN_DB` and at most
  :data:`ON_MAX_DB` above the floor), *warm* when it is halfway to that
  (:data:`OFF_MIN_DB` above the floor at least). A segment is a run of warm
  frames that contains a hot frame (hysteresis: soft onsets and decaying
  endings are kept, room-tone flickers never start a segment).
* Runs shorter than :data:`CLICK_S` are dropped (clicks, a chair), segments
  separated by less than ``min_silence_s`` are merged (pauses inside a
  sentence), and segments shorter than :data:`MIN_SEGMENT_S` are dropped
  (breaths, lip noise).

Each take keeps :data:`ROOM_TONE_S` of the recording on either side
(``load_take`` trims it to its own pre/post-roll later) and is written as
24-bit FLAC at the recording's rate, mono.

It never assigns silently when the recording does not fit the script:

* **Count mismatch** (more or fewer segments than utterances): the report
  names the utterances that probably got no segment, or the extra segments
  with their times, from a duration-based alignment; nothing is written
  unless ``force=True`` (then the alignment's guess is written).
* **Suspicious duration**: a segment whose duration is outside
  :data:`RATIO_RANGE` times the estimated duration of its utterance at the
  narrator's pace (the median ratio over the session)
  (:func:`~mbcl_audio.plan.estimate.estimate_seconds`) is reported
  with both durations (a retake left in, two utterances run together, a
  skipped half). Suspicious segments are still written.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import numpy as np
import soundfile as sf

from ..atomic import write_atomic
from ..errors import VoiceError
from ..plan.estimate import estimate_seconds
from ..script.model import Script
from .files import TAKE_EXTENSIONS, record_texts
from .ids import UtteranceEntry, utterance_entries
from .recording import SILENT_PEAK, read_recording

__all__ = ["CountMismatch", "Segment", "SplitReport", "SuspiciousDuration", "detect_segments", "split_session"]

#: Analysis frame (s).
FRAME_S = 0.01
#: Percentile of the frame RMS taken as the noise floor (the pauses' room tone).
FLOOR_PERCENTILE = 10.0
#: Hot threshold: this fraction of the floor-to-peak range (dB) above the floor ...
ON_FRACTION = 0.35
#: ... but at least / at most this many dB above the floor.
ON_MIN_DB, ON_MAX_DB = 10.0, 20.0
#: Warm (hold) threshold: halfway from the floor to the hot threshold, at least this many dB above the floor.
OFF_MIN_DB = 5.0
#: Runs of warm frames shorter than this (s) are clicks, dropped before merging.
CLICK_S = 0.03
#: Segments shorter than this (s) after merging are blips (breaths, lip noise), dropped.
MIN_SEGMENT_S = 0.15
#: Room tone kept on either side of a segment in its take file (s).
ROOM_TONE_S = 0.15
#: A segment is suspicious outside this ratio of its utterance's estimated duration.
RATIO_RANGE = (0.5, 2.0)


@dataclass(frozen=True)
class Segment:
    """A stretch of speech in the session recording (seconds, speech only, without room tone)."""

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    def __str__(self) -> str:
        return f"{_clock(self.start_s)}-{_clock(self.end_s)} ({self.duration_s:.1f} s)"


@dataclass(frozen=True)
class SuspiciousDuration:
    """A segment much shorter or longer than the utterance it was assigned to."""

    id: str
    text: str
    segment: Segment
    expected_s: float

    @property
    def ratio(self) -> float:
        return self.segment.duration_s / self.expected_s

    def line(self) -> str:
        what = "longer" if self.ratio > 1 else "shorter"
        hint = (
            "a retake left in, or two utterances without a pause between them?" if self.ratio > 1
            else "part of it missing, or a pause inside it that split it?"
        )
        return (
            f"suspicious duration: {self.id} {self.text!r} got the segment at {_clock(self.segment.start_s)}, "
            f"{self.segment.duration_s:.1f} s, expected about {self.expected_s:.1f} s "
            f"({self.ratio:.1f}x, much {what}: {hint})"
        )


@dataclass(frozen=True)
class CountMismatch:
    """More or fewer speech segments than utterances, with the alignment's best guess of where."""

    expected: int
    found: int
    #: Utterances that got no segment in the best alignment.
    unassigned: tuple[UtteranceEntry, ...]
    #: Segments not assigned to any utterance in the best alignment.
    extra: tuple[Segment, ...]

    def lines(self) -> list[str]:
        out = [
            f"count mismatch: the script has {self.expected} utterances, the recording "
            f"{self.found} speech segments"
        ]
        if self.unassigned:
            out.append(
                "  probably not in the recording (by the segment durations): "
                + ", ".join(e.id for e in self.unassigned)
            )
            out += [f"    {e.id} {e.text!r}" for e in self.unassigned]
        if self.extra:
            out.append(
                "  extra speech segments (a retake, a remark, a long pause inside an utterance?): "
                + "; ".join(str(s) for s in self.extra)
            )
        return out


@dataclass
class SplitReport:
    """What :func:`split_session` found and did.

    Attributes:
        session: The recording.
        segments: Every speech segment found, in time order.
        assignment: Utterance ID -> its segment (the alignment used or proposed).
        mismatch: The count mismatch, if any.
        suspicious: Segments whose duration is far from their utterance's estimate.
        written: Take files written (empty when the mismatch blocked writing).
        manifest: The manifest updated, when anything was written.
    """

    session: Path
    sample_rate: int
    segments: list[Segment] = field(default_factory=list)
    assignment: dict[str, Segment] = field(default_factory=dict)
    mismatch: Optional[CountMismatch] = None
    suspicious: list[SuspiciousDuration] = field(default_factory=list)
    conflicts: list[Path] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    manifest: Optional[Path] = None
    forced: bool = False

    @property
    def ok(self) -> bool:
        """True when every utterance got exactly one segment of a plausible duration and all were written."""
        return self.mismatch is None and not self.suspicious and not self.conflicts and bool(self.written)

    def lines(self) -> list[str]:
        """The report, human readable, one line per string."""
        out = [
            f"{self.session}: {len(self.segments)} speech segments for "
            f"{(self.mismatch.expected if self.mismatch else len(self.assignment))} utterances"
        ]
        if self.mismatch:
            out += self.mismatch.lines()
        out += [s.line() for s in self.suspicious]
        if self.conflicts:
            out.append(
                "other take files already exist for these utterances (a split writes .flac; "
                "move the old ones out of the folder first): " + ", ".join(str(p) for p in self.conflicts)
            )
        if self.written:
            how = " (forced: assigned by the best duration alignment, check them)" if self.forced else ""
            out.append(f"wrote {len(self.written)} takes to {self.written[0].parent}{how}")
            if self.manifest:
                out.append(f"recorded their texts in {self.manifest}")
        elif self.mismatch and not self.conflicts:
            out.append(
                "wrote nothing: fix the recording (or cut it by hand), or use --force to write "
                "the assignment above anyway"
            )
        elif not self.conflicts:
            out.append("wrote nothing")
        return out


def _clock(seconds: float) -> str:
    minutes, s = divmod(seconds, 60.0)
    return f"{int(minutes)}:{s:05.2f}"


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and stop (exclusive) indices of the runs of True in a 1-D bool array."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def detect_segments(x: np.ndarray, sample_rate: int, min_silence_s: float = 0.7) -> list[tuple[int, int]]:
    """Speech segments of a mono recording as ``(start, stop)`` sample indices (see the module docstring).

    Args:
        x: np.ndarray [shape=(n,)], mono samples (DC already removed).
        sample_rate: Rate of ``x`` (Hz).
        min_silence_s: Gaps shorter than this do not separate segments.

    Returns:
        Segments in time order; empty for a silent or too short recording.
    """
    x = np.asarray(x, dtype=np.float64)
    frame = max(1, int(round(FRAME_S * sample_rate)))
    n_frames = x.size // frame
    if n_frames < 2 or float(np.max(np.abs(x))) < SILENT_PEAK:
        return []
    rms = np.sqrt(np.mean(x[: n_frames * frame].reshape(n_frames, frame) ** 2, axis=1))
    db = 20.0 * np.log10(np.maximum(rms, 1e-10))
    audible = db[db > -180.0]  # digital silence (e.g. an editor's zero padding) is not the room tone
    floor_db = float(np.percentile(audible, FLOOR_PERCENTILE)) if audible.size else -200.0
    floor_db = max(floor_db, -120.0)
    peak_db = float(np.max(db))
    on_db = floor_db + float(np.clip(ON_FRACTION * (peak_db - floor_db), ON_MIN_DB, ON_MAX_DB))
    off_db = floor_db + max(OFF_MIN_DB, 0.5 * (on_db - floor_db))
    hot, warm = db >= on_db, db >= off_db

    starts, stops = _runs(warm)
    if starts.size == 0:
        return []
    # Keep warm runs that contain a hot frame (hysteresis) and are not clicks.
    hot_counts = np.add.reduceat(hot.astype(np.int64), starts)
    keep = (hot_counts > 0) & (stops - starts >= max(1, int(round(CLICK_S / FRAME_S))))
    starts, stops = starts[keep], stops[keep]
    if starts.size == 0:
        return []
    # Merge segments separated by less than min_silence_s.
    gaps = starts[1:] - stops[:-1]
    new = np.concatenate([[True], gaps >= int(round(min_silence_s / FRAME_S))])
    group = np.cumsum(new) - 1
    m_starts = starts[new]
    m_stops = np.zeros(m_starts.size, dtype=np.int64)
    np.maximum.at(m_stops, group, stops)
    long_enough = m_stops - m_starts >= int(round(MIN_SEGMENT_S / FRAME_S))
    return [(int(a) * frame, min(x.size, int(b) * frame)) for a, b in zip(m_starts[long_enough], m_stops[long_enough])]


def _align(durations: list[float], expected: list[float]) -> list[Optional[int]]:
    """Monotone alignment of segments to utterances by duration: for each utterance, its segment index or None.

    Edit-distance DP: matching segment i to utterance j costs the squared log
    of their duration ratio, the estimates scaled by the narrator's speaking
    rate (the median ratio of the matched pairs, refined over a few passes
    from the calibrated estimate); leaving a segment or an utterance
    unmatched costs :data:`_SKIP_COST`.
    """
    scale = 1.0
    result = _align_once(durations, expected, scale)
    for _ in range(3):
        ratios = [durations[k] / expected[j] for j, k in enumerate(result) if k is not None and expected[j] > 0]
        if not ratios:
            break
        new_scale = float(np.median(ratios))
        if abs(math.log(new_scale / scale)) < 0.01:
            break
        scale = new_scale
        result = _align_once(durations, expected, scale)
    return result


def _align_once(durations: list[float], expected: list[float], scale: float) -> list[Optional[int]]:
    m, n = len(durations), len(expected)
    cost = np.full((m + 1, n + 1), np.inf)
    move = np.zeros((m + 1, n + 1), dtype=np.int8)  # 0 match, 1 skip segment, 2 skip utterance
    cost[0, :] = np.arange(n + 1) * _SKIP_COST
    cost[:, 0] = np.arange(m + 1) * _SKIP_COST
    move[1:, 0], move[0, 1:] = 1, 2
    for i in range(1, m + 1):
        for j in range(1, n + 1):
            ratio = max(1e-3, durations[i - 1]) / max(1e-3, expected[j - 1] * scale)
            options = (
                cost[i - 1, j - 1] + math.log(ratio) ** 2,
                cost[i - 1, j] + _SKIP_COST,
                cost[i, j - 1] + _SKIP_COST,
            )
            k = int(np.argmin(options))
            cost[i, j], move[i, j] = options[k], k
    result: list[Optional[int]] = [None] * n
    i, j = m, n
    while i > 0 or j > 0:
        k = move[i, j]
        if k == 0:
            result[j - 1] = i - 1
            i, j = i - 1, j - 1
        elif k == 1:
            i -= 1
        else:
            j -= 1
    return result


#: Cost of leaving a segment or utterance unmatched: a match with a 2x duration error costs about the same.
_SKIP_COST = math.log(2.0) ** 2


def _write_flac(path: Path, data: np.ndarray, sample_rate: int) -> None:
    """24-bit FLAC, atomically.

    Parameters
    ----------
    data : np.ndarray [shape=(n,)]
        Mono samples.
    """
    buffer = io.BytesIO()
    sf.write(buffer, data.astype(np.float32), sample_rate, format="FLAC", subtype="PCM_24")
    write_atomic(path, buffer.getvalue())


def split_session(
    session_path: str | Path,
    script: Script,
    voice_name: str,
    out_folder: str | Path,
    min_silence_s: float = 0.7,
    force: bool = False,
) -> SplitReport:
    """Cut a continuous narration recording into one take per utterance of ``script``.

    Args:
        session_path: The recording (anything soundfile reads: WAV, FLAC,
            MP3, OGG, ...; any rate, bit depth and channel count; downmixed
            like a take).
        script: The script that was read; its utterances are assigned in order.
        voice_name: Voice whose speaking rate the duration estimates use
            (``espeak``, ``piper``, ...; see
            :func:`~mbcl_audio.plan.estimate.estimate_seconds`).
        out_folder: The track's takes folder
            (:func:`~mbcl_audio.takes.files.takes_folder`); created if needed.
        min_silence_s: Shortest pause that separates two utterances; shorter
            pauses (inside a sentence) do not split.
        force: Write the best duration alignment even when the number of
            segments does not match the number of utterances.

    Returns:
        A :class:`SplitReport`. Take files are ``<out_folder>/<id>.flac``
        (24-bit, the recording's rate, mono, :data:`ROOM_TONE_S` of room tone
        on either side); existing ``.flac`` takes of the same IDs are
        replaced, and the texts are recorded in the manifest as the texts
        these takes were recorded for. Nothing is written on a count mismatch
        without ``force``, or when another take file (``<id>.wav``, ...)
        exists for an utterance that would be written.

    Raises:
        VoiceError: if the recording cannot be read, is empty, not finite or
            silent, or if ``min_silence_s`` is not positive.
    """
    if not min_silence_s > 0:
        raise VoiceError(f"min_silence_s must be positive, got {min_silence_s}")
    session_path = Path(session_path)
    mono, rate = read_recording(session_path, "session recording")

    bounds = detect_segments(mono, rate, min_silence_s)
    segments = [Segment(a / rate, b / rate) for a, b in bounds]
    entries = utterance_entries(script)
    language = script.front.language
    expected = [estimate_seconds(e.text, voice_name, language) for e in entries]
    report = SplitReport(session=session_path, sample_rate=rate, segments=segments)

    if len(segments) == len(entries):
        order: list[Optional[int]] = list(range(len(entries)))
    else:
        order = _align([s.duration_s for s in segments], expected)
        used = {k for k in order if k is not None}
        report.mismatch = CountMismatch(
            expected=len(entries),
            found=len(segments),
            unassigned=tuple(e for e, k in zip(entries, order) if k is None),
            extra=tuple(s for k, s in enumerate(segments) if k not in used),
        )
    # Judge durations against the narrator's own pace (the median ratio), not the TTS voice's:
    # a slow meditation reading should not make every take look suspicious.
    ratios = [segments[k].duration_s / est for k, est in zip(order, expected) if k is not None and est > 0]
    pace = float(np.median(ratios)) if ratios else 1.0
    expected = [est * pace for est in expected]
    for entry, k, est in zip(entries, order, expected):
        if k is None:
            continue
        seg = segments[k]
        report.assignment[entry.id] = seg
        ratio = seg.duration_s / est
        if not RATIO_RANGE[0] <= ratio <= RATIO_RANGE[1]:
            report.suspicious.append(SuspiciousDuration(entry.id, entry.text, seg, est))

    if report.mismatch is not None and not force:
        return report
    out_folder = Path(out_folder)
    if out_folder.is_dir():
        for path in sorted(out_folder.iterdir()):
            stem, dot, ext = path.name.rpartition(".")
            if (
                dot and stem in report.assignment and ext.lower() in TAKE_EXTENSIONS
                and path.name != f"{stem}.flac" and path.is_file()
            ):
                report.conflicts.append(path)
    if report.conflicts:
        return report

    out_folder.mkdir(parents=True, exist_ok=True)
    pad = int(round(ROOM_TONE_S * rate))
    index = {e.id: k for e, k in zip(entries, order)}
    for entry in entries:
        k = index[entry.id]
        if k is None:
            continue
        a, b = bounds[k]
        clip = mono[max(0, a - pad): min(mono.size, b + pad)]
        path = out_folder / f"{entry.id}.flac"
        _write_flac(path, clip, rate)
        report.written.append(path)
    report.forced = report.mismatch is not None
    report.manifest = record_texts(script, out_folder, recorded_now=list(report.assignment))
    return report
