"""The other delivery formats beside MP3: Opus in Ogg, and M4A (AAC) where ffmpeg is installed.

MP3 is always made: it is the set's reference file (its ID3 chapters feed the player page, its
hash the manifest). :func:`write_format` encodes the same mastered audio to another format,
tags it in that format's own way, and moves it into place atomically.

- **Opus** (``.opus``): libsndfile's encoder through soundfile. Opus runs at 48 kHz only, so the
  master is resampled (soxr, streamed block by block, very high quality). The Ogg granule positions
  carry the exact length: the file decodes to ``round(n * 48000 / 44100)`` samples. Tags are Vorbis
  comments (mutagen): the usual fields, ``R128_TRACK_GAIN`` (Opus' own gain tag, Q7.8 dB relative to
  -23 LUFS, as RFC 7845 asks, instead of ReplayGain), the cover as ``METADATA_BLOCK_PICTURE``, and
  the chapters as ``CHAPTERnnn`` / ``CHAPTERnnnNAME`` comments (the scheme VLC, foobar2000 and
  ffmpeg read).
- **M4A** (``.m4a``, AAC-LC in MP4): ffmpeg's native AAC encoder (the ``ffmpeg`` program on the
  PATH). The audio streams to ffmpeg's standard input as raw float samples, block by block, so a
  long track is neither held in memory nor written out as a temporary WAV (whose 4 GiB size field
  a float track over 3 h 22 min would overflow); the chapters go in through an ffmetadata file
  (ffmpeg writes them as a QuickTime chapter track, which Apple's players show). Tags are MP4 atoms (mutagen),
  with ReplayGain as iTunes freeform atoms and the cover as ``covr``. AAC has no exact-length
  header: a decode ends with up to one AAC frame (1,024 samples) of encoder padding.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import soundfile as sf

from ..atomic import process_temp_path, replaced_when_done
from ..audio import BLOCK_SAMPLES, Source, iter_blocks
from ..errors import MbclError
from ..plan.model import Chapter
from ..units import format_timestamp
from .ffmpeg import ffmpeg_path, ffmpeg_program, pipe_to_ffmpeg
from .tags import TrackTags, language_code, validate_chapters

__all__ = [
    "EXTENSIONS", "FORMATS", "OPUS_SAMPLE_RATE", "check_formats", "decoded_length", "ffmpeg_path", "ffmpeg_program",
    "read_format_tags", "tag_format", "write_format",
]

FORMATS = ("mp3", "opus", "m4a")
EXTENSIONS = {"mp3": ".mp3", "opus": ".opus", "m4a": ".m4a"}
OPUS_SAMPLE_RATE = 48_000
#: libsndfile's Opus ``compression_level``: 0.8 gave 96-112 kb/s stereo on the set's tracks (VBR;
#: quiet speech over a soft bed), transparent for speech and pads, a third of the 192 kb/s MP3.
OPUS_COMPRESSION_LEVEL = 0.8
#: AAC-LC at 128 kb/s: what Apple's own podcast guidelines ask for spoken word in stereo.
M4A_BITRATE_KBPS = 128
#: AAC ends a file on a whole frame; a decode may run this many samples past the source.
AAC_FRAME_SAMPLES = 1024


def check_formats(formats: Sequence[str], programs: bool = True) -> tuple[str, ...]:
    """``formats`` in the one order of :data:`FORMATS` (``mp3`` always, first), whatever order and
    case they were given in: the same set of formats is the same build (and the same input hash).

    Raises:
        MbclError: an unknown format, or (with ``programs``) ``m4a`` without ffmpeg, naming the
        missing program.
    """
    wanted = {f.strip().lower() for f in formats if f.strip()}
    for f in sorted(wanted):
        if f not in FORMATS:
            raise MbclError(f"unknown format {f!r}: choose from {', '.join(FORMATS)} (e.g. --format mp3,opus)")
    if programs and "m4a" in wanted and ffmpeg_program() is None:
        raise MbclError(
            "m4a needs the program ffmpeg, which is not installed: install ffmpeg "
            "(apt-get install ffmpeg, brew install ffmpeg) or leave m4a out of the formats"
        )
    return tuple(f for f in FORMATS if f == "mp3" or f in wanted)


def decoded_length(n_samples: int, sample_rate: int, fmt: str) -> int:
    """How many samples a file of ``fmt`` made from ``n_samples`` at ``sample_rate`` decodes to
    (at its own rate; for m4a the least, before up to :data:`AAC_FRAME_SAMPLES` of padding)."""
    if fmt == "opus":
        return int(round(n_samples * OPUS_SAMPLE_RATE / sample_rate))
    return n_samples


def write_format(source: Source, path: Path, fmt: str, tags: TrackTags, chapters: Sequence[Chapter], gain_db: float = 0.0) -> Path:
    """Encode ``source`` as ``fmt`` (``opus`` or ``m4a``) with ``tags`` and ``chapters`` (samples at
    ``source.sample_rate``) at ``path``, atomically; ``gain_db`` scales the audio on the way.

    Raises:
        MbclError: the encoder failed (with its message), or ffmpeg is missing for m4a.
    """
    path = Path(path)
    validate_chapters(chapters, source.n_samples)
    chapters = sorted(chapters, key=lambda c: (c.start_sample, c.stop_sample))
    if fmt not in ("opus", "m4a"):
        raise MbclError(f"{path}: no encoder for format {fmt!r} here (mp3 is written by write_track)")
    with replaced_when_done(path) as tmp:
        try:
            if fmt == "opus":
                _encode_opus(source, tmp, gain_db)
            else:
                _encode_m4a(source, tmp, chapters, gain_db)
            tag_format(tmp, fmt, tags, chapters, source.sample_rate)
        except (MbclError, sf.LibsndfileError, RuntimeError, OSError, ValueError) as err:
            # A full disk or a broken encoder: name the file the user asked for, not the temporary one.
            raise MbclError(f"{path}: could not write {fmt}: {err}") from err
    return path


def tag_format(path: Path, fmt: str, tags: TrackTags, chapters: Sequence[Chapter], sample_rate: int) -> None:
    """(Re)write the tags of an ``opus`` or ``m4a`` file in place; the audio is not touched."""
    if fmt == "opus":
        _tag_opus(Path(path), tags, chapters, sample_rate)
    else:
        _tag_m4a(Path(path), tags)


def _blocks(source: Source, gain_db: float):
    scale = np.float32(10 ** (gain_db / 20))
    for start, stop in iter_blocks(source.n_samples, BLOCK_SAMPLES):
        yield np.clip(np.asarray(source.read(start, stop), dtype=np.float32) * scale, -1.0, 1.0)


def _encode_opus(source: Source, path: Path, gain_db: float) -> None:
    import soxr

    stream = soxr.ResampleStream(source.sample_rate, OPUS_SAMPLE_RATE, source.n_channels, dtype="float32", quality="VHQ")
    with sf.SoundFile(
        path, "w", samplerate=OPUS_SAMPLE_RATE, channels=source.n_channels, format="OGG", subtype="OPUS",
        compression_level=OPUS_COMPRESSION_LEVEL,
    ) as out:
        for block in _blocks(source, gain_db):
            out.write(np.clip(stream.resample_chunk(block), -1.0, 1.0))
        # What the resampler still holds: the last few milliseconds.
        out.write(np.clip(stream.resample_chunk(np.zeros((0, source.n_channels), np.float32), last=True), -1.0, 1.0))
    _fix_ogg_serial(path)


#: Every Opus file's Ogg stream serial number. libsndfile draws a random one; a fixed one keeps
#: the same audio the same bytes (one stream per file, so it never has to tell streams apart).
OGG_SERIAL = 0x6D62636C  # "mbcl"


def _fix_ogg_serial(path: Path) -> None:
    """Give every Ogg page of ``path`` the serial :data:`OGG_SERIAL` (each page's CRC is recomputed)."""
    from mutagen.ogg import OggPage

    fixed = process_temp_path(path, "tmp")  # a name the stale-file cleanup knows
    try:
        with open(path, "rb") as src, open(fixed, "wb") as out:
            while src.peek(1):
                page = OggPage(src)
                page.serial = OGG_SERIAL
                out.write(page.write())
        os.replace(fixed, path)
    finally:
        fixed.unlink(missing_ok=True)


def _picture_block(png: bytes) -> str:
    """A FLAC PICTURE block (front cover) in base64: what ``METADATA_BLOCK_PICTURE`` holds."""
    from mutagen.flac import Picture

    picture = Picture()
    picture.type, picture.mime, picture.desc, picture.data = 3, "image/png", "Cover", png
    return base64.b64encode(picture.write()).decode("ascii")


def _tag_opus(path: Path, tags: TrackTags, chapters: Sequence[Chapter], sample_rate: int) -> None:
    from mutagen.oggopus import OggOpus

    audio = OggOpus(path)
    audio.delete()
    comments: list[tuple[str, str]] = [
        ("TITLE", tags.title), ("ALBUM", tags.album), ("ARTIST", tags.artist),
        ("TRACKNUMBER", str(tags.track_number)), ("TRACKTOTAL", str(tags.track_total)),
        ("GENRE", tags.genre), ("LANGUAGE", language_code(tags.language)),
    ]
    optional = [
        ("ALBUMARTIST", tags.album_artist), ("ORGANIZATION", tags.publisher),
        ("DATE", str(tags.year) if tags.year else ""), ("COMMENT", tags.comment), ("CREDITS", tags.credits),
    ]
    comments += [(k, v) for k, v in optional if v]
    if tags.replaygain_gain_db is not None:
        # RFC 7845: R128 gains are relative to -23 LUFS in Q7.8; ReplayGain's reference is -18 LUFS.
        comments.append(("R128_TRACK_GAIN", str(int(round((tags.replaygain_gain_db - 5.0) * 256)))))
    for k, chapter in enumerate(chapters, 1):
        comments += [(f"CHAPTER{k:03d}", format_timestamp(chapter.start_sample / sample_rate)), (f"CHAPTER{k:03d}NAME", chapter.title)]
    if tags.cover_png:
        comments.append(("METADATA_BLOCK_PICTURE", _picture_block(tags.cover_png)))
    for key, value in comments:
        audio.tags.append((key, value))
    audio.save()


def _ffmetadata(chapters: Sequence[Chapter], sample_rate: int) -> str:
    def escape(text: str) -> str:
        return "".join("\\" + c if c in "=;#\\\n" else c for c in text)

    lines = [";FFMETADATA1"]
    for chapter in chapters:
        lines += ["[CHAPTER]", f"TIMEBASE=1/{sample_rate}", f"START={chapter.start_sample}",
                  f"END={chapter.stop_sample}", f"title={escape(chapter.title)}"]
    return "\n".join(lines) + "\n"


def _encode_m4a(source: Source, path: Path, chapters: Sequence[Chapter], gain_db: float) -> None:
    meta = process_temp_path(path.with_suffix(".txt"), "tmp")
    meta.write_text(_ffmetadata(chapters, source.sample_rate), encoding="utf-8")
    output = [
        "-f", "ffmetadata", "-i", ffmpeg_path(meta),
        "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1", "-c:a", "aac", "-b:a", f"{M4A_BITRATE_KBPS}k",
        # No encoder name or creation time in the file: the same audio gives the same bytes.
        "-fflags", "+bitexact", "-flags:a", "+bitexact", "-f", "ipod", ffmpeg_path(path),
    ]
    try:
        pipe_to_ffmpeg(_blocks(source, gain_db), source.sample_rate, source.n_channels, output, "m4a")
    finally:
        meta.unlink(missing_ok=True)


def _tag_m4a(path: Path, tags: TrackTags) -> None:
    from mutagen.mp4 import MP4, MP4Cover, MP4FreeForm

    audio = MP4(path)
    if audio.tags is None:
        audio.add_tags()
    else:
        audio.tags.clear()
    t = audio.tags
    t["\xa9nam"], t["\xa9alb"], t["\xa9ART"] = [tags.title], [tags.album], [tags.artist]
    t["trkn"], t["\xa9gen"] = [(tags.track_number, tags.track_total)], [tags.genre]
    if tags.album_artist:
        t["aART"] = [tags.album_artist]
    if tags.year:
        t["\xa9day"] = [str(tags.year)]
    if tags.comment:
        t["\xa9cmt"] = [tags.comment]
    freeform = {
        "LANGUAGE": language_code(tags.language),
        "PUBLISHER": tags.publisher,
        "CREDITS": tags.credits,
        "replaygain_track_gain": f"{tags.replaygain_gain_db:.2f} dB" if tags.replaygain_gain_db is not None else "",
        "replaygain_track_peak": f"{tags.replaygain_peak:.6f}" if tags.replaygain_peak is not None else "",
    }
    for key, value in freeform.items():
        if value:
            t[f"----:com.apple.iTunes:{key}"] = [MP4FreeForm(value.encode("utf-8"))]
    if tags.cover_png:
        t["covr"] = [MP4Cover(tags.cover_png, imageformat=MP4Cover.FORMAT_PNG)]
    audio.save()


def read_format_tags(path: Path) -> dict:
    """What :func:`write_format` wrote, read back: ``title``, ``album``, ``artist``, ``track``,
    ``language``, ``replaygain_track_gain`` (dB, -18 LUFS reference), ``cover`` (bytes or None)
    and ``chapters`` as ``(title, start_s)``."""
    path = Path(path)
    if path.suffix == ".opus":
        from mutagen.flac import Picture
        from mutagen.oggopus import OggOpus

        c = OggOpus(path).tags
        first = lambda key: c[key][0] if key in c else None  # noqa: E731
        chapters = []
        for k in range(1, 1000):
            if f"CHAPTER{k:03d}" not in c:
                break
            h, m, s = c[f"CHAPTER{k:03d}"][0].split(":")
            chapters.append((c[f"CHAPTER{k:03d}NAME"][0], int(h) * 3600 + int(m) * 60 + float(s)))
        gain = first("R128_TRACK_GAIN")
        picture = first("METADATA_BLOCK_PICTURE")
        return {
            "title": first("TITLE"), "album": first("ALBUM"), "artist": first("ARTIST"),
            "track": f"{first('TRACKNUMBER')}/{first('TRACKTOTAL')}", "language": first("LANGUAGE"),
            "replaygain_track_gain": int(gain) / 256 + 5.0 if gain is not None else None,
            "cover": Picture(base64.b64decode(picture)).data if picture else None,
            "chapters": chapters,
        }
    if path.suffix == ".m4a":
        from mutagen.mp4 import MP4

        t = MP4(path).tags or {}
        first = lambda key: t[key][0] if key in t else None  # noqa: E731
        gain = first("----:com.apple.iTunes:replaygain_track_gain")
        language = first("----:com.apple.iTunes:LANGUAGE")
        number = first("trkn")
        return {
            "title": first("\xa9nam"), "album": first("\xa9alb"), "artist": first("\xa9ART"),
            "track": f"{number[0]}/{number[1]}" if number else None,
            "language": bytes(language).decode("utf-8") if language else None,
            "replaygain_track_gain": float(bytes(gain).decode("utf-8").removesuffix(" dB")) if gain else None,
            "cover": bytes(first("covr")) if first("covr") is not None else None,
            "chapters": _m4a_chapters(path),
        }
    raise MbclError(f"{path}: not an opus or m4a file")


def _m4a_chapters(path: Path) -> list[tuple[str, float]]:
    """The chapters ffmpeg reads from an m4a (ffprobe), ``[]`` without ffprobe."""
    probe = shutil.which("ffprobe")
    if probe is None:
        return []
    done = subprocess.run(
        [probe, "-v", "error", "-print_format", "json", "-show_chapters", ffmpeg_path(path)], capture_output=True, text=True
    )
    if done.returncode != 0:
        return []
    import json

    return [(c.get("tags", {}).get("title", ""), float(c["start_time"])) for c in json.loads(done.stdout)["chapters"]]
