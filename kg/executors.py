"""Where extraction runs: executors registered by name (worker processes here, or a dask cluster)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TypeVar

from kg.errors import ExecutorError, KGError
from kg.forked import die_with_parent
from kg.heap import in_child
from kg.registry import Registry

__all__ = ["TaskExecutor", "ExecutorFactory", "executors", "start_executor", "ProcessExecutor", "DaskExecutor",
           "DEFAULT_EXECUTOR", "CONNECT_TIMEOUT", "WORKER_WAIT"]

R = TypeVar("R")

#: The executor of a build that names none: worker processes on this machine, for large builds only.
DEFAULT_EXECUTOR = "process"
#: Seconds to reach a dask scheduler before the build fails (:class:`~kg.errors.ExecutorError`).
CONNECT_TIMEOUT = 5.0
#: Seconds a dask scheduler may take to have a worker before the build fails.
WORKER_WAIT = 60.0


class TaskExecutor(Protocol):
    """Runs tasks somewhere: ``map`` gives their results in the order of the tasks."""

    #: how many tasks run at once (to size the tasks; the results never depend on it)
    workers: int

    def map(self, fn: Callable[..., R], items: Sequence[Any], *args: Any) -> Iterator[R]:
        """``fn(item, *args)`` for each item, in order; ``fn`` must be importable where it runs."""
        ...

    def close(self) -> None:
        """Release the workers after the last result."""
        ...

    def abort(self) -> None:
        """Stop now, without waiting for the tasks (Ctrl-C or an error)."""
        ...


#: ``factory(workers, components, scheduler)``: an executor that starts ``workers`` of its own
#: when it starts any, with the extractor ``components`` to load, or uses the cluster at ``scheduler``.
ExecutorFactory = Callable[[int, "Sequence[str] | None", "str | None"], TaskExecutor]

#: The executors (``kg.executors`` entry points), by name: ``kg build --executor NAME``.
executors: Registry[ExecutorFactory] = Registry("executor", "kg.executors")


def start_executor(name: str, workers: int, components: Sequence[str] | None = None,
                   scheduler: str | None = None) -> TaskExecutor:
    """The executor registered as ``name``, started; its user calls ``close()`` after the last
    result and ``abort()`` on an error or Ctrl-C.

    Examples
    --------
    >>> start_executor("nowhere", 1)
    Traceback (most recent call last):
    ...
    kg.errors.ComponentNotFound: no executor component named 'nowhere'; known: dask, process
    """
    return executors.get(name).component(workers, components, scheduler)


# --- worker processes on this machine ------------------------------------------------------------


def _one_thread() -> None:
    """Compute with one BLAS / OpenMP thread (the workers are the parallelism; threads of their
    own would only wait for each other on a busy machine)."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover - a dependency of kg
        pass


def _start_worker(parent: int, components: Sequence[str] | None = None) -> None:
    """Initializer of an extraction worker: it follows its build (:func:`kg.forked.die_with_parent`),
    computes with one thread (:func:`_one_thread`) and loads the components once, before its
    first task (the workers load theirs at the same time; the build itself never holds the
    models, so the stages after extraction have that memory)."""
    die_with_parent(parent)
    in_child()
    _one_thread()
    _warm(components)


def _warm(components: Sequence[str] | None) -> None:
    """Load the components (models, segmenter, gazetteer) in this process."""
    from kg.extract import extract_many

    extract_many(["海河市总工会主席林晓峰在北京说，职工技能大赛开幕。"], components, nested=True)


def _pool(workers: int, components: Sequence[str] | None) -> Any:
    """A process pool of ``workers`` that follow their build, each with the components loaded
    (forked on Linux: a worker starts in milliseconds)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    ctx = mp.get_context("fork") if sys.platform.startswith("linux") else None
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_start_worker,
                               initargs=(os.getpid(), components))


#: Seconds a stopped pool's manager thread is given to end (it ends once its workers have).
MANAGER_WAIT = 5.0


def _stop(pool: Any) -> None:
    """Stop a pool's workers now, not after their tasks (Ctrl-C or an error)."""
    procs = list((getattr(pool, "_processes", None) or {}).values())  # where the pool keeps them
    # the pool's manager thread closes its wake-up pipe as it ends: wait for it, or the
    # interpreter's exit may write to that pipe while it closes (CPython 3.11's
    # concurrent.futures: "OSError: Bad file descriptor" and a traceback after Ctrl-C). Taken
    # before the shutdown, which forgets it.
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.terminate()
    if manager is not None and manager.is_alive():
        manager.join(timeout=MANAGER_WAIT)


@executors.register("process", "worker processes on this machine (forked; large builds only)")
class ProcessExecutor:
    """``workers`` processes forked from the build, which end with it, each with the models
    loaded once.

    Examples
    --------
    >>> ProcessExecutor(1, None, "tcp://127.0.0.1:8786")
    Traceback (most recent call last):
    ...
    kg.errors.ExecutorError: the process executor runs its workers on this machine: it takes no scheduler (the dask executor does)
    """

    def __init__(self, workers: int, components: Sequence[str] | None = None,
                 scheduler: str | None = None) -> None:
        if scheduler is not None:
            raise ExecutorError("the process executor runs its workers on this machine: it takes no "
                                "scheduler (the dask executor does)")
        self.workers = workers
        self._pool = _pool(workers, components)

    def map(self, fn: Callable[..., R], items: Sequence[Any], *args: Any) -> Iterator[R]:
        """``fn(item, *args)`` of each item in the workers, in order."""
        return iter(self._pool.map(fn, items, *([a] * len(items) for a in args)))

    def close(self) -> None:
        """Wait for the workers to end."""
        self._pool.shutdown()

    def abort(self) -> None:
        """Stop the workers now."""
        _stop(self._pool)


# --- a dask.distributed cluster ------------------------------------------------------------------

_checked: list[str] = []  # on a dask worker: the kg it runs, checked once per process


def _on_worker(item: Any, fn: Callable[..., R], expected: str, *args: Any) -> R:
    """A task on a dask worker: ``fn(item, *args)`` after checking, once per worker process, that
    the worker runs the build's kg (the same code, models and libraries: the same output) and
    computes with one thread. The models load on the first task and stay for the next ones."""
    if not _checked:
        from kg.cache import extraction_config

        _one_thread()
        _checked.append(extraction_config(()))
    if _checked[0] != expected:
        import socket

        raise ExecutorError(f"the dask worker on {socket.gethostname()} runs another kg than the build "
                            "(other code, models or library versions): install the build's kg there")
    return fn(item, *args)


def _reach(address: str) -> None:
    """Fail with :class:`~kg.errors.ExecutorError` unless a dask scheduler answers at
    ``address`` within :data:`CONNECT_TIMEOUT` seconds (before a client is made: a client that
    cannot connect takes seconds more to give up)."""
    import asyncio

    from distributed.comm import connect

    async def probe() -> None:
        comm = await connect(address, timeout=CONNECT_TIMEOUT)
        await comm.close()

    try:
        asyncio.run(probe())
    except Exception as e:  # noqa: BLE001 - a bad address, refused, timed out, not a scheduler
        raise ExecutorError(f"cannot reach a dask scheduler at {address!r} "
                            f"({type(e).__name__}: {e})") from None


@executors.register("dask", "a dask.distributed cluster (--scheduler ADDRESS, or one started here)")
class DaskExecutor:
    """The workers of the dask.distributed scheduler at ``scheduler``, or, without one, of a
    ``LocalCluster`` of ``workers`` processes (one thread each) started for the build and closed
    at its end. Every worker needs this version of kg installed (checked on its first task)."""

    def __init__(self, workers: int, components: Sequence[str] | None = None,
                 scheduler: str | None = None) -> None:
        try:
            import logging

            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError("the dask executor needs dask.distributed: pip install 'kg[dask]'") from None
        from kg.cache import extraction_config

        self._expected = extraction_config(())
        self._futures: list[Any] = []
        self._cluster: Any = None
        if scheduler is None:
            # the HTTP server on a free port: no clash with another cluster on 8787
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR)
            address = self._cluster.scheduler_address
        else:
            address = scheduler
            _reach(address)
        self.address = address
        try:
            self._client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
            self._client.wait_for_workers(1, timeout=WORKER_WAIT)
        except Exception as e:  # noqa: BLE001 - gone since the probe, or no worker
            self._close_cluster()
            raise ExecutorError(f"the dask scheduler at {address!r} cannot run the extraction "
                                f"({type(e).__name__}: {e})") from None
        self.workers = max(1, sum(self._client.nthreads().values()))

    def map(self, fn: Callable[..., R], items: Sequence[Any], *args: Any) -> Iterator[R]:
        """``fn(item, *args)`` of each item on the cluster's workers, in order."""
        n = len(items)
        self._futures = self._client.map(_on_worker, items, [fn] * n, [self._expected] * n,
                                         *([a] * n for a in args), pure=False)
        for future in self._futures:
            try:
                yield future.result()
            except KGError:
                raise
            except Exception as e:
                raise ExecutorError(f"a task failed on the dask cluster at {self.address!r} "
                                    f"({type(e).__name__}: {e})") from e

    def close(self) -> None:
        """Close the client (and the cluster this build started)."""
        self._client.close()
        self._close_cluster()

    def abort(self) -> None:
        """Cancel the tasks not done, then close."""
        try:
            if self._futures:
                self._client.cancel(self._futures)
        finally:
            self.close()

    def _close_cluster(self) -> None:
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None
