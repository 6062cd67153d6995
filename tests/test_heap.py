"""kg.heap: long-lived objects kept out of the collector, collections by hand."""

from __future__ import annotations

import gc
import platform
import sys
import weakref

import pytest

from kg.forked import Forked, can_fork
from kg.heap import LongLived, collected_by_hand, in_child


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


def test_long_lived_collects_only_when_told_and_then_what_the_stage_left() -> None:
    assert gc.isenabled()
    with LongLived() as heap:
        assert not gc.isenabled()  # no collection walks the stage's objects again and again
        garbage = _Node()
        gone = weakref.ref(garbage)
        del garbage
        for _ in range(50_000):  # enough allocations to start many collections, were it on
            [].append([])
        assert gone() is not None
        heap.keep()  # the stage ends: its garbage is collected, the rest kept
        assert gone() is None
    assert gc.isenabled()


def test_long_lived_leaves_the_collector_off_when_it_was_off_and_on_after_an_error() -> None:
    gc.disable()
    try:
        with LongLived():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(KeyboardInterrupt), LongLived():
        raise KeyboardInterrupt
    assert gc.isenabled()


@pytest.mark.skipif(not can_fork(), reason="needs os.fork")
def test_a_child_forked_in_the_block_runs_its_own_collector() -> None:
    with LongLived() as heap:
        heap.keep()
        assert Forked(gc.isenabled).result() is True
        assert not gc.isenabled()  # the build's own collector stays off
    assert Forked(gc.isenabled).result() is True
    in_child()  # outside a block: changes nothing
    assert gc.isenabled()


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


_BLOCKS_KEPT_OR_NOT = """
import sys
from kg.heap import returning_large_blocks

def resident():
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1])

def freed():
    blocks, pins = [], []
    for _ in range(16):
        blocks.append(bytearray(1 << 20))
        pins.append(bytearray(4096))  # a small live block after each: the heap cannot shrink past it
    before = resident()
    del blocks
    return before - resident()

with returning_large_blocks() as fixed:
    assert fixed
    inside = freed()
print(inside, freed())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                    reason="glibc's mallopt only (Linux)")
def test_large_blocks_are_given_back_within_the_block_and_served_from_the_heap_after() -> None:
    import resource
    import subprocess

    page = resource.getpagesize()
    out = subprocess.run([sys.executable, "-c", _BLOCKS_KEPT_OR_NOT], capture_output=True, text=True,
                         check=True).stdout
    inside, after = (int(n) * page / 2**20 for n in out.split())
    assert inside > 14  # MiB of the 16 blocks of 1 MiB given back when freed
    assert after < 4  # after the block: kept in the heap for the next ones (what extraction needs)
