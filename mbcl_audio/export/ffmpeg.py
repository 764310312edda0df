"""The ``ffmpeg`` program as an encoder: found on the PATH, fed raw float samples on its stdin.

Used for M4A (AAC) and, when it is installed, for MP3 (its libmp3lame is about three times faster
than libsndfile's built-in LAME). Audio streams block by block, so there is no temporary WAV and no
size limit; ``+bitexact`` keeps ffmpeg's name and version out of the file, so the same audio gives
the same bytes.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import MbclError

__all__ = ["ffmpeg_encoders", "ffmpeg_path", "ffmpeg_program", "pipe_to_ffmpeg"]


def ffmpeg_program() -> str | None:
    """The ``ffmpeg`` program on the PATH, or ``None`` when none is installed."""
    return shutil.which("ffmpeg")


def ffmpeg_path(path: Path) -> str:
    """``path`` as ffmpeg must be given it: with ``file:``, so that a colon in a folder name is not
    read as a protocol (``set:2026/...``)."""
    return "file:" + str(Path(path).resolve())


@lru_cache(maxsize=4)
def ffmpeg_encoders(program: str) -> frozenset[str]:
    """The audio encoders ``program`` has (``libmp3lame``, ``aac``, ...)."""
    listing = subprocess.run([program, "-hide_banner", "-encoders"], capture_output=True, text=True, check=False).stdout
    return frozenset(line.split()[1] for line in listing.splitlines() if line.strip().startswith("A") and len(line.split()) > 1)


def pipe_to_ffmpeg(blocks: Iterable[np.ndarray], sample_rate: int, channels: int, output: Sequence[str], what: str) -> None:
    """Run ffmpeg reading ``blocks`` (float32 ``[n, channels]``) from stdin, with ``output`` the
    arguments after its input (codec, options, the output file).

    Raises:
        MbclError: ffmpeg is missing, or it failed (with its own message), naming ``what``.
    """
    program = ffmpeg_program()
    if program is None:
        raise MbclError(f"{what} needs the program ffmpeg, which is not installed")
    command = [program, "-v", "error", "-y",
               "-f", "f32le", "-ar", str(sample_rate), "-ac", str(channels), "-i", "pipe:0", *output]
    with tempfile.TemporaryFile() as errors:
        encoder = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)
        try:
            for block in blocks:
                encoder.stdin.write(np.ascontiguousarray(block, dtype="<f4").tobytes())
        except BrokenPipeError:
            pass  # ffmpeg stopped early; its message follows
        except BaseException:
            # No block came (an error, an encode given up): what ffmpeg has is not wanted, so it
            # stops now instead of encoding it to the end.
            encoder.kill()
            raise
        finally:
            # End of input: ffmpeg must not wait forever.
            try:
                encoder.stdin.close()
            except BrokenPipeError:
                pass
            returncode = encoder.wait()
        if returncode != 0:
            errors.seek(0)
            raise MbclError(f"ffmpeg could not encode {what}: {errors.read().decode('utf-8', 'replace').strip() or returncode}")
