"""A build's long-lived objects kept out of the reach of Python's cyclic garbage collector, and its large blocks given back."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import platform
import sys
from collections.abc import Callable, Iterator
from types import TracebackType

__all__ = ["LARGE_BLOCK", "LongLived", "collected_by_hand", "in_child", "large_blocks_returned",
           "returning_large_blocks"]


class _State:
    #: a `LongLived` block turned the automatic collector off (children forked in it turn it on)
    off = False


class LongLived:
    """Within the ``with`` block the automatic collector is off, and :meth:`keep` collects what
    is garbage and moves every object left out of the cyclic collector's reach
    (:func:`gc.freeze`); leaving the block hands them back (:func:`gc.unfreeze`) and turns the
    collector on again (if it was on).

    A build makes millions of objects that live until it ends (the corpus, its mentions, the
    graph of entities). Each full collection walks all of them again, and a build that keeps
    allocating starts one every few hundred thousand new objects: a third of the time after
    extraction went to these walks on 1,200 articles. Freezing what a stage leaves behind at
    the stage's end is not enough: within the stage, the objects it makes are walked again at
    every collection the collector starts (on 4,585 articles 20 s in all, 7.6 s of them while
    the relations are found). So the collector runs only when told: one collection at the end
    of each stage (:meth:`keep`, where the build calls it) walks what the stage made once; a
    loop that makes cyclic garbage piece by piece collects after each piece
    (`collected_by_hand`). Objects kept are still freed when their last reference goes (most
    garbage is, at once); only cycles among them wait for the block's end. A child forked inside
    the block (:mod:`kg.forked`) does not walk, and so does not copy, the pages of the objects
    kept, and runs its own collector (`in_child`).

    When something else has frozen objects already (``gc.get_freeze_count()`` is not zero on
    entering), the block leaves them, and its own, frozen.

    Examples
    --------
    >>> import gc
    >>> before, on = gc.get_freeze_count(), gc.isenabled()
    >>> with LongLived() as heap:
    ...     corpus = [[n] for n in range(1000)]
    ...     heap.keep()
    ...     gc.get_freeze_count() >= 1000, gc.isenabled()
    (True, False)
    >>> gc.get_freeze_count() == before, gc.isenabled() == on
    (True, True)
    """

    def __init__(self) -> None:
        self._owner = False
        self._was_on = False

    def __enter__(self) -> LongLived:
        self._owner = gc.get_freeze_count() == 0
        self._was_on = gc.isenabled()
        gc.disable()
        _State.off = _State.off or self._was_on
        return self

    def keep(self) -> None:
        """Collect the garbage made so far, and keep every object left out of later collections
        (until the block ends)."""
        gc.collect()
        gc.freeze()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._owner:
            gc.unfreeze()
        if self._was_on:
            _State.off = False
            gc.enable()


def in_child() -> None:
    """In a process forked inside a `LongLived` block: the automatic collector on again (it
    walks only what the child makes, the parent's objects being frozen).

    Examples
    --------
    >>> import gc
    >>> with LongLived():
    ...     in_child()  # as a forked child would
    ...     gc.isenabled()
    True
    """
    if _State.off:
        gc.enable()


@contextlib.contextmanager
def collected_by_hand() -> Iterator[Callable[[], None]]:
    """Within the block, the cyclic collector runs only when the function the block is given is
    called: a full collection of every object not kept (:class:`LongLived`).

    For a loop that makes a large piece of work at a time (a part of the graph, checked and
    dropped): called after each piece, with what the loop keeps then kept (`LongLived.keep`),
    a collection walks and frees that piece once, where the automatic collector, started every
    few hundred allocations, would walk the piece and all that the loop keeps again and again.
    (Collecting only the youngest generation is not enough: a piece that a cache of an older
    object still holds until the next piece would move on, uncollected, and pile up.)

    Examples
    --------
    >>> import gc
    >>> with collected_by_hand() as collect:
    ...     for _ in range(3):
    ...         piece = [[] for _ in range(1000)]
    ...         piece.append(piece)  # a cycle: garbage only a collection finds
    ...         del piece
    ...         collect()
    ...     gc.isenabled()
    False
    >>> gc.isenabled()
    True
    """
    def collect() -> None:
        gc.collect()

    was = gc.isenabled()
    gc.disable()
    try:
        yield collect
    finally:
        if was:
            gc.enable()


#: A block of memory of at least this many bytes is mapped for itself and given back to the
#: system when it is freed (glibc's default threshold, held there: `large_blocks_returned`).
LARGE_BLOCK = 128 * 1024

#: glibc's ``mallopt`` parameters (``malloc.h``).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
#: The highest mmap threshold glibc's own adjustment reaches (``DEFAULT_MMAP_THRESHOLD_MAX``: 32 MiB
#: on 64-bit systems), where a process that freed large blocks ends up; its trim threshold then twice that.
_MMAP_THRESHOLD_MAX = 4 * 1024 * 1024 * ctypes.sizeof(ctypes.c_long)


def large_blocks_returned(returned: bool = True) -> bool:
    """Have the C library give every block of `LARGE_BLOCK` bytes or more back to the system
    as soon as it is freed (``returned``), or serve blocks of up to 32 MiB from its heap again
    (not ``returned``); whether it could (glibc only).

    glibc maps a large block for itself and unmaps it when it is freed, but each time such a
    block is freed it raises that threshold to the block's size (up to 32 MiB), so that later
    blocks of that size come from its heap, which a few live blocks keep from shrinking. A
    build's stages after extraction make large blocks (the analysis's arrays of a million
    links, pieces of Turtle), and once their stage is over they stayed in the process: fixing
    the threshold (``mallopt``, which also stops it from moving) keeps them given back.

    The cost is a mapping, and fresh pages, per large block: the models' inference makes and
    frees large arrays sentence after sentence, and with the threshold fixed extraction took
    1.7 times as long (150 news articles in one process: 7.8-9.0 s, 13.6-15.3 s fixed), so a
    build fixes it after extraction (`returning_large_blocks`) and puts glibc back where its
    own adjustment ends, the 32 MiB threshold, when done (a fixed threshold never moves again).

    Examples
    --------
    >>> isinstance(large_blocks_returned(), bool)
    True
    >>> isinstance(large_blocks_returned(False), bool)
    True
    """
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    mmap, trim = (LARGE_BLOCK, LARGE_BLOCK) if returned else (_MMAP_THRESHOLD_MAX, 2 * _MMAP_THRESHOLD_MAX)
    return bool(mallopt(_M_MMAP_THRESHOLD, mmap)) and bool(mallopt(_M_TRIM_THRESHOLD, trim))


@contextlib.contextmanager
def returning_large_blocks() -> Iterator[bool]:
    """Within the block large blocks go back to the system when freed (`large_blocks_returned`);
    after it, glibc serves them from its heap again. Gives whether it could.

    Examples
    --------
    >>> with returning_large_blocks() as fixed:
    ...     isinstance(fixed, bool)
    True
    """
    fixed = large_blocks_returned()
    try:
        yield fixed
    finally:
        if fixed:
            large_blocks_returned(False)
