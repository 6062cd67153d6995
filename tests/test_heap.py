"""kg.heap: long-lived objects kept out of the collector, collections by hand."""

from __future__ import annotations

import gc
import weakref

import pytest

from kg.heap import LongLived, collected_by_hand


class _Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the cyclic collector frees it


def test_long_lived_keeps_what_was_made_and_hands_it_back() -> None:
    assert gc.get_freeze_count() == 0
    with LongLived() as heap:
        kept = [_Node() for _ in range(100)]
        heap.keep()
        assert gc.get_freeze_count() >= 100
        alive = weakref.ref(kept[0])
        del kept
        gc.collect()
        assert alive() is not None  # a kept cycle waits for the block's end
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert alive() is None


def test_long_lived_leaves_a_freeze_it_did_not_make() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with LongLived() as heap:
            heap.keep()
        assert gc.get_freeze_count() >= before > 0
    finally:
        gc.unfreeze()


def test_collected_by_hand_frees_each_pieces_cycles_when_told() -> None:
    with collected_by_hand() as collect:
        assert not gc.isenabled()
        piece = _Node()
        gone = weakref.ref(piece)
        del piece
        collect()
        assert gone() is None
    assert gc.isenabled()


def test_collected_by_hand_frees_a_piece_an_older_cache_held_until_the_next() -> None:
    cache: dict[str, _Node] = {}  # made before the loop: an older object holding the latest piece
    gone = []
    with collected_by_hand() as collect:
        for _ in range(3):
            piece = _Node()
            gone.append(weakref.ref(piece))
            cache["latest"] = piece
            del piece
            collect()
    assert [ref() is None for ref in gone] == [True, True, False]


def test_collected_by_hand_restores_the_collector_after_an_error() -> None:
    with pytest.raises(KeyboardInterrupt), collected_by_hand():
        raise KeyboardInterrupt
    assert gc.isenabled()
    gc.disable()
    try:
        with collected_by_hand():
            pass
        assert not gc.isenabled()  # it was off before: it stays off
    finally:
        gc.enable()
