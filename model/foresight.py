"""Foresight: which emerging industries the region sees, and how early (DESIGN §2.5, §2.6).

An emerging industry (born after the start) is visible to entrepreneurs once the region has
a firm in it, or ``visibility_lag`` quarters after its birth, or earlier through foresight:
from ``lead`` quarters before its birth on (only where ``lead >= 1``). While the policy
funds foresight, ``lead = foresight_lead``; otherwise universities give it,
``floor(foresight_lead * max over universities of quality * attention)``, attention being
the share of the university's focus on the industry's capabilities. Industries existing
from the start (``birth <= 0``) are visible.

Funded foresight also makes every institution's focus lean toward the needs of emerging
industries, with intensity ``phi = money / (money + sum of institution budgets)``
(``model.services``), and informs entrepreneurs: technology and market intelligence
(roadmaps, scenarios, demonstrators) removes ``foresight_risk_cut x phi`` of the perceived
pioneer risk of every emerging industry while the policy funds it (``risk_cut``; combined
with the business associations' cut in ``InstitutionSystem.entry_risk_cut``). Seeing an
industry early is not enough to enter it: until it is established, would-be pioneers bear
its full risk, and foresight's information is what lowers that risk (Georghiou et al.
2008, *The Handbook of Technology Foresight*).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from agents.institution import Institution
    from model.industries import IndustrySpace


class Foresight:
    """The region's view of emerging industries.

    Args:
        space: the industry space (births, requirements).
        lead: ``institutions.foresight_lead``, quarters emerging industries are seen early.
        visibility_lag: ``institutions.visibility_lag``, quarters after birth when an
            emerging industry becomes visible to all.
        risk_cut: ``institutions.foresight_risk_cut``, share of an emerging industry's
            perceived pioneer risk removed at full intensity.
    """

    def __init__(
        self, space: IndustrySpace, lead: int, visibility_lag: int, risk_cut: float = 0.0
    ) -> None:
        self.space = space
        self.risk_cut_share = risk_cut
        self.lead = lead
        self.visibility_lag = visibility_lag
        self.money = 0.0  # foresight funding this quarter
        self.intensity = 0.0  # phi this quarter (0..1)

    def begin_quarter(self) -> None:
        """Forget last quarter's funding."""
        self.money = 0.0
        self.intensity = 0.0

    def fund(self, amount: float, budgets: float) -> float:
        """Take foresight money; return the money used.

        Args:
            amount: money for foresight this quarter.
            budgets: the sum of the institutions' running budgets.
        """
        if amount <= 0:
            return 0.0
        self.money += amount
        self.intensity = self.money / (self.money + budgets)
        return float(amount)

    def risk_cut(self) -> np.ndarray:
        """K, share of perceived pioneer risk foresight removes this quarter (0..1).

        ``foresight_risk_cut x phi`` for industries born after the start, 0 elsewhere and
        whenever the policy does not fund foresight.
        """
        cut = self.risk_cut_share * self.intensity
        return np.where(self.space.birth > 0, cut, 0.0)

    def visible(
        self, quarter: int, present: np.ndarray, universities: Iterable[Institution]
    ) -> np.ndarray:
        """K bool, the industries entrepreneurs can see now (see the module docstring)."""
        sp = self.space
        age = quarter - sp.birth
        visible = present | (sp.birth <= 0) | (age >= self.visibility_lag)
        if self.money > 0:
            lead = np.full(sp.size, float(self.lead))
        else:
            lead = np.zeros(sp.size)
            for uni in universities:
                lead = np.maximum(lead, uni.quality * uni.attention(sp.requires) * self.lead)
        lead = np.floor(lead)
        # without any lead an emerging industry becomes visible only after visibility_lag
        return visible | ((sp.birth > 0) & (lead > 0) & (age >= -lead))

    def emerging_needs(self, quarter: int, present: np.ndarray) -> np.ndarray | None:
        """C, normalised requirements of the emerging industries foresight sees, or None.

        Emerging: born after the start, not present in the region, and within ``lead``
        quarters of birth or older.
        """
        sp = self.space
        emerging = (sp.birth > 0) & (quarter - sp.birth >= -self.lead) & ~present
        if not emerging.any():
            return None
        need = (sp.requires[emerging] / sp.complexity[emerging, None]).sum(axis=0)
        return need / need.sum()
