"""Where runs execute: in this process, in local worker processes, or on a Dask cluster.

Every backend is a ``concurrent.futures.Executor``: a serial one (``workers=1``), a
process pool, or what ``distributed.Client.get_executor()`` gives for a Dask cluster
(``scheduler="local"`` starts a local cluster of real scheduler and worker processes on
loopback; any other string is a scheduler address). The tasks are plain functions of
picklable arguments, and each runs with numpy's BLAS pinned to one thread
(``pinned``): this model's matrices are small, and BLAS threads only cost time.

A task's result does not depend on where it ran: the seed decides everything.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from typing import Any

from threadpoolctl import threadpool_limits

#: the environment variables that pin BLAS and OpenMP pools to one thread in new processes
ONE_THREAD_ENV = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def pin_blas() -> None:
    """Pin numpy's BLAS (and any OpenMP pool) of this process to one thread."""
    threadpool_limits(limits=1)


def pinned(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn(*args, **kwargs)`` with BLAS limited to one thread (for any backend)."""
    with threadpool_limits(limits=1):
        return fn(*args, **kwargs)


class SerialExecutor(Executor):
    """Runs each task at once, in this process: the ``workers=1`` backend."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        """Run ``fn`` now and return a finished future holding its result or error."""
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # noqa: BLE001 - the future carries it to the caller
            future.set_exception(exc)
        return future


def default_workers() -> int:
    """Worker processes used when none are asked for: the machine's cores."""
    return max(1, os.cpu_count() or 1)


@contextmanager
def executor(workers: int | None = None, scheduler: str | None = None) -> Iterator[Executor]:
    """An executor for the chosen backend, shut down on exit.

    Args:
        workers: local worker processes (default: the cores); 1 runs in this process.
            With ``scheduler="local"``: the local Dask cluster's workers.
        scheduler: None for local processes; ``"local"`` for a local Dask cluster; else
            the address of a Dask scheduler (``tcp://host:8786``).

    Yields:
        A ``concurrent.futures.Executor``.
    """
    if scheduler is not None:
        with _dask_executor(workers, scheduler) as ex:
            yield ex
        return
    n = default_workers() if workers is None else int(workers)
    if n <= 1:
        with threadpool_limits(limits=1):
            yield SerialExecutor()
        return
    for key, value in ONE_THREAD_ENV.items():
        os.environ.setdefault(key, value)  # inherited by the spawned workers
    ctx = multiprocessing.get_context("spawn")
    ex = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=pin_blas)
    try:
        yield ex
    except BaseException:
        # cancelled or failed: do not wait for the tasks still running (they end on their own)
        ex.shutdown(wait=False, cancel_futures=True)
        raise
    ex.shutdown(wait=True)


@contextmanager
def _dask_executor(workers: int | None, scheduler: str) -> Iterator[Executor]:
    from distributed import Client, LocalCluster

    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=workers or 2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        cluster = None
        client = Client(scheduler)
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class Cancelled(Exception):
    """The caller asked to stop (its ``cancel`` event was set); no result is returned."""


def run_all(
    ex: Executor,
    fn: Callable[..., Any],
    tasks: Iterable[tuple[Any, ...]],
    progress: Callable[[int], None] | None = None,
    *,
    window: int | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[tuple[int, Any, BaseException | None]]:
    """Submit ``fn(*task)`` for every task, yield ``(index, result, error)`` as they finish.

    A task that raises is yielded with its error (result None); the others go on. Results
    come in the order they finish: callers that need a fixed order sort by ``index``.

    Args:
        ex: the executor.
        fn: a picklable function (module level).
        tasks: argument tuples (read lazily: at most ``window`` are submitted ahead).
        progress: called with 1 after each finished task (e.g. a progress bar's update).
        window: at most this many tasks submitted and not yet finished (default: all at
            once). Bounds the driver's memory, and what is left to cancel.
        cancel: when set, nothing more is submitted, the tasks not yet started are
            cancelled and ``Cancelled`` is raised (checked at least every 0.2 s).

    Raises:
        Cancelled: ``cancel`` was set.
    """
    todo = enumerate(tasks)
    pending: dict[Future, int] = {}
    limit = window if window is not None and window > 0 else None

    def stop() -> None:
        for future in pending:
            future.cancel()
        raise Cancelled("cancelled by the caller")

    def fill() -> None:
        while limit is None or len(pending) < limit:
            if cancel is not None and cancel.is_set():
                stop()
            item = next(todo, None)
            if item is None:
                return
            i, task = item
            pending[ex.submit(pinned, fn, *task)] = i

    fill()
    while pending:
        if cancel is not None and cancel.is_set():
            stop()
        done, _ = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
        for future in done:
            i = pending.pop(future)
            error = future.exception()
            if progress is not None:
                progress(1)
            yield i, (None if error is not None else future.result()), error
        fill()
