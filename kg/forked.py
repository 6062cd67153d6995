"""A function run in a forked child process beside the build, its result read back when needed.

After extraction a build is one thread of Python on one core while the others wait: the SHACL
check of the whole graph reads the graph but changes nothing, so a child forked with the graph
in its memory (copy-on-write: nothing is pickled or copied up front) checks it on another core
while the build goes on with the analysis, the exports and the store. The relation and event
components share out the articles the same way (:func:`kg.relate.relations_for`).

Examples
--------
>>> job = Forked(sum, [1, 2, 3])
>>> job.result()
6
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from kg.errors import KGError
from kg.heap import in_child

__all__ = ["Forked", "can_fork", "die_with_parent"]

R = TypeVar("R")

#: The child's exit status when its function raised (its exception travels back pickled).
_FAILED = 3


def can_fork() -> bool:
    """Whether a child can be forked here (Linux and other POSIX systems, not Windows).

    Examples
    --------
    >>> isinstance(can_fork(), bool)
    True
    """
    return hasattr(os, "fork") and sys.platform != "win32"


def die_with_parent(parent: int) -> None:
    """In a process the build started (an extraction worker, a forked child): end when the build
    ends, even when it is killed (``SIGKILL`` leaves it no chance to stop its processes).

    On Linux the kernel sends the worker ``SIGTERM`` when its parent dies (``PR_SET_PDEATHSIG``);
    elsewhere a thread checks once a second that the parent is still there. Ctrl-C is left to
    the build, which stops its processes itself. A build that died before the process could ask
    to follow it (the kernel then never tells) is noticed by the parent's pid having changed.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watched = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            PR_SET_PDEATHSIG = 1
            watched = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM) == 0
        except (OSError, AttributeError):
            watched = False
    if not watched:
        import threading

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1.0)
            os._exit(1)

        threading.Thread(target=watch, name="kg-parent-watch", daemon=True).start()
    if os.getppid() != parent:  # the build died before the worker could ask to follow it
        os._exit(1)


class Forked(Generic[R]):
    """``fn(*args)`` in a forked child; :meth:`result` waits for it and returns its value (or
    raises its exception). Where no child can be forked, ``fn`` runs at once, in this process.

    The value and any exception travel back pickled through a pipe; the child sees the parent's
    memory as it was at the fork, so ``fn`` must only read what it is given. :meth:`cancel`
    (or garbage collection of an unfinished job) kills the child.
    """

    def __init__(self, fn: Callable[..., R], *args: Any) -> None:
        self._pid: int | None = None
        self._value: tuple[bool, Any] | None = None
        if not can_fork():
            self._value = self._call(fn, args)
            return
        read, write = os.pipe()
        parent = os.getpid()
        # the child's collector leaves the parent's objects (and their pages) alone: they stay
        # frozen there; here they are handed back unless something (kg.heap.LongLived) had frozen
        # objects before, which then keeps these frozen too, to hand them all back itself
        frozen_before = gc.get_freeze_count() > 0
        gc.freeze()
        try:
            pid = os.fork()
        except BaseException:
            if not frozen_before:
                gc.unfreeze()
            raise
        if pid != 0 and not frozen_before:
            gc.unfreeze()
        if pid == 0:  # the child
            os.close(read)
            status = 0
            try:
                die_with_parent(parent)
                in_child()
                ok, value = self._call(fn, args)
                status = 0 if ok else _FAILED
                try:
                    data = pickle.dumps((ok, value))
                except Exception as exc:  # an exception or value that does not pickle: say what it was
                    data = pickle.dumps((False, KGError(f"{value!r} (and it could not be sent back: {exc})")))
                with os.fdopen(write, "wb") as out:
                    out.write(data)
            except BaseException:  # noqa: BLE001 - nothing may escape a forked child
                status = _FAILED + 1
            finally:
                os._exit(status)
        os.close(write)
        self._pid, self._read = pid, read

    @staticmethod
    def _call(fn: Callable[..., R], args: tuple[Any, ...]) -> tuple[bool, Any]:
        try:
            return True, fn(*args)
        except Exception as exc:  # travels back to result()
            return False, exc

    def result(self) -> R:
        """The function's value, once the child has ended (its exception is raised here)."""
        if self._value is None:
            self._value = self._collect()
        ok, value = self._value
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def _collect(self) -> tuple[bool, Any]:
        assert self._pid is not None
        chunks = []
        with os.fdopen(self._read, "rb") as inp:
            while chunk := inp.read(1 << 20):
                chunks.append(chunk)
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        if not chunks:
            code = os.waitstatus_to_exitcode(status)
            raise KGError(f"a process forked by the build ended without an answer (exit status {code})")
        found: tuple[bool, Any] = pickle.loads(b"".join(chunks))
        return found

    def cancel(self) -> None:
        """Kill the child if it is still running (an error or Ctrl-C in the build)."""
        if self._pid is None:
            return
        try:
            os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        try:
            os.close(self._read)
        except OSError:
            pass
        self._pid = None

    def __del__(self) -> None:
        self.cancel()
