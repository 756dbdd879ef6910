"""Named random streams for common random numbers (DESIGN §2.10).

Every source of chance draws from its own generator, derived from the run's seed, the
stream's name and the step. Two scenarios run with the same seed therefore share their
draws wherever their mechanisms coincide, whatever the other mechanisms did before.
Draws that concern individual firms are indexed by the firm's serial number, so a firm
that exists in both runs gets the same draw in both.
"""

from __future__ import annotations

import numpy as np

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
)  # append new streams at the end: a stream's position is part of its seed


class Streams:
    """Generators keyed by (seed, stream, step)."""

    def __init__(self, seed: int) -> None:
        """Create the stream family of one run.

        Args:
            seed: the run's seed (a non-negative integer).
        """
        self.seed = int(seed)

    def get(self, name: str, step: int, *key: int) -> np.random.Generator:
        """Return the generator of stream ``name`` at ``step`` (and an optional key).

        The same (seed, name, step, key) always gives the same generator state; a key such
        as an agent's serial number gives that agent draws of its own.
        """
        sid = STREAMS.index(name)
        ss = np.random.SeedSequence(self.seed, spawn_key=(sid, int(step), *map(int, key)))
        return np.random.Generator(np.random.PCG64(ss))

    def uniform_by_serial(
        self, name: str, step: int, serials: np.ndarray, k: int = 1
    ) -> np.ndarray:
        """Uniform draws in [0, 1) indexed by agent serial number.

        Args:
            name: stream name.
            step: model step.
            serials: integer serial numbers of the agents (any order).
            k: draws per agent.

        Returns:
            Array of shape ``(len(serials), k)``; the row of a serial depends only on
            (seed, name, step, serial), not on which other agents exist.
        """
        if len(serials) == 0:
            return np.zeros((0, k))
        gen = self.get(name, step)
        table = gen.random((int(serials.max()) + 1, k))
        return table[serials]
