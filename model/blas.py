"""BLAS where the model runs: one thread, and the same kernels on every x86-64 machine.

numpy's BLAS starts a thread per core; on this model's small matrices the threads only
cost time (a default run took 3.7x the CPU with two threads) and one thread gives the same
results bit for bit. ``pin_blas_threads`` limits every BLAS / OpenMP pool of the process to
one thread; ``RegionModel`` calls it when it is built, the CLI and the experiment workers
call it at start, so the model never runs with more. Set ``MESOSCAPE_BLAS_THREADS`` to
another number to override it.

OpenBLAS picks its kernels for the CPU it finds, and kernels for different CPUs round a
matrix product differently in the last bit (measured: the same run on an AVX-512 machine,
which OpenBLAS serves with its ``SkylakeX`` kernels, differs from one served with
``Haswell`` kernels by 1e-16 relative from the second quarter on). ``pin_blas_kernel``
asks for the ``Haswell`` kernels (AVX2 + FMA, present on every x86-64 CPU since 2013) so
that a seed gives the same output to the last bit on any such machine. It only works
before numpy is first imported, so the packages call it on import (``model``,
``scenarios``, ``experiments``, the tests' ``conftest``); an ``OPENBLAS_CORETYPE`` already
set is kept, and elsewhere (other CPUs, numpy imported first) results may differ in the
last bits. ``blas_kernel()`` says which kernels are in use; every saved run records it.

This module imports nothing heavy: it runs before numpy.
"""

from __future__ import annotations

import os
import platform
import sys

#: the OpenBLAS kernel family asked for on x86-64 CPUs that can run it
KERNEL = "Haswell"
_X86 = ("x86_64", "amd64")
_NEEDS = ("avx2", "fma")

_pinned = False


def _cpu_flags() -> set[str]:
    """The CPU's feature flags (Linux), or an empty set where they cannot be read."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def pin_blas_kernel() -> bool:
    """Ask OpenBLAS for the Haswell kernels, if numpy is not loaded yet and the CPU has them.

    Returns:
        True if the kernels are (or will be) the pinned ones in this process.
    """
    if "OPENBLAS_CORETYPE" in os.environ:
        return os.environ["OPENBLAS_CORETYPE"].lower() == KERNEL.lower()
    if "numpy" in sys.modules or platform.machine().lower() not in _X86:
        return False
    if not all(flag in _cpu_flags() for flag in _NEEDS):
        return False
    os.environ["OPENBLAS_CORETYPE"] = KERNEL  # inherited by worker processes too
    return True


def blas_kernel() -> str:
    """The kernels numpy's BLAS uses in this process (e.g. ``Haswell``), or ``unknown``."""
    from threadpoolctl import threadpool_info

    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            return str(pool.get("architecture") or "unknown")
    return "unknown"


def pin_blas_threads() -> None:
    """Limit BLAS to one thread in this process (once; later calls do nothing)."""
    global _pinned
    if _pinned:
        return
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=int(os.environ.get("MESOSCAPE_BLAS_THREADS", "1")))
    _pinned = True
