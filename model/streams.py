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
agents (numba); integer arithmetic only, so it gives the same bits as the plain numpy
reference ``philox4x32_numpy`` (a test checks both against the Random123 known answers).
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

_M0 = np.uint64(0xD2511F53)
_M1 = np.uint64(0xCD9E8D57)
_W0 = 0x9E3779B9
_W1 = 0xBB67AE85
_LOW = np.uint64(0xFFFFFFFF)
_32 = np.uint64(32)
#: the key of lineage hashes: identities do not depend on the seed
_LINEAGE_KEY = (0x6D65736F, 0x73636170)


def philox4x32_numpy(counter: tuple[np.ndarray, ...], key: tuple[int, int], rounds: int = 10):
    """The Philox4x32 bijection in plain numpy: the reference the compiled kernel must match.

    Args:
        counter: four arrays of 32-bit words (held in uint64), one element per counter.
        key: two 32-bit words.
        rounds: 10 for Philox4x32-10.

    Returns:
        Four uint64 arrays of 32-bit output words.
    """
    c0, c1, c2, c3 = (np.array(c, dtype=np.uint64) for c in counter)
    p0, p1 = np.empty_like(c0), np.empty_like(c0)
    k0, k1 = int(key[0]) & 0xFFFFFFFF, int(key[1]) & 0xFFFFFFFF
    for _ in range(rounds):
        np.multiply(c0, _M0, out=p0)
        np.multiply(c2, _M1, out=p1)
        np.right_shift(p1, _32, out=c0)  # c0 <- hi(p1) ^ c1 ^ k0
        c0 ^= c1
        c0 ^= np.uint64(k0)
        np.right_shift(p0, _32, out=c2)  # c2 <- hi(p0) ^ c3 ^ k1
        c2 ^= c3
        c2 ^= np.uint64(k1)
        np.bitwise_and(p1, _LOW, out=c1)  # c1 <- lo(p1)
        np.bitwise_and(p0, _LOW, out=c3)  # c3 <- lo(p0)
        k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
    return c0, c1, c2, c3


@njit(cache=True, nogil=True)
def _philox_one(c0, c1, c2, c3, k0, k1, rounds):  # pragma: no cover - compiled
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
def _philox_arrays(c0, c1, c2, c3, k0, k1, rounds):  # pragma: no cover - compiled
    n = c0.shape[0]
    out = np.empty((4, n), dtype=np.uint64)
    for i in range(n):
        out[0, i], out[1, i], out[2, i], out[3, i] = _philox_one(
            c0[i], c1[i], c2[i], c3[i], k0, k1, rounds
        )
    return out


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
            w0, w1, w2, w3 = _philox_one(lo, hi, quarter, tag, k0, k1, 10)
            # 53 random bits per double: 27 from one word, 26 from the next
            out[i, 2 * b] = float((w0 >> s5) * scale + (w1 >> s6)) / 9007199254740992.0
            if 2 * b + 1 < k:
                out[i, 2 * b + 1] = float((w2 >> s5) * scale + (w3 >> s6)) / 9007199254740992.0
    return out


def philox4x32(counter: tuple[np.ndarray, ...], key: tuple[int, int], rounds: int = 10):
    """The Philox4x32 bijection, for many counters at once, as one compiled loop.

    Takes and returns what ``philox4x32_numpy`` does (counters of any broadcastable
    shapes), with the same bits.
    """
    c = np.broadcast_arrays(*(np.asarray(w, dtype=np.uint64) for w in counter))
    shape = c[0].shape
    flat = [np.ascontiguousarray(w).ravel() for w in c]
    k0, k1 = np.uint64(int(key[0]) & 0xFFFFFFFF), np.uint64(int(key[1]) & 0xFFFFFFFF)
    out = _philox_arrays(*flat, k0, k1, int(rounds))
    return tuple(out[j].reshape(shape) for j in range(4))


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
        w0, w1, _, _ = _philox_one(
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
