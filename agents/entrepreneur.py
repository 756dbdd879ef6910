"""A nascent entrepreneur running an experiment (DESIGN §2.4).

An entrepreneur comes from one group of the labour pool — a district and the industry of
their last job ``j``, or the new labour-force entrants — and carries that group's skill
``s`` and some savings ``S``. What the region shows them (visible industries, demand
growth, profitability, risk, costs) is computed once for everybody, and the search,
the experiment's costs and its success are computed for all entrepreneurs at once, in
``model.entrepreneurship`` (the formulas are there). This Mesa agent holds one
entrepreneur's state while the experiment runs, and the decisions taken one at a time:
applying for a grant, paying a quarter of the experiment, founding the firm or giving up.

Randomness: every draw of an entrepreneur comes from their own identity ``uid``
(``model.streams.lineage_id`` of the quarter and slot they were drawn in): the search draws
in the ``entrepreneurs`` stream, each quarter's cost and success draws in the
``experiments`` stream, the new firm's placement from the firm's own uid. None depends on
how many others were drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

if TYPE_CHECKING:
    from model.labour import LabourPool


class Entrepreneur(mesa.Agent):
    """A nascent entrepreneur, from the start of an experiment to a new firm or back to the pool.

    Args:
        model: the Mesa model it is registered with (Mesa agents are constructed with
            their model); nothing of it is read.
        uid: stable identity (quarter and slot they were drawn in).
        district: district index of their pool group.
        column: pool column: industry of last job, or K for new labour-force entrants.
        skill: skill of their pool group (0..1).
        savings: own money (value-added units).
        target: the industry of the experiment.
        fit: their capability fit with the target (0..1).
        cost: expected cost per quarter of the experiment.
        granted: the experimentation grant received.
        quarters: the experiment's length.
    """

    def __init__(
        self,
        model: mesa.Model,
        uid: int,
        district: int,
        column: int,
        skill: float,
        savings: float,
        target: int,
        fit: float,
        cost: float,
        granted: float,
        quarters: int,
    ) -> None:
        super().__init__(model)
        self.uid = int(uid)
        self.district = district
        self.column = column
        self.skill = skill
        self.savings = savings
        self.target = target
        self.fit = fit
        self.cost = cost
        self.granted = granted
        self.grant = granted  # grant money not yet spent
        self.quarters = quarters
        self.quarters_left = quarters
        self.outcome: str | None = None  # "succeeded" or "failed" once resolved
        self.ran_out = False
        self.discovery = False

    @property
    def expected_cost(self) -> float:
        """Expected cost of the whole experiment."""
        return self.cost * self.quarters

    def pay(self, cost: float) -> bool:
        """Pay one quarter of the experiment, grant first; return False if the money ran out."""
        from_grant = min(self.grant, cost)
        self.grant -= from_grant
        rest = cost - from_grant
        if rest > self.savings:
            self.savings = 0.0
            self.ran_out = True
            return False
        self.savings -= rest
        self.quarters_left -= 1
        return True

    def succeed(self) -> None:
        """The experiment worked: the money left becomes the new firm's equity."""
        self.outcome = "succeeded"
        self.remove()

    def give_up(self, labour: LabourPool) -> None:
        """The experiment failed: back to the pool group they came from, with their skill.

        Args:
            labour: the labour pool they return to.
        """
        labour.deposit(self.district, self.column, 1.0, self.skill)
        self.outcome = "failed"
        self.remove()

    @property
    def equity(self) -> float:
        """The money left for the new firm: savings and unspent grant."""
        return self.savings + self.grant
