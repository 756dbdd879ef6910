"""Value chains: local suppliers sell to the region's lead firms (DESIGN §2.1, §2.6).

A small input-output table (``IndustrySpace.io``; ``io[b, s]`` is the share of buyer ``b``'s
gross output spent on inputs from supplier ``s``) says which industries buy from which.
The region sources ``local_sourcing`` of those inputs from its own firms, so a lead
industry's growth or decline passes to its local suppliers: each quarter the suppliers'
intermediate demand is ``local_sourcing * io.T @ gross output`` of last quarter.

**Value-chain promotion** (supplier development, matchmaking): money ``m`` with effort
``e = m / I``, ``I`` the region's input purchases last quarter (sum of input shares x gross
output), raises ``local_sourcing`` by ``(sourcing_ceiling - local_sourcing) * sourcing_rate
* e / (e + sourcing_half_effort) * 2 * trust`` (matchmaking works as far as buyers and
suppliers trust each other): diminishing returns in money (at most ``2 * trust *
sourcing_rate`` of the gap per quarter) and as the gap to the ceiling closes; never
beyond the ceiling (a region already at or above it is left alone and the money is not
used). Calibrated so that 20 % of a budget of 30 raises the heartland's sourcing by about
0.1 in ten years at trust 0.5; the same money moves a smaller economy faster.

**Supplier relations** (``SupplierRelations``): buying locally rests on relations between
buyers and suppliers, and these rest on trust (relational contracting in industrial
districts: Dei Ottati 1994, Uzzi 1997; trust as lower transaction costs of local
sourcing: Dyer & Chu 2003). Each quarter ``relation_renewal`` of the relations come up for
renewal, and local sourcing closes that share of the gap to the level the region's trust
sustains, ``min(sourcing_ceiling, anchor x (2 x trust) ** sourcing_trust)``: the region's
initial sourcing (plus what value-chain promotion has built) at trust 0.5, less where
trust is lower (buyers turn to distant suppliers with formal contracts), more where it
is higher. A region that loses trust loses local intermediate demand, and its suppliers
the orders that go with it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from model.market import Market
    from scenarios.schema import MarketParams, PolicyParams


def intermediate_demand(io: np.ndarray, sourcing: float, gross_output: np.ndarray) -> np.ndarray:
    """K, what the region's firms buy from local suppliers in each industry.

    Args:
        io: K x K input shares, ``io[buyer, supplier]``.
        sourcing: share of inputs bought in the region.
        gross_output: K, the region's gross output by industry.
    """
    return sourcing * (io.T @ gross_output)


class SupplierRelations:
    """The buyer-supplier relations that sustain local sourcing (see the module docstring).

    Args:
        sourcing: the region's local sourcing at the start (the anchor).
        params: the market parameters (``relation_renewal``, ``sourcing_trust``).
        ceiling: ``policy.sourcing_ceiling``, the most local sourcing there can be.
    """

    def __init__(self, sourcing: float, params: MarketParams, ceiling: float) -> None:
        self.anchor = float(sourcing)
        self.renewal = params.relation_renewal
        self.elasticity = params.sourcing_trust
        self.ceiling = max(float(ceiling), self.anchor)

    def sustained(self, trust: float) -> float:
        """The local sourcing the region's relations sustain at ``trust``."""
        return min(self.ceiling, self.anchor * (2.0 * trust) ** self.elasticity)

    def renew(self, market: Market, trust: float) -> float:
        """One quarter of renewals: local sourcing moves toward the sustained level.

        Returns the change in the market's local sourcing.
        """
        change = self.renewal * (self.sustained(trust) - market.local_sourcing)
        market.local_sourcing += change
        return change

    def build(self, gain: float) -> None:
        """Relations built by value-chain promotion last: they raise the anchor."""
        self.anchor = min(self.ceiling, self.anchor + max(gain, 0.0))


def promote(
    market: Market,
    money: float,
    params: PolicyParams,
    cooperation: float = 1.0,
    relations: SupplierRelations | None = None,
) -> float:
    """Value-chain promotion: raise the market's local sourcing; return the money used.

    Matchmaking works as far as buyers and suppliers trust each other: the rate is
    multiplied by ``cooperation`` (``2 * trust``, ``InstitutionSystem.cooperation``). The
    relations it builds become part of ``relations``' anchor, so they are renewed like the
    others.
    """
    inputs = float((market.input_share * market.gross_output).sum())
    gap = params.sourcing_ceiling - market.local_sourcing
    if money <= 0 or inputs <= 0 or gap <= 0:
        return 0.0
    effort = money / inputs
    rate = cooperation * params.sourcing_rate * effort / (effort + params.sourcing_half_effort)
    rate = min(rate, 1.0)
    market.local_sourcing += gap * rate
    if relations is not None:
        relations.build(gap * rate)
    return money
