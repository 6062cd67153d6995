"""A build's output folder: one complete build at a time, switched atomically, one writer at a time.

Layout of an output folder (``exports/`` by default)::

    exports/
      .lock                          a running build holds an exclusive flock on it
      .cache/                        what builds reuse (per-document extraction results, kg.cache)
      .generations/<id>/             one build: kg.ttl, ontology.ttl, store/, report.html, kg.html
      current -> .generations/<id>   the build readers see
      kg.ttl  -> current/kg.ttl      and the same for ontology.ttl, store, report.html, kg.html

A build writes a new generation beside the current one and then replaces the ``current`` link
with one ``os.replace``. Every user-visible name goes through ``current``, so a reader of
``exports/kg.ttl`` or ``exports/store`` sees the previous build or the new one, never a mix,
whatever happens to the build (an exception, Ctrl-C, SIGKILL). A build that fails or is
interrupted removes its generation; one that was killed leaves it to the next build, which
removes every generation but the current one. The links are relative, so the folder can be
moved.

Examples
--------
>>> import tempfile
>>> out = Path(tempfile.mkdtemp()) / "exports"
>>> with lock_output(out), new_generation(out) as gen:
...     _ = (gen.path / "kg.ttl").write_text("# 第一次", encoding="utf-8")
>>> (out / "kg.ttl").read_text(encoding="utf-8"), current_generation(out) == gen.path
('# 第一次', True)
>>> with lock_output(out), new_generation(out) as gen2:
...     _ = (gen2.path / "kg.ttl").write_text("# 第二次", encoding="utf-8")
>>> (out / "kg.ttl").read_text(encoding="utf-8"), gen.path.exists()
('# 第二次', False)
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kg.errors import OutputError, OutputLocked

__all__ = [
    "OUTPUT_NAMES",
    "CURRENT",
    "GENERATIONS",
    "LOCK",
    "CACHE",
    "Generation",
    "OutputLock",
    "lock_output",
    "new_generation",
    "current_generation",
    "clean_output",
    "output_paths",
]

#: The names a build writes into its generation (and links from the output folder).
OUTPUT_NAMES: tuple[str, ...] = ("kg.ttl", "ontology.ttl", "store", "report.html", "kg.html")
#: The link to the current generation.
CURRENT = "current"
#: The folder that holds the generations.
GENERATIONS = ".generations"
#: The lock file.
LOCK = ".lock"
#: What builds keep between builds (:mod:`kg.cache`); it survives generations.
CACHE = ".cache"
_TMP_LINK = ".kg-link-"  # a link being made; renamed onto its name at once
_OLD = "old-"  # a file or folder of the layout before generations, moved aside

# file descriptors of the locks this process holds: a forked child (an extraction worker)
# closes its copies, so a worker that outlives its build never keeps the folder locked
_HELD: set[int] = set()


def _close_inherited_locks() -> None:
    for fd in list(_HELD):
        try:
            os.close(fd)
        except OSError:  # pragma: no cover - already closed
            pass
    _HELD.clear()


os.register_at_fork(after_in_child=_close_inherited_locks)


class OutputLock:
    """An exclusive lock on an output folder.

    Released by :meth:`release`, at the end of a ``with`` block, or by the system when the
    process dies (it is an ``flock`` on ``<out>/.lock``; the file itself stays).
    """

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    def release(self) -> None:
        """Release the lock (closing the file releases the flock)."""
        if self._fd is not None:
            _HELD.discard(self._fd)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        """Whether this object still holds the lock."""
        return self._fd is not None

    def __enter__(self) -> OutputLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<OutputLock {self.path}: {'held' if self.held else 'released'}>"


def _holder(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:  # pragma: no cover - an unreadable lock file still locks
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""


def lock_output(out: str | os.PathLike[str], wait: bool = True,
                on_wait: Callable[[str], None] | None = None) -> OutputLock:
    """Take the exclusive lock of the output folder ``out`` (created when missing).

    Parameters
    ----------
    out : the output folder.
    wait : when another process holds the lock, wait for it (``True``) or raise
        :class:`~kg.errors.OutputLocked` at once (``False``).
    on_wait : called with a one-line message before waiting.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> with lock_output(out) as lock:
    ...     lock.held
    True
    """
    folder = Path(out)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise OutputError(f"cannot write the output folder {folder}: {e.strerror or e}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            busy = f"{folder} is being written by another build{_holder(fd)}"
            if not wait:
                raise OutputLocked(f"{busy}; run again when it has finished, or with --wait") from None
            if on_wait is not None:
                on_wait(f"{busy}; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    except BaseException:
        os.close(fd)
        raise
    _HELD.add(fd)
    return OutputLock(folder / LOCK, fd)


@dataclass(frozen=True)
class Generation:
    """One build's folder inside an output folder (``<out>/.generations/<id>``)."""

    out: Path
    id: str

    @property
    def path(self) -> Path:
        """The folder the build writes into."""
        return self.out / GENERATIONS / self.id


def current_generation(out: str | os.PathLike[str]) -> Path | None:
    """The folder of the current generation of ``out``, or ``None`` before the first build.

    Examples
    --------
    >>> import tempfile
    >>> current_generation(tempfile.mkdtemp()) is None
    True
    """
    link = Path(out) / CURRENT
    try:
        target = os.readlink(link)
    except OSError:
        return None
    parts = Path(target).parts
    if len(parts) != 2 or parts[0] != GENERATIONS:
        return None
    return Path(out) / target


def output_paths(out: str | os.PathLike[str]) -> tuple[Path, ...]:
    """What a build of ``out`` owns, which it must never read as a source.

    The folder itself comes first; then the names it writes, the generations, the lock, the cache.

    Examples
    --------
    >>> [p.name for p in output_paths("exports")][:3]
    ['exports', 'kg.ttl', 'ontology.ttl']
    """
    folder = Path(out)
    return (folder, *(folder / n for n in OUTPUT_NAMES), folder / CURRENT, folder / GENERATIONS,
            folder / LOCK, folder / CACHE)


def _new_id() -> str:
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{secrets.token_hex(3)}"


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except FileNotFoundError:
            pass


def _link(out: Path, name: str, target: str) -> None:
    """Make ``out/name`` a symlink to ``target`` in one rename (it never stops existing)."""
    dest = out / name
    try:
        if os.readlink(dest) == target:
            return
    except OSError:
        pass
    tmp = out / f"{_TMP_LINK}{secrets.token_hex(4)}"
    os.symlink(target, tmp)
    try:
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def clean_output(out: str | os.PathLike[str]) -> list[Path]:
    """Remove every generation of ``out`` but the current one, and half-made links.

    These are left by builds that were killed or superseded; call it only while holding the
    lock (:func:`lock_output`), since a running build's generation is not current yet.
    Returns the removed paths.
    """
    folder = Path(out)
    keep = current_generation(folder)
    removed: list[Path] = []
    gens = folder / GENERATIONS
    if gens.is_dir():
        for p in sorted(gens.iterdir()):
            if keep is None or p.name != keep.name:
                _remove(p)
                removed.append(p)
    if folder.is_dir():
        for p in sorted(folder.glob(f"{_TMP_LINK}*")):
            _remove(p)
            removed.append(p)
    return removed


def _check_layout(out: Path) -> None:
    cur = out / CURRENT
    if os.path.lexists(cur) and not cur.is_symlink():
        raise OutputError(f"{cur} is in the way of the build's 'current' link; move it elsewhere")
    gens = out / GENERATIONS
    if os.path.lexists(gens) and (gens.is_symlink() or not gens.is_dir()):
        raise OutputError(f"{gens} is in the way of the build's generations; move it elsewhere")


def _switch(gen: Generation, names: list[str]) -> None:
    out = gen.out
    # the links this build adds point through `current`: they show its files only after the switch
    for n in names:
        dest = out / n
        if dest.is_symlink() or not os.path.lexists(dest):
            _link(out, n, f"{CURRENT}/{n}")
    _link(out, CURRENT, f"{GENERATIONS}/{gen.id}")


def _tidy(gen: Generation, names: list[str]) -> None:
    """After the switch: files of the layout before generations become links, names this build
    did not write go, old generations go."""
    out = gen.out
    for n in names:
        dest = out / n
        if os.path.lexists(dest) and not dest.is_symlink():
            if dest.is_dir():  # a folder cannot be renamed over; move it aside first
                os.replace(dest, out / GENERATIONS / f"{_OLD}{secrets.token_hex(4)}-{n}")
            _link(out, n, f"{CURRENT}/{n}")
    for p in sorted(out.iterdir()):
        if p.name in names or p.name == CURRENT:
            continue
        if p.is_symlink():
            try:
                target = os.readlink(p)
            except OSError:  # pragma: no cover - vanished meanwhile
                continue
            if target.startswith(f"{CURRENT}/"):  # a link to a name this build did not write
                p.unlink(missing_ok=True)
        elif p.name in OUTPUT_NAMES:  # an output of an older build (or layout) this build did not write
            _remove(p)
    clean_output(out)


@contextmanager
def new_generation(out: str | os.PathLike[str]) -> Iterator[Generation]:
    """A new, empty generation of ``out`` to write a build into; hold the lock around it.

    Leaving the ``with`` block normally makes it the current generation (one atomic rename)
    and removes the previous ones; any exception, ``KeyboardInterrupt`` included, removes it
    and leaves the current build as it was. Raises :class:`~kg.errors.OutputError` when a
    name the layout needs is taken by something else.
    """
    folder = Path(out)
    _check_layout(folder)
    clean_output(folder)
    gen = Generation(folder, _new_id())
    gen.path.mkdir(parents=True)
    try:
        yield gen
        names = sorted(n for n in os.listdir(gen.path) if not n.startswith("."))
        _switch(gen, names)
    except BaseException:
        cur = current_generation(folder)
        if cur is None or cur.name != gen.id:
            shutil.rmtree(gen.path, ignore_errors=True)
        raise
    _tidy(gen, names)
