"""Writing a file so that nobody ever sees half of it."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Iterator, Union

#: A temporary file of one process beside its destination: ``.<name>.<kind>-<pid>[.<suffix>]``.
PROCESS_TEMP_NAME = re.compile(r"^\..+\.(?:staging|tmp)-(?P<pid>\d+)(?:\.[A-Za-z0-9]+)?$")


def process_temp_path(path: Union[str, "os.PathLike[str]"], kind: str) -> Path:
    """A hidden name beside ``path`` that only this process uses: ``.<stem>.<kind>-<pid><suffix>``.

    Two processes writing the same destination never share one, and
    :func:`remove_stale_temp_files` can tell whose it is.
    """
    path = Path(path)
    return path.with_name(f".{path.stem}.{kind}-{os.getpid()}{path.suffix}")


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs (one we may not signal runs too)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True


def remove_stale_temp_files(folder: Union[str, "os.PathLike[str]"]) -> list[Path]:
    """Remove the temporary files in ``folder`` of processes that no longer run (a killed build's); return them.

    A temporary file of a process that still runs (a concurrent build) is left alone.
    """
    folder = Path(folder)
    removed = []
    if not folder.is_dir():
        return removed
    for path in sorted(folder.iterdir()):
        match = PROCESS_TEMP_NAME.match(path.name)
        if match and path.is_file() and not process_alive(int(match["pid"])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Read once, at import: setting the umask to read it would race with other threads creating files.
_UMASK = _read_umask()


def write_atomic(path: Union[str, "os.PathLike[str]"], data: Union[bytes, str], encoding: str = "utf-8") -> Path:
    """Write ``data`` (text is encoded with ``encoding``, newlines kept as they are) to a
    temporary file beside ``path``, then rename it into place; return the path.

    The folder is created if needed. On any error the temporary file is removed
    and an existing ``path`` is left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode(encoding) if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        # mkstemp makes the file private (0600); a written file gets the usual permissions.
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


@contextlib.contextmanager
def replaced_when_done(path: Union[str, "os.PathLike[str]"]) -> Iterator[Path]:
    """Yield this process's temporary path beside ``path`` to write to; when the block ends
    without error, flush it to disk and rename it to ``path``, else remove it (``path`` untouched).

    For files written by a library that wants a path (an encoder, a tagger), not bytes.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = process_temp_path(path, "tmp")
    try:
        yield tmp
        # Flush before the rename so a crash cannot leave a renamed but empty file.
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
