"""Named random streams and stable identities for common random numbers (DESIGN §2.10).

Every source of chance draws from its own generator, derived from the run's seed, the
stream's name and the quarter. Two scenarios run with the same seed therefore share their
draws wherever their mechanisms coincide, whatever the other mechanisms did before.

Agents that draw get a stable identity from their lineage (``lineage_id``): a firm's
``uid`` is a 64-bit hash of its parent's uid, its birth quarter and a slot, so the same firm
born in two scenarios has the same uid in both. ``Streams.uniform`` gives draws keyed by
(seed, stream, quarter, uid) through the counter-based Philox4x32-10 generator (Salmon et
al. 2011, the generator of Random123): a uid's draws depend on nothing else, so they
survive any divergence of the two runs. The generator runs as one compiled loop over the
agents (numba), integer arithmetic only; tests check it against the Random123 known
answers and against a plain numpy implementation.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy.special import ndtri

STREAMS = (
    "setup",
    "demand",
    "innovation",
    "imitation",
    "firms",
    "labour",  # reserved: the labour pool draws nothing at present
    "entrepreneurs",
    "institutions",
    "policy",
    "events",
    "spinoffs",
    "placement",
    "grid",
    "experiments",
)  # append new streams at the end: a stream's position is part of its seed

#: the key of lineage hashes: identities do not depend on the seed
_LINEAGE_KEY = (0x6D65736F, 0x73636170)


@njit(cache=True, nogil=True)
def philox4x32(c0, c1, c2, c3, k0, k1, rounds):  # pragma: no cover - compiled
    """The Philox4x32 bijection of one counter; returns its four output words.

    Counter words ``c0``-``c3`` and key words ``k0``, ``k1`` are 32-bit values held as
    ``np.uint64``; ``rounds`` is 10 for Philox4x32-10.
    """
    # every operand uint64: numba turns uint64 mixed with a signed int into float64
    m0, m1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
    w0, w1 = np.uint64(0x9E3779B9), np.uint64(0xBB67AE85)
    low, s32 = np.uint64(0xFFFFFFFF), np.uint64(32)
    for _ in range(rounds):
        p0 = c0 * m0
        p1 = c2 * m1
        c0 = (p1 >> s32) ^ c1 ^ k0
        c2 = (p0 >> s32) ^ c3 ^ k1
        c1 = p1 & low
        c3 = p0 & low
        k0 = (k0 + w0) & low
        k1 = (k1 + w1) & low
    return c0, c1, c2, c3


@njit(cache=True, nogil=True)
def _uniform_kernel(ids, quarter, sid, k0, k1, k):  # pragma: no cover - compiled
    n, blocks = ids.shape[0], (k + 1) // 2
    low, s32 = np.uint64(0xFFFFFFFF), np.uint64(32)
    s5, s6, scale = np.uint64(5), np.uint64(6), np.uint64(1 << 26)
    out = np.empty((n, k))
    for i in range(n):
        lo, hi = ids[i] & low, ids[i] >> s32
        for b in range(blocks):
            tag = (sid << np.uint64(16)) | np.uint64(b)
            w0, w1, w2, w3 = philox4x32(lo, hi, quarter, tag, k0, k1, 10)
            # 53 random bits per double: 27 from one word, 26 from the next
            out[i, 2 * b] = float((w0 >> s5) * scale + (w1 >> s6)) / 9007199254740992.0
            if 2 * b + 1 < k:
                out[i, 2 * b + 1] = float((w2 >> s5) * scale + (w3 >> s6)) / 9007199254740992.0
    return out


def lineage_id(parent: np.ndarray | int, quarter: np.ndarray | int, slot: np.ndarray | int):
    """The stable 64-bit identity of agents born of ``parent`` in ``quarter`` at ``slot``.

    Args:
        parent: the parent's identity (0 for the region's initial firms).
        quarter: birth quarter.
        slot: which of the parent's offspring of that quarter (initial firms: their index).

    Returns:
        uint64 array (never 0, which stands for "no parent").
    """
    parent = np.asarray(parent, dtype=np.uint64)
    quarter, slot = np.broadcast_arrays(np.asarray(quarter), np.asarray(slot))
    parent = np.broadcast_to(parent, quarter.shape)
    q = quarter.astype(np.int64).astype(np.uint64).ravel()
    s = slot.astype(np.int64).astype(np.uint64).ravel()
    k0, k1 = (np.uint64(w) for w in _LINEAGE_KEY)
    return _lineage_kernel(np.ascontiguousarray(parent).ravel(), q, s, k0, k1).reshape(
        quarter.shape
    )


@njit(cache=True, nogil=True)
def _lineage_kernel(parent, quarter, slot, k0, k1):  # pragma: no cover - compiled
    low, s32 = np.uint64(0xFFFFFFFF), np.uint64(32)
    out = np.empty(parent.shape[0], dtype=np.uint64)
    for i in range(parent.shape[0]):
        w0, w1, _, _ = philox4x32(
            parent[i] & low, parent[i] >> s32, quarter[i] & low, slot[i] & low, k0, k1, 10
        )
        uid = (w0 << s32) | w1
        out[i] = uid if uid != 0 else np.uint64(1)
    return out


def normal_from_uniform(u: np.ndarray) -> np.ndarray:
    """Standard normal deviates from uniforms in [0, 1) (inverse of the normal CDF)."""
    return ndtri(np.clip(u, 2.0**-53, 1.0 - 2.0**-53))


class Streams:
    """Generators keyed by (seed, stream, quarter), and draws keyed by agent identity."""

    def __init__(self, seed: int) -> None:
        """Create the stream family of one run.

        Args:
            seed: the run's seed (a non-negative integer).
        """
        self.seed = int(seed)
        words = np.random.SeedSequence(self.seed).generate_state(2, dtype=np.uint32)
        self.key = (int(words[0]), int(words[1]))

    def get(self, name: str, step: int, *key: int) -> np.random.Generator:
        """Return the generator of stream ``name`` at ``step`` (and an optional key).

        The same (seed, name, step, key) always gives the same generator state.
        """
        sid = STREAMS.index(name)
        ss = np.random.SeedSequence(self.seed, spawn_key=(sid, int(step), *map(int, key)))
        return np.random.Generator(np.random.PCG64(ss))

    def uniform(self, name: str, quarter: int, ids: np.ndarray, k: int = 1) -> np.ndarray:
        """Uniform draws in [0, 1) keyed by agent identity.

        Args:
            name: stream name.
            quarter: the quarter.
            ids: uint64 identities of the agents drawing (``lineage_id``), any order.
            k: draws per agent.

        Returns:
            Array ``(len(ids), k)``; row i depends only on (seed, name, quarter, ids[i]).
        """
        ids = np.asarray(ids, dtype=np.uint64)
        if len(ids) == 0:
            return np.zeros((0, k))
        sid = np.uint64(STREAMS.index(name))
        q = np.uint64(int(quarter) & 0xFFFFFFFF)
        k0, k1 = (np.uint64(w) for w in self.key)
        return _uniform_kernel(np.ascontiguousarray(ids), q, sid, k0, k1, int(k))

    def normal(self, name: str, quarter: int, ids: np.ndarray, k: int = 1) -> np.ndarray:
        """Standard normal draws keyed by agent identity (the inverse normal of ``uniform``)."""
        return normal_from_uniform(self.uniform(name, quarter, ids, k))
