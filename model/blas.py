"""One BLAS thread where the model runs.

numpy's BLAS starts a thread per core; on this model's small matrices the threads only
cost time (a default run took 3.7x the CPU with two threads) and one thread gives the same
results bit for bit. ``pin_blas_threads`` limits every BLAS / OpenMP pool of the process to
one thread; ``RegionModel`` calls it when it is built, the CLI and the experiment workers
call it at start, so the model never runs with more. Set ``MESOSCAPE_BLAS_THREADS`` to
another number to override it.
"""

from __future__ import annotations

import os

_pinned = False


def pin_blas_threads() -> None:
    """Limit BLAS to one thread in this process (once; later calls do nothing)."""
    global _pinned
    if _pinned:
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=int(os.environ.get("MESOSCAPE_BLAS_THREADS", "1")))
    _pinned = True
