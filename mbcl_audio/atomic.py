"""Writing a file so that nobody ever sees half of it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Union


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
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
