"""Compiled per-firm arithmetic (numba), bit for bit numpy's.

The firm population's capability arrays are firms x capabilities; in numpy every step of a
formula over them is a pass over the whole array and a temporary. These kernels make one
pass per formula, per firm and capability, with the same operations in the same order as
the numpy expressions they replace, so the results are identical to the last bit (no fast
math, no fused multiply-add). Sums follow numpy's own order (``numpy_sum``, numpy's
pairwise summation for rows of up to ``MAX_ROW``, more than the schema's capabilities).
``tests/model/test_kernels.py`` checks every kernel against its numpy expression. Numba
caches the compiled code next to this file.
"""

from __future__ import annotations

import numpy as np
from numba import njit

#: rows up to this length are summed here; numpy splits longer ones recursively
MAX_ROW = 128  # numpy's PW_BLOCKSIZE


@njit(cache=True, nogil=True)
def numpy_sum(a):  # pragma: no cover - compiled
    """Sum of a 1-d array of at most ``MAX_ROW``, in numpy's order.

    numpy's ``pairwise_sum``: eight interleaved partial sums, added as a tree, then the
    tail; a non-empty reduction starts from -0.0, an empty one is 0.0.
    """
    n = a.shape[0]
    if n == 0:
        return 0.0  # numpy's identity for an empty sum
    if n < 8:
        res = -0.0
        for i in range(n):
            res += a[i]
        return res
    r0, r1, r2, r3, r4, r5, r6, r7 = a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]
    i = 8
    while i < n - (n % 8):
        r0 += a[i]
        r1 += a[i + 1]
        r2 += a[i + 2]
        r3 += a[i + 3]
        r4 += a[i + 4]
        r5 += a[i + 5]
        r6 += a[i + 6]
        r7 += a[i + 7]
        i += 8
    res = -0.0 + (((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7)))
    while i < n:
        res += a[i]
        i += 1
    return res


@njit(cache=True, nogil=True)
def capability_fit(proficiency, requires, industry):  # pragma: no cover - compiled
    """Per firm: sum(proficiency x requires) / max(sum(requires), 1) over its industry's row."""
    n, c = proficiency.shape
    needed = np.empty(requires.shape[0])
    for k in range(requires.shape[0]):
        needed[k] = max(numpy_sum(requires[k]), 1.0)
    out = np.empty(n)
    prod = np.empty(c)
    for i in range(n):
        req = requires[industry[i]]
        for j in range(c):
            prod[j] = proficiency[i, j] * req[j]
        out[i] = numpy_sum(prod) / needed[industry[i]]
    return out


@njit(cache=True, nogil=True)
def learn(proficiency, requires, industry, by_doing, depreciation):  # pragma: no cover
    """Required capabilities move toward 1 by ``by_doing``; the others lose ``depreciation``."""
    n, c = proficiency.shape
    out = np.empty_like(proficiency)
    keep = 1.0 - depreciation
    for i in range(n):
        req = requires[industry[i]]
        for j in range(c):
            p = proficiency[i, j]
            out[i, j] = p + by_doing * (1.0 - p) if req[j] > 0 else p * keep
    return out


@njit(cache=True, nogil=True)
def blend_hires(proficiency, employment, got, quality, requires, industry):  # pragma: no cover
    """Proficiency after hiring: staff and hires (quality x requirement) weighted by number.

    Only the required capabilities change; ``employment`` is the staff before the hires.
    """
    n, c = proficiency.shape
    out = np.empty_like(proficiency)
    for i in range(n):
        req = requires[industry[i]]
        total = max(employment[i] + got[i], 1e-12)
        hired = got[i] * quality[i]
        for j in range(c):
            if req[j] > 0:
                out[i, j] = (employment[i] * proficiency[i, j] + hired * req[j]) / total
            else:
                out[i, j] = proficiency[i, j]
    return out


@njit(cache=True, nogil=True)
def weakest_required(proficiency, requires, industry, threshold):  # pragma: no cover
    """Per firm, its weakest required capability if below ``threshold``, else -1."""
    n, c = proficiency.shape
    out = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        req = requires[industry[i]]
        best, at = np.inf, 0
        for j in range(c):
            if req[j] > 0 and proficiency[i, j] < best:
                best, at = proficiency[i, j], j
        if best < threshold:
            out[i] = at
    return out


@njit(cache=True, nogil=True)
def held_capabilities(proficiency, employment, requires, industry):  # pragma: no cover
    """C, sum over firms of employment x proficiency x requirement, row after row."""
    n, c = proficiency.shape
    out = np.zeros(c)
    for i in range(n):
        req = requires[industry[i]]
        for j in range(c):
            out[j] += employment[i] * proficiency[i, j] * req[j]
    return out


@njit(cache=True, nogil=True)
def compact(arr, kept):  # pragma: no cover - compiled
    """In place: row i of ``arr`` becomes row ``kept[i]`` (``kept`` increasing, kept[i] >= i)."""
    for i in range(kept.shape[0]):
        if kept[i] != i:
            arr[i] = arr[kept[i]]
