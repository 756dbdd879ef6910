"""The labour pool: unemployed workers by district and industry of last job (DESIGN §2.3).

Workers are not agents. The pool keeps, per district, the unemployed by the industry of
their last job (plus one column for new labour-force entrants) and the average skill each
group keeps. Employed workers are the firms' employment (plus active entrepreneurs), so
labour conservation is: firm employment + entrepreneurs + unemployed = labour force.
"""

from __future__ import annotations

import numpy as np

from scenarios.schema import LabourParams


class LabourPool:
    """Unemployed stocks, skills, labour force and the regional wage."""

    def __init__(
        self,
        params: LabourParams,
        labour_force: np.ndarray,
        n_industries: int,
        district_xy: np.ndarray | None = None,
    ) -> None:
        """Create an empty pool.

        Args:
            params: labour parameters.
            labour_force: workers per district (length D).
            n_industries: K; the pool has K + 1 columns, the last for new entrants.
            district_xy: D x 2 district centres (commuting falls with distance); None:
                all districts equally far apart.
        """
        self.params = params
        self.geo = commuting_matrix(params.commuting, params.commuting_distance, district_xy,
                                    len(labour_force))  # fmt: skip
        self.labour_force = labour_force.astype(float).copy()
        n_d = len(labour_force)
        self.unemployed = np.zeros((n_d, n_industries + 1))
        self.skill = np.ones((n_d, n_industries + 1))
        self.wage = params.wage
        self.entrants = 0.0
        self.leavers = 0.0

    @property
    def total_unemployed(self) -> float:
        """All unemployed workers."""
        return float(self.unemployed.sum())

    @property
    def unemployment_rate(self) -> float:
        """Unemployed over labour force."""
        return self.total_unemployed / max(float(self.labour_force.sum()), 1.0)

    def release(self, amounts: np.ndarray, skill: np.ndarray) -> None:
        """Workers who lose their job join the pool, keeping their skills.

        Args:
            amounts: D x K workers released.
            skill: D x K their average skill (0..1).
        """
        k = amounts.shape[1]
        old = self.unemployed[:, :k]
        total = old + amounts
        mixed = np.where(
            total > 0,
            (old * self.skill[:, :k] + amounts * skill) / np.maximum(total, 1e-12),
            self.skill[:, :k],
        )
        self.unemployed[:, :k] = total
        self.skill[:, :k] = mixed

    def hire(
        self, demand: np.ndarray, relatedness: np.ndarray, entrant_fit: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Match hiring demand to the pool.

        Firms hire mostly in their own district (``1 - commuting``), the rest from
        neighbouring districts (``commuting_matrix``), and prefer workers whose last
        industry is related to theirs; new entrants are hired by how well what
        they were taught fits the industry.

        Args:
            demand: D x K workers wanted.
            relatedness: K x K industry relatedness.
            entrant_fit: K, fit of new entrants' taught skills to each industry.

        Returns:
            (hires, quality): D x K workers hired and their average skill fit (0..1).
        """
        n_d, n_k = demand.shape
        rel = np.concatenate([relatedness, entrant_fit[:, None]], axis=1)  # K x (K+1)
        # anyone can be hired at a low fit (general skills): keeps the market from seizing up
        rel = np.maximum(rel, self.params.general_skill)
        geo = self.geo
        # attractiveness of pool (d', j) for a demand cell (d, k): D x K x D x (K+1)
        attract = geo[:, None, :, None] * rel[None, :, None, :] * self.skill[None, None, :, :]
        weights = attract * self.unemployed[None, None, :, :]
        wsum = weights.sum(axis=(2, 3))
        share = np.where(
            wsum[..., None, None] > 0, weights / np.maximum(wsum, 1e-12)[..., None, None], 0
        )
        take = share * demand[..., None, None]
        asked = take.sum(axis=(0, 1))
        scale = np.where(asked > self.unemployed, self.unemployed / np.maximum(asked, 1e-12), 1.0)
        take = take * scale[None, None, :, :]
        hires = take.sum(axis=(2, 3))
        fit = rel[None, :, None, :] * self.skill[None, None, :, :]
        quality = np.where(hires > 0, (take * fit).sum(axis=(2, 3)) / np.maximum(hires, 1e-12), 0)
        self.unemployed -= take.sum(axis=(0, 1))
        np.maximum(self.unemployed, 0.0, out=self.unemployed)
        return hires, quality

    def retrain(self, trained: np.ndarray, gain: np.ndarray) -> None:
        """Some unemployed are retrained: their group's skill rises (DESIGN §2.3, §2.5).

        A group with ``u`` unemployed of which ``t`` are retrained gains ``(t / u) * gain *
        (1 - skill)`` in mean skill; the workers stay in their group.

        Args:
            trained: D x (K+1) workers retrained (at most the group's unemployed).
            gain: K + 1, share of the skill gap a trainee closes, per group's last industry.
        """
        share = np.where(self.unemployed > 0, trained / np.maximum(self.unemployed, 1e-12), 0.0)
        self.skill += np.clip(share, 0.0, 1.0) * gain[None, :] * (1.0 - self.skill)

    def withdraw(self, district: int, column: int, amount: float = 1.0) -> float:
        """Take ``amount`` workers of one pool group (e.g. a nascent entrepreneur).

        Returns the skill of the group taken.
        """
        self.unemployed[district, column] -= amount
        return float(self.skill[district, column])

    def deposit(self, district: int, column: int, amount: float, skill: float) -> None:
        """Return ``amount`` workers with ``skill`` to one pool group."""
        old = self.unemployed[district, column]
        total = old + amount
        if total > 0:
            self.skill[district, column] = (
                old * self.skill[district, column] + amount * skill
            ) / total
        self.unemployed[district, column] = total

    def age(self) -> None:
        """One quarter of unemployment: skills decay, some leave, entrants arrive.

        Entrants replace the leavers and add labour-force growth; they join the last
        column (new entrants), whose skill is reset to 1 for the newly taught. A shrinking
        labour force (negative growth beyond the leavers) takes the extra leavers from the
        unemployed of every group in proportion, as far as there are any.
        """
        p = self.params
        self.skill[:, :-1] *= 1.0 - p.skill_decay
        leaving = (self.unemployed * p.turnover).sum(axis=1)
        self.unemployed *= 1.0 - p.turnover
        net = leaving + self.labour_force * p.labour_force_growth
        entrants = np.maximum(net, 0.0)
        pool = self.unemployed.sum(axis=1)
        extra = np.minimum(np.maximum(-net, 0.0), pool)
        self.unemployed *= (1.0 - extra / np.maximum(pool, 1e-12))[:, None]
        leaving = leaving + extra
        self.labour_force += entrants - leaving
        self.unemployed[:, -1] += entrants
        self.migrate()
        self.skill[:, -1] = 1.0
        self.leavers = float(leaving.sum())
        self.entrants = float(entrants.sum())

    def migrate(self) -> None:
        """Workers move out when unemployment is above its natural rate and in when below.

        Each quarter ``migration`` x (u - natural_unemployment) x labour force workers leave
        (taken from every pool group in proportion) or arrive (as new entrants), per district.
        """
        p = self.params
        u_d = self.unemployed.sum(axis=1) / np.maximum(self.labour_force, 1.0)
        moves = p.migration * (u_d - p.natural_unemployment) * self.labour_force
        out = np.clip(moves, 0.0, self.unemployed.sum(axis=1))
        keep = 1.0 - out / np.maximum(self.unemployed.sum(axis=1), 1e-12)
        self.unemployed *= keep[:, None]
        arrive = np.maximum(-moves, 0.0)
        self.unemployed[:, -1] += arrive
        self.labour_force += arrive - out

    def update_wage(self, productivity_index: float) -> None:
        """The regional wage moves toward a target set by productivity and unemployment.

        target = initial wage x productivity_index ** wage_productivity
                 x (1 - wage_unemployment x (u - natural_unemployment)),
        where ``productivity_index`` is regional value added per worker relative to step 0;
        the wage closes ``wage_adjustment`` of the gap each quarter; neither the unemployment
        factor nor the wage (relative to the initial wage) falls below ``wage_floor``.
        """
        p = self.params
        gap = self.unemployment_rate - p.natural_unemployment
        target = (
            p.wage
            * max(productivity_index, 1e-6) ** p.wage_productivity
            * max(1.0 - p.wage_unemployment * gap, p.wage_floor)
        )
        self.wage = max(self.wage + p.wage_adjustment * (target - self.wage), p.wage_floor * p.wage)


def commuting_matrix(
    commuting: float, distance: float, xy: np.ndarray | None, n_districts: int
) -> np.ndarray:
    """D x D, the share of a district's hires (row) taken from each district (column).

    ``1 - commuting`` from the own district; ``commuting`` from the others in proportion to
    ``exp(-distance between centres / commuting_distance)``, so most commuters come from
    the neighbouring districts. Without centres all other districts weigh the same.

    Args:
        commuting: share of hires from other districts.
        distance: ``commuting_distance``, cells over which the weight falls by a factor e.
        xy: D x 2 district centres, or None.
        n_districts: D.
    """
    if n_districts == 1:
        return np.ones((1, 1))
    if xy is None:
        near = np.ones((n_districts, n_districts))
    else:
        xy = np.asarray(xy, dtype=float)
        d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
        np.fill_diagonal(d, np.inf)
        near = np.exp(-(d - d.min(axis=1, keepdims=True)) / distance)  # nearest weighs 1
    np.fill_diagonal(near, 0.0)
    geo = commuting * near / near.sum(axis=1, keepdims=True)
    np.fill_diagonal(geo, 1.0 - commuting)
    return geo
