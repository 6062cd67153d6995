"""A build's long-lived objects kept out of the reach of Python's cyclic garbage collector."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from types import TracebackType

__all__ = ["LongLived", "collected_by_hand"]


class LongLived:
    """Within the ``with`` block, :meth:`keep` moves every object made so far out of the cyclic
    collector's reach (:func:`gc.freeze`); leaving the block hands them back (:func:`gc.unfreeze`).

    A build makes millions of objects that live until it ends (the corpus, its mentions, the
    graph of entities). Each full collection walks all of them again, and a build that keeps
    allocating starts one every few hundred thousand new objects: a third of the time after
    extraction went to these walks on 1,200 articles. What a stage leaves behind is kept once,
    at the stage's end, so later collections walk only what later stages make. Objects kept are
    still freed when their last reference goes; only cycles among them wait for the block's end.
    A child forked inside the block (:mod:`kg.forked`) does not walk, and so does not copy, the
    pages of the objects kept.

    When something else has frozen objects already (``gc.get_freeze_count()`` is not zero on
    entering), the block leaves them, and its own, frozen.

    Examples
    --------
    >>> import gc
    >>> before = gc.get_freeze_count()
    >>> with LongLived() as heap:
    ...     corpus = [[n] for n in range(1000)]
    ...     heap.keep()
    ...     gc.get_freeze_count() >= 1000
    True
    >>> gc.get_freeze_count() == before
    True
    """

    def __init__(self) -> None:
        self._owner = False

    def __enter__(self) -> LongLived:
        self._owner = gc.get_freeze_count() == 0
        return self

    def keep(self) -> None:
        """Keep every object made so far out of later collections (until the block ends)."""
        gc.freeze()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._owner:
            gc.unfreeze()


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
