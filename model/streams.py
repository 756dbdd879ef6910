"""Named random streams and stable identities for common random numbers (DESIGN §2.10).

Every source of chance draws from its own generator, derived from the run's seed, the
stream's name and the quarter. Two scenarios run with the same seed therefore share their
draws wherever their mechanisms coincide, whatever the other mechanisms did before.

Agents that draw get a stable identity from their lineage (``lineage_id``): a firm's
``uid`` is a 64-bit hash of its parent's uid, its birth quarter and a slot, so the same firm
born in two scenarios has the same uid in both. ``Streams.uniform`` gives draws keyed by
(seed, stream, quarter, uid) through the counter-based Philox4x32-10 generator (Salmon et
al. 2011, the generator of Random123), evaluated for all agents at once with numpy: a
uid's draws depend on nothing else, so they survive any divergence of the two runs.
"""

from __future__ import annotations

import numpy as np
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


def philox4x32(counter: tuple[np.ndarray, ...], key: tuple[int, int], rounds: int = 10):
    """The Philox4x32 bijection, for many counters at once.

    Args:
        counter: four arrays of 32-bit words (held in uint64), one element per counter.
        key: two 32-bit words.
        rounds: 10 for Philox4x32-10.

    Returns:
        Four uint64 arrays of 32-bit output words.
    """
    # in place, without temporaries: this runs a dozen times a quarter on every firm
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
    counter = (
        parent & _LOW,
        parent >> _32,
        quarter.astype(np.int64).astype(np.uint64) & _LOW,
        slot.astype(np.int64).astype(np.uint64) & _LOW,
    )
    w0, w1, _, _ = philox4x32(counter, _LINEAGE_KEY)
    uid = (w0 << _32) | w1
    return np.where(uid == 0, np.uint64(1), uid)


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
        n, blocks = len(ids), (k + 1) // 2
        if n == 0:
            return np.zeros((0, k))
        sid = STREAMS.index(name)
        lo = np.repeat(ids & _LOW, blocks)
        hi = np.repeat(ids >> _32, blocks)
        q = np.full(n * blocks, int(quarter) & 0xFFFFFFFF, dtype=np.uint64)
        tag = (np.uint64(sid) << np.uint64(16)) | np.tile(np.arange(blocks, dtype=np.uint64), n)
        w = philox4x32((lo, hi, q, tag), self.key)
        # 53 random bits per double: 27 from one word, 26 from the next
        a = ((w[0] >> np.uint64(5)) * np.uint64(1 << 26) + (w[1] >> np.uint64(6))).astype(float)
        b = ((w[2] >> np.uint64(5)) * np.uint64(1 << 26) + (w[3] >> np.uint64(6))).astype(float)
        u = np.stack([a, b], axis=1).reshape(n, 2 * blocks) / float(1 << 53)
        return u[:, :k]

    def normal(self, name: str, quarter: int, ids: np.ndarray, k: int = 1) -> np.ndarray:
        """Standard normal draws keyed by agent identity (the inverse normal of ``uniform``)."""
        return normal_from_uniform(self.uniform(name, quarter, ids, k))
