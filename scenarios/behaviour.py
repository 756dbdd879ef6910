"""Behavioural parameters of the model: markets, firms, labour, entrepreneurs, institutions.

Every behavioural constant of the model is a field here, with its default, range, unit and
meaning (``description``); ``docs/ODD.md`` lists them from these classes and the app's
levers take their bounds from them. Re-exported by :mod:`scenarios.schema`, the home of
the scenario as a whole.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from scenarios.validation import Fraction, Strict, _raise_issues


class MarketParams(Strict):
    """Demand, competition and value chains."""

    selection: float = Field(
        0.03, ge=0.0, le=5.0, description="replicator speed among the region's firms / quarter"
    )
    selection_youth: float = Field(
        15.0,
        ge=0.0,
        le=50.0,
        description=(
            "extra replicator speed among the region's firms of an industry at its birth, "
            "multiple of selection (falls as the world learns the industry; 0: none)"
        ),
    )
    export_selection: float = Field(
        0.1, ge=0.0, le=5.0, description="replicator speed, region against the world / quarter"
    )
    frontier_growth: float = Field(0.004, ge=0.0, le=0.05, description="world frontier / quarter")
    demand_noise: float = Field(0.02, ge=0.0, le=0.5, description="sd of demand shocks")
    firm_shock: float = Field(
        0.12, ge=0.0, le=1.0, description="sd of a firm's own quarterly demand shock (log)"
    )
    fit_weight: float = Field(1.0, ge=0.0, le=5.0, description="exponent on capability fit")
    wage_weight: float = Field(
        1.0, ge=0.0, le=5.0, description="competitiveness elasticity to the regional wage"
    )
    local_services_share: Fraction = Field(
        0.5, description="share of the regional wage bill spent on local services"
    )
    regional_market_share: float = Field(
        0.3,
        ge=0.01,
        le=1.0,
        description="region's initial share of its export industries' world demand",
    )
    entry_share: Fraction = Field(
        0.1, description="share of the parent's workers a spin-off takes (1 to half of them)"
    )
    replicator_floor: float = Field(
        0.05, gt=0.0, le=1.0, description="lowest growth factor of a share in one quarter"
    )
    entry_demand_floor: Fraction = Field(
        0.05, description="share of base demand a just-born industry's entrants are sized on"
    )
    emerging_parity: Fraction = Field(
        0.3,
        description="world competitor of an industry born in the run, at birth, share of mature",
    )
    world_learning: Fraction = Field(
        0.015,
        description="share of the world's gap to maturity in a young industry closed / quarter",
    )
    max_entry_share: Fraction = Field(
        0.5, description="largest market share a new firm enters with"
    )
    emerging_start: float = Field(
        0.05, gt=0.0, le=1.0, description="demand of a newborn industry, share of its peak"
    )
    unborn_growth: float = Field(
        1.0,
        ge=0.0,
        le=10.0,
        description="expected relative demand growth of an industry due to be born",
    )
    relation_renewal: Fraction = Field(
        0.1,
        description="share of local supplier relations renewed / quarter (local sourcing "
        "closes this share of the gap to what trust sustains)",
    )
    sourcing_trust: float = Field(
        2.0,
        ge=0.0,
        le=3.0,
        description="elasticity of sustained local sourcing to trust: initial x (2 trust)^this",
    )


class FirmParams(Strict):
    """Firm behaviour."""

    productivity_sigma: float = Field(0.35, ge=0.0, le=2.0, description="lognormal sd at start")
    size_sigma: float = Field(1.1, ge=0.0, le=3.0, description="lognormal sd of start sizes")
    fixed_cost: float = Field(
        1.0, ge=0.0, le=1e4, description="fixed cost / quarter, value-added units"
    )
    employment_adjustment: Fraction = Field(0.3, description="share of gap closed / quarter")
    rd_intensity: float = Field(
        0.03, ge=0.0, le=0.3, description="mean share of value added spent on R&D"
    )
    innovation_rate: float = Field(
        0.025, ge=0.0, le=10.0, description="innovation hazard per sqrt(R&D workers) / quarter"
    )
    innovation_size: float = Field(0.03, ge=0.0, le=1.0, description="mean log-productivity gain")
    innovation_tail: float = Field(2.5, gt=1.0, le=10.0, description="Pareto tail index")
    imitation_rate: Fraction = Field(0.01, description="share of gap to neighbours closed")
    spillover_radius: float = Field(6.0, gt=0.0, le=200.0, description="distance decay, cells")
    cluster_bonus: float = Field(0.5, ge=0.0, le=5.0, description="extra spillover same industry")
    learning_by_doing: Fraction = Field(0.03, description="proficiency gain / quarter")
    depreciation: Fraction = Field(0.02, description="proficiency loss / quarter when unused")
    spinoff_probability: Fraction = Field(0.004, description="per quarter, profitable firms")
    exit_patience: int = Field(3, ge=1, le=40, description="quarters of negative equity")
    initial_equity: float = Field(
        2.0, ge=0.0, le=100.0, description="equity at founding, in quarters of its wage bill"
    )
    retained_quarters: float = Field(
        4.0, ge=0.0, le=400.0, description="equity above this many quarters of costs is paid out"
    )
    overtime: float = Field(
        1.1, ge=1.0, le=3.0, description="output capacity, multiple of workers x productivity"
    )
    innovation_cap: float = Field(
        1.0, gt=0.0, le=10.0, description="largest log-productivity gain of one innovation"
    )
    innovation_scale: float = Field(
        1.0,
        ge=0.0,
        le=2.0,
        description=(
            "elasticity of an innovation's gain to the firm's output relative to the mean "
            "firm of its industry in the region (R&D spread over sales; 0: no scale returns)"
        ),
    )
    rd_dispersion: float = Field(
        0.5, ge=0.0, le=3.0, description="lognormal sd of firms' R&D intensity around the mean"
    )
    rd_cap: Fraction = Field(0.3, description="highest R&D intensity, share of value added")
    spillover_sharpness: float = Field(
        4.0,
        gt=0.0,
        le=50.0,
        description="soft-maximum sharpness of the knowledge firms see (0 mean .. inf best)",
    )
    spinoff_min_parent: float = Field(
        2.0, ge=1.0, le=1e4, description="fewest workers a firm needs to spin off, workers"
    )
    spinoff_max_share: Fraction = Field(
        0.5, description="largest share of the parent's workers a spin-off takes"
    )
    spinoff_diversification: float = Field(
        0.3,
        ge=0.0,
        le=100.0,
        description="weight of other industries against the parent's own in a spin-off's choice",
    )
    spinoff_relatedness: float = Field(
        4.0, ge=0.0, le=20.0, description="exponent on relatedness in a spin-off's choice"
    )
    entry_dispersion: float = Field(
        0.55,
        ge=0.0,
        le=3.0,
        description="sd of a new firm's log-productivity shortfall (half-normal) at founding",
    )
    entry_relatedness: Fraction = Field(
        1.0,
        description="share of the start-up shortfall removed per unit of the district's "
        "relatedness density in the industry",
    )
    spinoff_productivity: float = Field(
        0.95, gt=0.0, le=2.0, description="spin-off's relative productivity, share of parent's"
    )
    exit_min_employment: float = Field(
        0.5, ge=0.0, le=100.0, description="a firm with fewer workers than this exits"
    )
    placement_spread: float = Field(
        2.0, ge=0.0, le=100.0, description="sd of a new firm's cell around its origin, cells"
    )
    cluster_spread: float = Field(
        1.5, ge=0.0, le=100.0, description="sd of founding locations around a district, cells"
    )
    workers_per_firm: float = Field(
        40.0, gt=0.0, le=1e5, description="mean initial size where a region gives no firm count"
    )
    min_size: float = Field(1.0, gt=0.0, le=1e3, description="smallest initial firm, workers")
    breakeven_margin: float = Field(
        1.05, ge=1.0, le=3.0, description="initial firms' productivity over break-even, at least"
    )
    initial_proficiency_low: Fraction = Field(
        0.5, description="lowest initial proficiency in a required capability"
    )
    initial_proficiency_high: Fraction = Field(
        0.95, description="highest initial proficiency in a required capability"
    )

    @model_validator(mode="after")
    def _proficiency_range(self) -> FirmParams:
        if self.initial_proficiency_low > self.initial_proficiency_high:
            msg = (
                f"{self.initial_proficiency_low} is above initial_proficiency_high "
                f"({self.initial_proficiency_high}); allowed: at most initial_proficiency_high"
            )
            _raise_issues(
                "FirmParams", [(("initial_proficiency_low",), msg, self.initial_proficiency_low)]
            )
        return self


class LabourParams(Strict):
    """The labour pool and the regional wage."""

    wage: float = Field(
        0.6,
        gt=0.0,
        le=10.0,
        description="initial wage at the nation's mean productivity, value added units",
    )
    wage_unemployment: float = Field(1.0, ge=0.0, le=5.0, description="wage response to u")
    wage_productivity: Fraction = Field(1.0, description="pass-through of productivity growth")
    natural_unemployment: Fraction = Field(0.06, description="u at which wages are stable")
    skill_decay: Fraction = Field(0.03, description="skill loss / quarter of unemployment")
    labour_force_growth: float = Field(0.0, ge=-0.05, le=0.05, description="/ quarter")
    turnover: Fraction = Field(0.01, description="unemployed leaving the labour force / quarter")
    commuting: Fraction = Field(0.3, description="share of hires from other districts")
    commuting_distance: float = Field(
        8.0,
        gt=0.0,
        le=1e3,
        description="distance over which commuting falls by a factor e, grid cells",
    )
    migration: Fraction = Field(
        0.03, description="share of the unemployment gap closed by migration / quarter"
    )
    general_skill: Fraction = Field(
        0.2, description="fit of a hire whose experience is unrelated to the job"
    )
    wage_adjustment: Fraction = Field(
        0.25, description="share of the gap to the target wage closed / quarter"
    )
    regional_wage_passthrough: Fraction = Field(
        1.0,
        description="elasticity of the region's initial wage to its productivity against the "
        "nation's (0: the same wage everywhere)",
    )
    wage_floor: Fraction = Field(
        0.3, description="lowest wage and unemployment factor, share of the initial wage"
    )
    initial_skill: Fraction = Field(0.8, description="skill of the unemployed at the start")
    initial_entrant_share: Fraction = Field(
        0.1, description="share of the initial unemployed who are new entrants"
    )


class EntrepreneurParams(Strict):
    """Nascent entrepreneurs and experiments."""

    partner_trust: float = Field(
        1.0,
        ge=0.0,
        le=3.0,
        description="elasticity of nascent entrepreneurs to trust (partners, informal "
        "finance): rate x (2 trust)^this",
    )
    base_rate: float = Field(
        0.0005, ge=0.0, le=0.05, description="nascent per labour-force member / quarter"
    )
    unemployment_push: float = Field(3.0, ge=0.0, le=50.0, description="extra rate per unit u")
    savings: float = Field(12.0, ge=0.0, le=1e4, description="mean savings, value added units")
    experiment_quarters: int = Field(4, ge=1, le=40, description="length of an experiment")
    experiment_cost: float = Field(
        1.5, ge=0.0, le=1e4, description="cost / quarter at complexity 0"
    )
    complexity_cost: float = Field(1.0, ge=0.0, le=20.0, description="extra cost per complexity")
    pioneer_risk: Fraction = Field(0.9, description="extra failure risk, new to the region")
    discovery_spillover: Fraction = Field(0.7, description="pioneer risk removed by a discovery")
    established_firms: int = Field(
        5, ge=1, le=1000, description="firms in the region from which an industry bears no risk"
    )
    success_base: float = Field(-1.0, ge=-10.0, le=10.0, description="logit intercept")
    new_firm_size: float = Field(
        5.0, gt=0.0, le=1e4, description="workers a new firm's market share is sized for"
    )
    weight_fit: float = Field(
        1.0, ge=0.0, le=20.0, description="search: value per unit of capability fit"
    )
    weight_growth: float = Field(
        0.75, ge=0.0, le=20.0, description="search: value per unit of expected demand growth"
    )
    weight_profit: float = Field(
        0.5, ge=0.0, le=20.0, description="search: value per unit of the region's profit margin"
    )
    weight_risk: float = Field(
        1.0, ge=0.0, le=20.0, description="search: cost per unit of pioneer risk borne"
    )
    reservation: float = Field(
        0.2, ge=-10.0, le=10.0, description="search: value of not starting (staying in the pool)"
    )
    search_noise: float = Field(
        0.3, ge=0.0, le=10.0, description="search: sd of the personal taste for each industry"
    )
    growth_horizon: int = Field(
        8, ge=1, le=80, description="quarters over which demand growth is judged"
    )
    min_group: float = Field(
        1.0, gt=0.0, le=1e4, description="fewest unemployed a pool group needs to give one"
    )
    grant_memory: Fraction = Field(
        0.3, description="weight of the latest quarter in the expected grant coverage"
    )
    affordability: float = Field(
        0.75, ge=0.0, le=5.0, description="share of the expected cost one must have to start"
    )
    cost_spread: Fraction = Field(
        0.4, description="actual quarterly cost within +- this share of the expected cost"
    )
    success_fit: float = Field(
        2.0, ge=-20.0, le=20.0, description="success logit: per unit of own capability fit"
    )
    success_pool: float = Field(
        4.0, ge=-20.0, le=20.0, description="success logit: per unit of district pool fit"
    )
    success_support: float = Field(
        1.0, ge=-20.0, le=20.0, description="success logit: per unit of grant and support"
    )
    success_growth: float = Field(
        1.0, ge=-20.0, le=20.0, description="success logit: per unit of expected demand growth"
    )
    success_complexity: float = Field(
        1.5, ge=-20.0, le=20.0, description="success logit: minus per unit of complexity (0..1)"
    )
    success_risk: float = Field(
        3.0, ge=-20.0, le=20.0, description="success logit: minus per unit of pioneer risk"
    )
    experiment_learning: Fraction = Field(
        0.3, description="least proficiency an experiment teaches in each required capability"
    )
    productivity_floor: Fraction = Field(
        0.5, description="a start-up's productivity at zero fit, share of the frontier"
    )


class InstitutionParams(Strict):
    """Effect sizes of institution services (scaled by each institution's quality)."""

    training_gain: Fraction = Field(0.1, description="proficiency gain per service")
    extension_gain: Fraction = Field(0.03, description="log-productivity gain per service")
    association_spillover: float = Field(0.5, ge=0.0, le=5.0, description="member spillover bonus")
    association_risk_cut: Fraction = Field(0.3, description="entry risk removed in focus")
    entrant_teaching: Fraction = Field(0.5, description="weight of taught skills in entrants")
    foresight_lead: int = Field(8, ge=0, le=80, description="quarters emerging seen early")
    foresight_risk_cut: Fraction = Field(
        0.6,
        description="share of emerging industries' pioneer risk funded foresight removes, "
        "times its intensity",
    )
    visibility_lag: int = Field(8, ge=0, le=80, description="quarters emerging industries unseen")
    visibility_relatedness: Fraction = Field(
        0.6,
        description="an absent mature industry is visible from this relatedness to a present "
        "one (or institutions' coverage of its capabilities)",
    )
    strengthening_rate: Fraction = Field(
        0.1,
        description="share of the gap to 1 in quality and responsiveness closed per quarter of "
        "running budget invested by policy (half of strengthening money is invested)",
    )
    request_threshold: Fraction = Field(
        0.6, description="firms request help when their weakest required capability is below this"
    )
    coordination_floor: float = Field(
        0.5,
        ge=0.0,
        le=5.0,
        description="focus adapts at responsiveness x (this + coordination) / quarter",
    )
    entrant_base_fit: Fraction = Field(
        0.3, description="fit of new entrants' general schooling with any industry"
    )
    service_cost: float = Field(
        0.4,
        ge=0.0,
        le=1e4,
        description="cost of one service (client, member or screened application) to the "
        "institution's budget, value-added units",
    )
    retraining_cost: float = Field(
        0.02, ge=0.0, le=1e4, description="cost of retraining one unemployed worker, value added"
    )
    retraining_per_client: float = Field(
        20.0, ge=0.0, le=1e4, description="unemployed a teacher can retrain per unit of capacity"
    )
    retraining_gain: Fraction = Field(
        0.3, description="share of a retrained worker's skill gap closed at full quality"
    )
    grant_screening_bar: Fraction = Field(
        0.6,
        description="capability fit below which a fully skilled agency refuses a grant",
    )
