"""Atomic file writes: a temporary file beside the target, then ``os.replace``."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["atomic_write"]


def _umask() -> int:
    """The process's umask (read by setting it and putting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: str | os.PathLike[str], data: bytes | str | Iterable[str]) -> Path:
    """Write ``data`` (text is UTF-8; pieces of text are written as they come, for a large file
    never held whole) to ``path`` so readers see the old file or the new one, never half.

    When ``path`` is a symlink, the file it names is written and the link stays (a build's
    ``exports/kg.html`` is a link into the current generation, see :mod:`kg.output`). The file
    gets the mode a plain ``open`` would give it (0666 less the umask), not the temporary file's
    private 0600, so web servers, file shares and other users can read the outputs.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = atomic_write(pathlib.Path(tempfile.mkdtemp()) / "a" / "x.txt", "内容")
    >>> p.read_text(encoding="utf-8")
    '内容'
    """
    given = target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes):
                fh.write(data)
            else:
                for piece in data:
                    fh.write(piece.encode("utf-8"))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return given
