"""Export: MP3 encoding, ID3 tags with chapters, and portable file names.

:func:`write_track` is the one call the build uses: it encodes, tags and
moves the finished file into place atomically, so an interrupted build never
leaves a half-written MP3 where a good one is expected.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from ..atomic import replaced_when_done
from ..audio import Source
from ..plan.model import Chapter
from .mp3 import COMPRESSION_LEVELS, compression_level, encode_mp3
from .names import safe_filename, track_filename
from .tags import TrackTags, read_tags, validate_chapters, write_tags

__all__ = [
    "COMPRESSION_LEVELS",
    "TrackTags",
    "encode_mp3",
    "read_tags",
    "safe_filename",
    "track_filename",
    "write_tags",
    "write_track",
]


def write_track(
    source: Source,
    path: str | os.PathLike[str],
    tags: TrackTags,
    chapters: Sequence[Chapter],
    bitrate_kbps: int = 192,
) -> Path:
    """Encode ``source`` as a tagged CBR MP3 at ``path``; return the path.

    Works in a hidden temporary file beside the destination
    (``.<stem>.tmp-<pid>.mp3``; same directory, hence same file system, so the
    final :func:`os.replace` is atomic) and only replaces ``path`` once the
    audio and tags are complete and flushed to disk. On any error,
    including Ctrl-C, the temporary file is removed and an existing file at
    ``path`` is left untouched. Creates missing parent directories.
    Chapters are in samples at ``source.sample_rate``.
    """
    path = Path(path)
    # Cheap checks first: a bad chapter list should not cost a full encode.
    validate_chapters(chapters, source.n_samples)
    compression_level(bitrate_kbps)
    with replaced_when_done(path) as tmp:
        encode_mp3(source, tmp, bitrate_kbps)
        write_tags(tmp, tags, chapters, source.sample_rate)
    return path
