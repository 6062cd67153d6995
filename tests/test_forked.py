"""kg.forked: a function in a forked child, its value or exception read back, the child killed on cancel."""

from __future__ import annotations

import os
import time

import pytest
from test_pipeline import _alive

import kg.forked
from kg.errors import KGError
from kg.forked import Forked, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="no fork on this platform (the inline path is tested below)")


def _pid_and(x: int) -> tuple[int, int]:
    return os.getpid(), x * 2


def _fail(message: str) -> None:
    raise ValueError(message)


def _unpicklable() -> object:
    return lambda: None


def _sleep() -> None:
    time.sleep(60)


def test_the_function_runs_in_another_process_and_its_value_comes_back() -> None:
    pid, value = Forked(_pid_and, 21).result()
    assert value == 42 and pid != os.getpid()


def test_the_child_sees_memory_as_it_was_at_the_fork() -> None:
    data = [1, 2, 3]
    job = Forked(sum, data)
    data.append(100)  # after the fork: the child does not see it
    assert job.result() == 6


def _frozen() -> int:
    import gc

    return gc.get_freeze_count()


def test_the_parents_objects_stay_frozen_in_the_child_and_are_handed_back_here() -> None:
    import gc

    from kg.heap import LongLived

    assert gc.get_freeze_count() == 0
    assert Forked(_frozen).result() > 0  # the child's collector leaves the parent's objects alone
    assert gc.get_freeze_count() == 0  # here nothing stays frozen
    with LongLived() as heap:
        heap.keep()
        kept = gc.get_freeze_count()
        assert Forked(_frozen).result() > 0
        assert gc.get_freeze_count() >= kept  # a fork does not undo what the build keeps
    assert gc.get_freeze_count() == 0


def test_an_exception_in_the_child_is_raised_by_result() -> None:
    job = Forked(_fail, "坏了")
    with pytest.raises(ValueError, match="坏了"):
        job.result()


def test_a_value_that_cannot_travel_back_is_a_clear_error() -> None:
    with pytest.raises(KGError, match="could not be sent back"):
        Forked(_unpicklable).result()


def test_a_large_value_comes_back_whole() -> None:
    big = ["违规" * 50] * 20_000  # ~4 MB pickled: more than a pipe holds
    assert Forked(list, big).result() == big


def test_cancel_kills_the_child() -> None:
    job = Forked(_sleep)
    pid = job._pid
    assert pid is not None
    t = time.monotonic()
    job.cancel()
    assert time.monotonic() - t < 5
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_without_fork_the_function_runs_here(monkeypatch) -> None:
    monkeypatch.setattr(kg.forked, "can_fork", lambda: False)
    pid, value = Forked(_pid_and, 1).result()
    assert (pid, value) == (os.getpid(), 2)
    with pytest.raises(ValueError):
        Forked(_fail, "x").result()


FORKED_SCRIPT = """
import os, time
from kg.forked import Forked

def wait():
    time.sleep(600)

job = Forked(wait)
print(job._pid, flush=True)
time.sleep(600)
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/stat"), reason="reads /proc (Linux)")
def test_the_child_dies_with_a_killed_build() -> None:
    import signal
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", FORKED_SCRIPT], stdout=subprocess.PIPE, text=True)
    try:
        child = int(proc.stdout.readline())  # type: ignore[union-attr]
        assert _alive(child)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    deadline = time.monotonic() + 20
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)
