"""Streaming MP3 encoding: ffmpeg's libmp3lame where ffmpeg is installed, else libsndfile's LAME.

Both are LAME, at the same constant bitrate, and both write LAME's gapless "Info" header, so a
decode has exactly the samples written. ffmpeg's encodes about three times faster (25 minutes of
stereo: 18-20 s against 54-56 s here); libsndfile keeps the pip-only install working. The
environment variable ``MBCL_AUDIO_MP3_ENCODER`` (``ffmpeg`` or ``libsndfile``) chooses one.
ffmpeg's LAME runs at :data:`LAME_QUALITY`.

libsndfile (soundfile):

libsndfile takes a ``compression_level`` in ``[0, 1)``, not a bitrate. With
``bitrate_mode="CONSTANT"`` libsndfile 1.2.2 asks LAME for about
``320 - 288 * level`` kb/s and LAME rounds to the nearest legal MPEG-1
bitrate. Measured (44.1 and 48 kHz, mono and stereo; see
``tests/export/test_mp3.py``): level 0.0 -> 320, 0.2 -> 256, 0.4 -> 192,
0.5 -> 160 (a tie point: 0.49 gives 192). We use the centre of each level
band so a rounding change in a later libsndfile or LAME cannot flip the
bitrate, and check the written frame header anyway.

libsndfile's MP3 path also changes the level: a file decodes about 0.27 dB
quieter than the samples written (measured alike with ffmpeg and with
soundfile, at every frequency). A loudness-normalized master would miss its
target by that much, so :func:`encoder_gain` measures the factor once per
format, and :func:`encode_mp3` divides it out before encoding.

Below 64 kb/s stereo LAME drops the CBR "Info" header, and with it the
gapless information: decodes come back up to 1,584 samples longer. Those
bitrates are rejected.
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Union

import numpy as np
import soundfile as sf

from ..audio import BLOCK_SAMPLES, Source, iter_blocks
from ..errors import MbclError
from .ffmpeg import ffmpeg_encoders, ffmpeg_path, ffmpeg_program, pipe_to_ffmpeg

#: Supported CBR bitrates (kb/s) -> libsndfile compression level (centre of
#: the band that yields that bitrate, 3 decimals: ``(320 - kbps) / 288``).
COMPRESSION_LEVELS: dict[int, float] = {
    320: 0.0,
    256: 0.222,
    224: 0.333,
    192: 0.444,
    160: 0.556,
    128: 0.667,
    112: 0.722,
    96: 0.778,
    80: 0.833,
    64: 0.889,
}

#: MPEG-1 Layer III sample rates (Hz); the table above was measured for these.
SAMPLE_RATES = (32_000, 44_100, 48_000)

# MPEG-1 Layer III bitrate index -> kb/s, and sample-rate index -> Hz.
_MPEG1_L3_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_MPEG1_RATES = (44_100, 48_000, 32_000)

PathLike = Union[str, "os.PathLike[str]"]

#: The MP3 encoders, in the order ``auto`` tries them.
MP3_ENCODERS = ("ffmpeg", "libsndfile")
#: LAME's algorithm quality on the ffmpeg path (0 best and slowest, 9 fastest; LAME's own default
#: is 3). At 192 kb/s CBR a calm voice over a soft bed sounds the same at 5, which encodes about
#: 30 % faster than 3 (``benchmarks/bench_speed.py``); libsndfile's LAME keeps its default.
LAME_QUALITY = 5


def mp3_encoder(name: str | None = None) -> str:
    """The encoder to use: ``name``, else ``$MBCL_AUDIO_MP3_ENCODER``, else ffmpeg when it is on the
    PATH with libmp3lame, else libsndfile. An unknown name, or ffmpeg asked for but missing, is an error."""
    name = name or os.environ.get("MBCL_AUDIO_MP3_ENCODER") or "auto"
    program = ffmpeg_program()
    has_lame = program is not None and "libmp3lame" in ffmpeg_encoders(program)
    if name == "auto":
        return "ffmpeg" if has_lame else "libsndfile"
    if name not in MP3_ENCODERS:
        raise MbclError(f"unknown MP3 encoder {name!r}: choose {' or '.join(MP3_ENCODERS)}")
    if name == "ffmpeg" and not has_lame:
        raise MbclError("the MP3 encoder ffmpeg needs the program ffmpeg with libmp3lame, which is not installed")
    return name


def encode_mp3(
    source: Source,
    path: PathLike,
    bitrate_kbps: int = 192,
    block_samples: int = BLOCK_SAMPLES,
    encoder: str | None = None,
) -> Path:
    """Encode ``source`` to a CBR MP3 at ``path``, block by block; return the path.

    ``encoder`` is ``"ffmpeg"``, ``"libsndfile"`` or ``None`` (:func:`mp3_encoder` chooses).

    ``bitrate_kbps`` must be a key of :data:`COMPRESSION_LEVELS`. Samples
    are clipped to ``[-1, 1]`` (the master stage should already have left
    headroom; clipping here only keeps LAME from wrapping overs). The file
    carries LAME's gapless header, so decoding it with soundfile yields
    exactly ``source.n_samples`` frames. Overwrites ``path``; on error a
    partial file may remain (``write_track`` handles atomic replacement).

    Raises ``ValueError`` for an unsupported bitrate, sample rate, channel
    count, an empty source or non-finite samples, and ``RuntimeError`` if
    the encoder did not produce the requested bitrate.
    """
    path = Path(path)
    level = compression_level(bitrate_kbps)
    if source.sample_rate not in SAMPLE_RATES:
        raise ValueError(
            f"MP3 export supports sample rates {SAMPLE_RATES} Hz, got {source.sample_rate}"
        )
    if source.n_channels not in (1, 2):
        raise ValueError(f"MP3 holds 1 or 2 channels, got {source.n_channels}")
    if source.n_samples <= 0:
        raise ValueError("cannot encode an empty source (libsndfile writes an unreadable file)")

    chosen = mp3_encoder(encoder)
    makeup = np.float32(1.0 / encoder_gain(source.sample_rate, source.n_channels, bitrate_kbps, chosen))
    blocks = _checked_blocks(source, makeup, block_samples)
    if chosen == "ffmpeg":
        pipe_to_ffmpeg(blocks, source.sample_rate, source.n_channels, _ffmpeg_output(path, bitrate_kbps), "mp3")
        set_gapless_padding(path, source.n_samples)
    else:
        with _mp3_writer(path, source.sample_rate, source.n_channels, level) as out:
            for block in blocks:
                out.write(block)

    kbps, rate = first_frame_format(path)
    if (kbps, rate) != (bitrate_kbps, source.sample_rate):
        raise RuntimeError(
            f"encoder wrote {kbps} kb/s at {rate} Hz, asked for {bitrate_kbps} kb/s at "
            f"{source.sample_rate} Hz"
            + (": the libsndfile compression-level mapping changed" if chosen == "libsndfile" else " (ffmpeg's libmp3lame)")
        )
    return path


def _checked_blocks(source: Source, makeup: np.float32, block_samples: int):
    """The source block by block, checked, scaled by ``makeup`` and clipped to [-1, 1]."""
    for start, stop in iter_blocks(source.n_samples, block_samples):
        block = np.asarray(source.read(start, stop), dtype=np.float32)
        if block.shape != (stop - start, source.n_channels):
            raise ValueError(
                f"source.read({start}, {stop}) returned shape {block.shape}, "
                f"expected {(stop - start, source.n_channels)}"
            )
        if not np.isfinite(block).all():
            raise ValueError(f"non-finite samples in [{start}, {stop})")
        # A new array, not in place: the source may hand out a view of its data.
        yield np.clip(block * makeup, -1.0, 1.0)


def _ffmpeg_output(path: PathLike, bitrate_kbps: int) -> list[str]:
    """ffmpeg's arguments for a CBR MP3 with LAME's Info header and no tags (mutagen writes them)."""
    return [
        "-c:a", "libmp3lame", "-b:a", f"{bitrate_kbps}k", "-compression_level", str(LAME_QUALITY),
        "-fflags", "+bitexact", "-flags:a", "+bitexact", "-id3v2_version", "0", "-write_id3v1", "0",
        "-f", "mp3", ffmpeg_path(Path(path)),
    ]


#: Where the Xing/Info header starts in a MPEG-1 Layer III frame: after the 4-byte header and the
#: side information (17 bytes mono, 32 stereo).
_XING_OFFSET = {1: 21, 2: 36}
#: Bytes of the Info frame read: the LAME tag ends within them (its CRC-16, over every byte of the
#: frame before it, sits 34 bytes into the tag: at 190 in a stereo frame).
_INFO_BYTES = 192


def _crc16(data: bytes) -> int:
    """CRC-16/ARC (reflected 0x8005, initial 0), the LAME tag's checksum."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def set_gapless_padding(path: PathLike, n_samples: int) -> None:
    """Write the end padding into the LAME tag of the MP3 at ``path`` so a decode has ``n_samples``.

    A decoder drops the tag's delay from the start and its padding from the end of
    ``frames * 1152`` samples. ffmpeg's muxer writes a padding that is off for some lengths (46
    samples too few for 1,152,001 samples, 11 for 1,102,500), so the count comes out long; the
    padding is recomputed from the frame count and delay, and the tag's CRC with it.

    Raises ``RuntimeError`` when the file does not start with a LAME Info frame.
    """
    with open(path, "r+b") as f:
        frame = bytearray(f.read(_INFO_BYTES))
        if len(frame) < _INFO_BYTES or frame[0] != 0xFF:
            raise RuntimeError(f"{path}: no MP3 frame at the start to carry the gapless information")
        channels = 1 if (frame[3] >> 6) == 3 else 2
        at = _XING_OFFSET[channels]
        if frame[at : at + 4] not in (b"Info", b"Xing"):
            raise RuntimeError(f"{path}: the first frame has no Info header (no gapless information)")
        flags = int.from_bytes(frame[at + 4 : at + 8], "big")
        if not flags & 1:
            raise RuntimeError(f"{path}: the Info header has no frame count")
        frames = int.from_bytes(frame[at + 8 : at + 12], "big")
        lame = at + 8 + 4 * bin(flags & 0b1011).count("1") + (100 if flags & 4 else 0)
        crc_at = lame + 34
        if crc_at + 2 > _INFO_BYTES:
            raise RuntimeError(f"{path}: the LAME tag is not where the Info header says")
        delay = (frame[lame + 21] << 4) | (frame[lame + 22] >> 4)
        padding = frames * 1152 - delay - int(n_samples)
        if not 0 <= padding < 4096:
            raise RuntimeError(f"{path}: {frames} frames cannot hold {n_samples} samples after a delay of {delay}")
        frame[lame + 22] = (frame[lame + 22] & 0xF0) | (padding >> 8)
        frame[lame + 23] = padding & 0xFF
        frame[crc_at : crc_at + 2] = _crc16(bytes(frame[:crc_at])).to_bytes(2, "big")
        f.seek(0)
        f.write(frame)


def _mp3_writer(path: PathLike, sample_rate: int, channels: int, level: float) -> sf.SoundFile:
    return sf.SoundFile(
        path,
        "w",
        samplerate=sample_rate,
        channels=channels,
        format="MP3",
        subtype="MPEG_LAYER_III",
        compression_level=level,
        bitrate_mode="CONSTANT",
    )


@lru_cache(maxsize=None)
def encoder_gain(sample_rate: int, channels: int, bitrate_kbps: int, encoder: str = "libsndfile") -> float:
    """Decoded level / written level of an MP3 path (linear, about 0.97 for both encoders).

    Measured on 2 s of a 997 Hz sine at -12 dBFS, RMS over the middle second,
    so it tracks whatever libsndfile and LAME build is installed.
    """
    n = 2 * sample_rate
    tone = 0.25 * np.sin(2 * np.pi * 997.0 * np.arange(n) / sample_rate)
    x = np.repeat(tone[:, None], channels, axis=1).astype(np.float32)
    with tempfile.TemporaryDirectory(prefix="mbcl-mp3-") as tmp:
        probe = Path(tmp) / "probe.mp3"
        if encoder == "ffmpeg":
            pipe_to_ffmpeg([x], sample_rate, channels, _ffmpeg_output(probe, bitrate_kbps), "mp3")
        else:
            with _mp3_writer(probe, sample_rate, channels, compression_level(bitrate_kbps)) as out:
                out.write(x)
        y, _ = sf.read(probe, dtype="float64", always_2d=True)
    middle = slice(sample_rate // 2, sample_rate // 2 + sample_rate)
    return float(np.sqrt(np.mean(y[middle] ** 2)) / np.sqrt(np.mean(x[middle].astype(np.float64) ** 2)))


def compression_level(bitrate_kbps: int) -> float:
    """libsndfile ``compression_level`` for a supported CBR bitrate (kb/s)."""
    try:
        return COMPRESSION_LEVELS[bitrate_kbps]
    except (KeyError, TypeError):
        raise ValueError(
            f"unsupported MP3 bitrate {bitrate_kbps!r} kb/s; "
            f"choose one of {sorted(COMPRESSION_LEVELS)}"
        ) from None


def first_frame_format(path: PathLike) -> tuple[int, int]:
    """``(bitrate kb/s, sample rate Hz)`` from the first MPEG-1 Layer III frame header.

    Skips an ID3v2 tag if present. In a CBR file every frame, including
    LAME's "Info" frame, carries the same bitrate index, so one header is
    enough. Raises ``ValueError`` if no such frame is found near the start.
    """
    with open(path, "rb") as fh:
        head = fh.read(10)
        offset = 0
        if head[:3] == b"ID3" and len(head) == 10:
            size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
            offset = 10 + size + (10 if head[5] & 0x10 else 0)  # footer flag
        fh.seek(offset)
        data = fh.read(8192)
    for i in range(len(data) - 3):
        b1, b2 = data[i + 1], data[i + 2]
        # Sync (11 bits), MPEG-1 (bits 11), Layer III (bits 01).
        if data[i] == 0xFF and (b1 & 0xFE) == 0xFA:
            br_index, sr_index = b2 >> 4, (b2 >> 2) & 0x3
            if 0 < br_index < 15 and sr_index < 3:
                return _MPEG1_L3_KBPS[br_index], _MPEG1_RATES[sr_index]
    raise ValueError(f"{path}: no MPEG-1 Layer III frame header found")
