"""ID3v2.3 tags and chapters (CHAP + CTOC) for exported tracks.

ID3v2.3 rather than 2.4: older car stereos, Windows Explorer and many
portable players read 2.3 only. Text is stored as UTF-16 (2.3 has no UTF-8).
Chapters use the ID3 chapter addendum: one ``CHAP`` per chapter, with a
``TIT2`` sub-frame for its title, and a top-level, ordered ``CTOC`` listing
them in time order; ffprobe/ffmpeg, Apple Podcasts and most podcast players
read these.

A track with a pacing tone also carries where its breath cycles are, and every
track where its voice speaks: the project's ``TXXX`` frames (:mod:`.frames`),
so ``mbcl-audio qa`` can measure and draw any built file without the build plan.

Writing is deterministic: the same inputs give a byte-identical file. No
frame carries a date, an encoder-time stamp or tool version, and the padding
is fixed rather than derived from the previous tag.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Union

from mutagen.id3 import (
    APIC,
    CHAP,
    COMM,
    CTOC,
    ID3,
    TALB,
    TCON,
    TDRC,
    TIT2,
    TLAN,
    TPE1,
    TPE2,
    TPUB,
    TRCK,
    TXXX,
    CTOCFlags,
    PictureType,
)
from mutagen.id3 import delete as delete_id3

from ..plan.model import Chapter
from .frames import PACING_DESC, SPEECH_DESC
from ..vocab import FIRST_TRACK, LAST_TRACK

PathLike = Union[str, "os.PathLike[str]"]

#: ISO 639-1 -> ISO 639-2/B (the bibliographic codes ID3 players expect for
#: TLAN and COMM). Languages the MBCL material exists in, plus neighbours.
ISO639_2B: dict[str, str] = {
    "nl": "dut",
    "en": "eng",
    "de": "ger",
    "fr": "fre",
    "es": "spa",
    "it": "ita",
    "pt": "por",
    "da": "dan",
    "sv": "swe",
    "no": "nor",
    "nb": "nob",
    "fi": "fin",
    "pl": "pol",
    "cs": "cze",
    "el": "gre",
    "zh": "chi",
    "ja": "jpn",
}
_ISO639_1 = {b: a for a, b in ISO639_2B.items()}

#: ISO 639-2 code for "undetermined": the fallback for unknown languages.
UNDETERMINED = "und"

#: Fixed ID3 padding (bytes): lets a tag editor change a title in place
#: without rewriting the audio, and keeps output independent of history.
PADDING_BYTES = 1024

# CHAP byte offsets are unused (times are authoritative); the spec's
# "ignore" value is 0xFFFFFFFF.
_NO_OFFSET = 0xFFFFFFFF
#: ``COMM`` description of the credits comment (the plain comment has none).
CREDITS_DESC = "credits"



@dataclass(frozen=True)
class TrackTags:
    """What a track says about itself in a player.

    ``language`` is ISO 639-1 (``"nl"``, ``"en"``, ``"de"``; a region suffix
    like ``"nl-BE"`` is accepted and ignored); it is written to ``TLAN`` as
    ISO 639-2/B (``"dut"``, ``"eng"``, ``"ger"``). ``track_total`` defaults to
    :data:`~mbcl_audio.vocab.LAST_TRACK`, the number of tracks of the MBCL set. Fields with defaults come last so the
    dataclass can be built positionally as well as by keyword.
    """

    title: str
    track_number: int
    album: str
    artist: str
    language: str
    track_total: int = LAST_TRACK
    genre: str = "Meditation"
    comment: str = ""
    #: The set's album artist (``TPE2``), publisher (``TPUB``) and year (``TDRC``, stored as v2.3's
    #: ``TYER``); empty: not written.
    album_artist: str = ""
    publisher: str = ""
    year: int | None = None
    #: Who and what made the audio: voice and its licence, bed and its licence (``COMM`` "credits").
    credits: str = ""
    #: ReplayGain 2.0 track gain (dB to reach -18 LUFS) and peak (linear), measured on the file.
    replaygain_gain_db: float | None = None
    replaygain_peak: float | None = None
    #: Front cover as PNG bytes (``APIC``); empty: none.
    cover_png: bytes = b""
    #: Pacing cycles as JSON (:func:`pacing_tag_json`); empty: no pacing frame.
    pacing: str = ""
    #: Speech spans as JSON (:func:`speech_tag_json`); empty: no speech frame.
    speech: str = ""

    def __post_init__(self) -> None:
        if not FIRST_TRACK <= self.track_number <= self.track_total:
            raise ValueError(
                f"track_number {self.track_number} outside {FIRST_TRACK}..{self.track_total}"
            )


def language_code(language: str) -> str:
    """ISO 639-2/B code for an ISO 639-1 code (or tag like ``"nl-BE"``).

    A code that is already three letters passes through (lower-cased); an
    unknown one becomes ``"und"`` (undetermined) rather than a wrong guess.
    """
    primary = language.strip().replace("_", "-").split("-", 1)[0].lower()
    if primary in ISO639_2B:
        return ISO639_2B[primary]
    if len(primary) == 3 and primary.isascii() and primary.isalpha():
        return primary
    return UNDETERMINED


def samples_to_ms(samples: int, sample_rate: int) -> int:
    """Sample index -> milliseconds, rounded to nearest (integers only: no float drift)."""
    return (samples * 1000 + sample_rate // 2) // sample_rate


def validate_chapters(chapters: Sequence[Chapter], n_samples: int | None = None) -> None:
    """Raise ``ValueError`` unless every chapter is a non-empty span within the track.

    ``n_samples`` (track length), when given, bounds ``stop_sample``.
    """
    for ch in chapters:
        if not 0 <= ch.start_sample < ch.stop_sample:
            raise ValueError(
                f"chapter {ch.title!r}: need 0 <= start < stop, "
                f"got [{ch.start_sample}, {ch.stop_sample})"
            )
        if n_samples is not None and ch.stop_sample > n_samples:
            raise ValueError(
                f"chapter {ch.title!r} ends at sample {ch.stop_sample}, "
                f"after the track's end ({n_samples})"
            )


def build_id3(tags: TrackTags, chapters: Sequence[Chapter], sample_rate: int) -> ID3:
    """The ID3 frames for a track (not yet saved). Chapters go in time order."""
    if sample_rate <= 0:
        raise ValueError(f"sample_rate must be positive, got {sample_rate}")
    validate_chapters(chapters)
    lang = language_code(tags.language)

    id3 = ID3()
    id3.add(TIT2(encoding=3, text=[tags.title]))
    id3.add(TRCK(encoding=3, text=[f"{tags.track_number}/{tags.track_total}"]))
    id3.add(TALB(encoding=3, text=[tags.album]))
    id3.add(TPE1(encoding=3, text=[tags.artist]))
    id3.add(TLAN(encoding=3, text=[lang]))
    id3.add(TCON(encoding=3, text=[tags.genre]))
    if tags.comment:
        id3.add(COMM(encoding=3, lang=lang, desc="", text=[tags.comment]))
    if tags.credits:
        id3.add(COMM(encoding=3, lang=lang, desc=CREDITS_DESC, text=[tags.credits]))
    for frame, value in ((TPE2, tags.album_artist), (TPUB, tags.publisher), (TDRC, tags.year)):
        if value:
            id3.add(frame(encoding=3, text=[str(value)]))
    if tags.cover_png:
        id3.add(APIC(encoding=3, mime="image/png", type=PictureType.COVER_FRONT, desc="cover", data=tags.cover_png))
    if tags.replaygain_gain_db is not None and tags.replaygain_peak is not None:
        id3.add(TXXX(encoding=3, desc="REPLAYGAIN_TRACK_GAIN", text=[f"{tags.replaygain_gain_db:+.2f} dB"]))
        id3.add(TXXX(encoding=3, desc="REPLAYGAIN_TRACK_PEAK", text=[f"{tags.replaygain_peak:.6f}"]))
    if tags.pacing:
        id3.add(TXXX(encoding=3, desc=PACING_DESC, text=[tags.pacing]))
    if tags.speech:
        id3.add(TXXX(encoding=3, desc=SPEECH_DESC, text=[tags.speech]))

    ordered = sorted(chapters, key=lambda c: (c.start_sample, c.stop_sample))
    ids = [f"ch{i}" for i in range(len(ordered))]
    if ordered:
        id3.add(
            CTOC(
                element_id="toc",
                flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[],
            )
        )
    for element_id, ch in zip(ids, ordered):
        id3.add(
            CHAP(
                element_id=element_id,
                start_time=samples_to_ms(ch.start_sample, sample_rate),
                end_time=samples_to_ms(ch.stop_sample, sample_rate),
                start_offset=_NO_OFFSET,
                end_offset=_NO_OFFSET,
                sub_frames=[TIT2(encoding=3, text=[ch.title])],
            )
        )
    # Converts UTF-8 text (encoding 3) to UTF-16, which v2.3 requires.
    id3.update_to_v23()
    return id3


def write_tags(
    path: PathLike,
    tags: TrackTags,
    chapters: Sequence[Chapter],
    sample_rate: int,
) -> None:
    """Replace all tags of the MP3 at ``path`` with ID3v2.3 ``tags`` and ``chapters``.

    ``chapters`` are in samples at ``sample_rate`` (Hz) and are written in
    milliseconds, rounded to nearest. Any existing ID3v2 and ID3v1 tags are
    removed, so the result depends only on the audio and these arguments.
    """
    id3 = build_id3(tags, chapters, sample_rate)
    # No-op on a fresh encode; otherwise drops tags a previous run or tool left.
    delete_id3(path, delete_v1=True, delete_v2=True)
    id3.save(path, v1=0, v2_version=3, padding=lambda info: PADDING_BYTES)
    _put_chapters_in_time_order(path)


def read_tags(path: PathLike) -> dict[str, Any]:
    """Read back what :func:`write_tags` writes.

    Returns a dict with ``title``, ``track`` (as stored, e.g. ``"1/27"``),
    ``track_number`` and ``track_total`` (ints or None), ``album``,
    ``artist``, ``language`` (ISO 639-1 if known, else the stored code),
    ``genre``, ``comment``, ``pacing`` (the raw JSON text of the pacing
    frame, or None; see :func:`parse_pacing_tag`), ``speech`` (likewise, see
    :func:`parse_speech_tag`) and ``chapters``: a list of
    ``(title, start_ms, end_ms)`` sorted by start time (ID3 stores frames in
    no defined order; mutagen writes them by size).
    """
    id3 = ID3(path)

    def text(frame_id: str) -> str | None:
        frame = id3.get(frame_id)
        return str(frame.text[0]) if frame is not None and frame.text else None

    track = text("TRCK")
    number, total = _parse_track(track)
    tlan = text("TLAN")
    comments = [c for c in id3.getall("COMM") if c.desc == ""]
    credits = [c for c in id3.getall("COMM") if c.desc == CREDITS_DESC]
    gain, peak = id3.get("TXXX:REPLAYGAIN_TRACK_GAIN"), id3.get("TXXX:REPLAYGAIN_TRACK_PEAK")
    covers = id3.getall("APIC")
    pacing = id3.get(f"TXXX:{PACING_DESC}")
    speech = id3.get(f"TXXX:{SPEECH_DESC}")
    chapters = []
    for chap in id3.getall("CHAP"):
        title_frame = chap.sub_frames.get("TIT2")
        title = str(title_frame.text[0]) if title_frame is not None and title_frame.text else ""
        chapters.append((title, chap.start_time, chap.end_time))
    chapters.sort(key=lambda c: (c[1], c[2]))
    return {
        "title": text("TIT2"),
        "track": track,
        "track_number": number,
        "track_total": total,
        "album": text("TALB"),
        "artist": text("TPE1"),
        "language": _ISO639_1.get(tlan, tlan) if tlan else None,
        "genre": text("TCON"),
        "comment": str(comments[0].text[0]) if comments and comments[0].text else None,
        "credits": str(credits[0].text[0]) if credits and credits[0].text else None,
        "album_artist": text("TPE2"),
        "publisher": text("TPUB"),
        "year": text("TDRC"),
        "replaygain_track_gain": str(gain.text[0]) if gain is not None else None,
        "replaygain_track_peak": str(peak.text[0]) if peak is not None else None,
        "cover": bytes(covers[0].data) if covers else None,
        "pacing": str(pacing.text[0]) if pacing is not None and pacing.text else None,
        "speech": str(speech.text[0]) if speech is not None and speech.text else None,
        "chapters": chapters,
    }


def _put_chapters_in_time_order(path: PathLike) -> None:
    """Rewrite the ID3v2.3 tag at the start of ``path`` with CHAP frames in time order.

    mutagen orders frames by size, and ffmpeg (5.1, hence ffprobe and every
    player built on it) lists chapters in file order, ignoring CTOC. So a
    short chapter title late in the track would be listed first. This moves
    CTOC and then the CHAP frames, sorted by start time, after the other
    frames. The tag keeps its size, so only the tag bytes are rewritten.
    Works on the raw v2.3 layout (10-byte frame headers with plain 32-bit
    sizes), which mutagen writes without unsynchronisation or extended header.
    """
    with open(path, "r+b") as fh:
        header = fh.read(10)
        if header[:3] != b"ID3" or header[3] != 3 or header[5] & 0xC0:
            raise ValueError(f"{path}: expected a plain ID3v2.3 tag")
        size = (header[6] << 21) | (header[7] << 14) | (header[8] << 7) | header[9]
        body = fh.read(size)
        others: list[bytes] = []
        ctoc: list[bytes] = []
        chaps: list[tuple[int, int, int, bytes]] = []
        pos = 0
        while pos + 10 <= len(body) and body[pos] != 0:  # a zero byte starts the padding
            frame_id = body[pos : pos + 4]
            end = pos + 10 + int.from_bytes(body[pos + 4 : pos + 8], "big")
            frame = body[pos:end]
            if frame_id == b"CHAP":
                data = frame[10:]
                times = data.index(b"\0") + 1  # after the element ID
                start = int.from_bytes(data[times : times + 4], "big")
                stop = int.from_bytes(data[times + 4 : times + 8], "big")
                chaps.append((start, stop, len(chaps), frame))
            elif frame_id == b"CTOC":
                ctoc.append(frame)
            else:
                others.append(frame)
            pos = end
        ordered = b"".join(others + ctoc + [c[3] for c in sorted(chaps)]) + body[pos:]
        if len(ordered) != len(body):
            raise ValueError(f"{path}: could not parse the ID3 frames mutagen wrote")
        fh.seek(10)
        fh.write(ordered)


def _parse_track(track: str | None) -> tuple[int | None, int | None]:
    if not track:
        return None, None
    number, _, total = track.partition("/")
    try:
        return int(number), (int(total) if total else None)
    except ValueError:
        return None, None
