"""Industries as arrays: requirements, relatedness, complexity, lifecycles, value chains."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from model.metrics import proximity_from_requirements
from scenarios.schema import Catalogue


@dataclass
class IndustrySpace:
    """The catalogue turned into numpy arrays (K industries, C capabilities)."""

    keys: list[str]
    names: list[str]
    capabilities: list[str]
    requires: np.ndarray  # K x C, 0/1
    relatedness: np.ndarray  # K x K, cosine similarity of requirements, diagonal 1
    complexity: np.ndarray  # K, number of required capabilities
    sector: np.ndarray  # K, integer sector id
    national_share: np.ndarray  # K
    productivity: np.ndarray  # K, frontier value added per worker at step 0
    io: np.ndarray  # K x K, io[b, s] = input share of buyer b bought from supplier s
    local_services: int  # index of the local services industry
    birth: np.ndarray  # K, quarter born (mutable: emerging_industry events move it)
    growth: np.ndarray
    peak: np.ndarray
    decline_onset: np.ndarray
    decline_rate: np.ndarray
    wage_level: np.ndarray | None = None  # K, relative wage; set at set-up from the region
    emerging_start: float = 0.05  # demand of a newborn industry, share of its peak
    unborn_growth: float = 1.0  # expected growth of an industry due within the horizon
    _demand_memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def from_catalogue(
        cls, cat: Catalogue, emerging_start: float = 0.05, unborn_growth: float = 1.0
    ) -> IndustrySpace:
        """Build the arrays of a validated catalogue.

        Args:
            cat: the catalogue.
            emerging_start: ``market.emerging_start``.
            unborn_growth: ``market.unborn_growth``.
        """
        keys = [i.key for i in cat.industries]
        caps = list(cat.capabilities)
        req = np.zeros((len(keys), len(caps)))
        for k, ind in enumerate(cat.industries):
            for c in ind.requires:
                req[k, caps.index(c)] = 1.0
        sectors = sorted({i.sector for i in cat.industries})
        io = np.zeros((len(keys), len(keys)))
        for link in cat.inputs:
            io[keys.index(link.buyer), keys.index(link.supplier)] += link.coefficient
        life = [i.lifecycle for i in cat.industries]
        return cls(
            keys=keys,
            names=[i.name for i in cat.industries],
            capabilities=caps,
            requires=req,
            relatedness=proximity_from_requirements(req, "cosine"),
            complexity=req.sum(axis=1),
            sector=np.array([sectors.index(i.sector) for i in cat.industries]),
            national_share=np.array([i.national_share for i in cat.industries]),
            productivity=np.array([i.productivity for i in cat.industries]),
            io=io,
            local_services=next(k for k, i in enumerate(cat.industries) if i.local_services),
            birth=np.array([lc.birth for lc in life], dtype=float),
            growth=np.array([lc.growth for lc in life]),
            peak=np.array([lc.peak for lc in life]),
            decline_onset=np.array([lc.decline_onset for lc in life], dtype=float),
            decline_rate=np.array([lc.decline_rate for lc in life]),
            emerging_start=emerging_start,
            unborn_growth=unborn_growth,
        )

    @property
    def size(self) -> int:
        """Number of industries K."""
        return len(self.keys)

    def index(self, key: str) -> int:
        """Position of an industry key."""
        return self.keys.index(key)

    def lifecycle_demand(self, t: float) -> np.ndarray:
        """External demand index of every industry at quarter ``t`` (1 = initial level).

        Existing industries start at 1 and, if ``growth > 0``, grow logistically toward
        ``peak``. Emerging industries are 0 before birth, then start at ``emerging_start`` of
        their peak and grow logistically. After ``decline_onset`` demand shrinks by
        ``decline_rate`` per quarter. The result is read-only: it is remembered for the
        quarters asked about most recently, as long as the lifecycle arrays are unchanged.
        """
        key = (float(t), *(a.tobytes() for a in self._lifecycle_arrays()))
        cached = self._demand_memo.get(key)
        if cached is None:
            cached = self._lifecycle_demand(float(t))
            cached.flags.writeable = False
            if len(self._demand_memo) >= 16:
                self._demand_memo.pop(next(iter(self._demand_memo)))
            self._demand_memo[key] = cached
        return cached

    def _lifecycle_arrays(self) -> tuple[np.ndarray, ...]:
        return self.birth, self.growth, self.peak, self.decline_onset, self.decline_rate

    def _lifecycle_demand(self, t: float) -> np.ndarray:
        age = t - self.birth
        born = age >= 0
        emerging = self.birth > 0
        start = np.where(emerging, self.emerging_start * self.peak, np.minimum(1.0, self.peak))
        # logistic from `start` toward `peak` at rate `growth`
        ratio = np.where(start > 0, self.peak / np.maximum(start, 1e-12) - 1.0, 0.0)
        level = self.peak / (1.0 + ratio * np.exp(-self.growth * np.maximum(age, 0.0)))
        level = np.where(self.growth > 0, level, start)
        decline = np.where(
            t > self.decline_onset,
            (1.0 - self.decline_rate) ** np.maximum(t - self.decline_onset, 0.0),
            1.0,
        )
        return np.where(born, level * decline, 0.0)

    def demand_growth(self, t: float, horizon: int = 8) -> np.ndarray:
        """Expected relative growth of external demand over the next ``horizon`` quarters."""
        now = self.lifecycle_demand(t)
        later = self.lifecycle_demand(t + horizon)
        growth = later / np.maximum(now, 1e-12) - 1.0
        # an industry about to be born grows from nothing: count it as ``unborn_growth``
        growth = np.where(now > 0, growth, np.where(later > 0, self.unborn_growth, -1.0))
        return growth
