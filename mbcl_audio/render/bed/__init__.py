"""Background beds: generated loops and the user's own files, ducked under speech.

:func:`bed_loop` gives a seamless stereo loop at ``LOOP_LUFS`` for a bed name:
one of the generated beds (``BED_NAMES``, see :mod:`.generated`) or an audio
file in the music folder (see :mod:`.user`). :class:`BedLayer` (see
:mod:`.layer`) places a loop under a track: level, ducking, swells in long
silences, fades.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import numpy as np

from .common import LOOP_LUFS, BedError, normalize_loop
from .generated import BED_NAMES, LOOP_S, generated_loop
from .layer import BedLayer, duck_amount, fade_out_window, merge_spans, subtract_spans, swell_amount
from .user import AUDIO_SUFFIXES, CROSSFADE_S, crossfade_loop, find_bed_file, list_bed_files, to_stereo, user_loop

__all__ = [
    "AUDIO_SUFFIXES",
    "BED_NAMES",
    "CROSSFADE_S",
    "LOOP_LUFS",
    "LOOP_S",
    "BedError",
    "BedLayer",
    "bed_loop",
    "crossfade_loop",
    "duck_amount",
    "fade_out_window",
    "find_bed_file",
    "generated_loop",
    "list_bed_files",
    "merge_spans",
    "normalize_loop",
    "subtract_spans",
    "swell_amount",
    "to_stereo",
    "user_loop",
]


def bed_loop(
    name: str, sample_rate: int, music_dir: Path = Path("music"), crossfade_s: float = CROSSFADE_S,
    cache_dir: Optional[Path] = None,
) -> np.ndarray:
    """The named bed's loop, ``np.ndarray [shape=(n, 2)]`` float32 stereo at ``LOOP_LUFS`` (a fresh copy).

    Parameters
    ----------
    name : str
        A generated bed (``BED_NAMES``), or a file: ``name`` as a path,
        ``music_dir/name``, or ``music_dir/name`` + ``.wav``/``.flac``/``.ogg``/``.mp3``.
    sample_rate : int
        Output sample rate (Hz).
    music_dir : Path
        Folder of user beds.
    crossfade_s : float
        Loop crossfade for user files (s).
    cache_dir : Path, optional
        Where a generated loop is kept between processes (made once, then loaded).

    Raises
    ------
    BedError
        Unknown name (the message lists the generated beds and the files in
        ``music_dir``), or a file that is unreadable, silent or too short.
    """
    if name in BED_NAMES:
        return generated_loop(name, sample_rate, cache_dir)
    path = find_bed_file(name, Path(music_dir))
    if path is None:
        music_dir = Path(music_dir)
        if music_dir.is_dir():
            files = list_bed_files(music_dir)
            found = f"audio files in {music_dir}/: {', '.join(files)}" if files else f"no audio files in {music_dir}/"
        else:
            found = f"no folder {music_dir}/"
        raise BedError(
            f"unknown bed {name!r}: choose a generated bed ({', '.join(BED_NAMES)}), 'none', "
            f"or an audio file ({'/'.join(s[1:] for s in AUDIO_SUFFIXES)}); {found}"
        )
    return user_loop(path, sample_rate, crossfade_s)
