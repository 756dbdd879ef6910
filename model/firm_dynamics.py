"""Vectorised firm behaviour: produce and pay, adjust employment, learn (DESIGN §2.2).

Each function acts on all firms at once through the model's ``FirmTable``; per-firm Python
runs only for decisions (spin-offs, exits), in ``agents.firm``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from model.spillovers import knowledge_level

if TYPE_CHECKING:
    from model.region_model import RegionModel

OVERTIME = 1.1  # output can exceed normal capacity (workers x productivity) by 10%


def produce(model: RegionModel) -> None:
    """Revenue from share x demand; wages, R&D, fixed costs; subsidies; profit into equity."""
    f, p = model.firms, model.params.firms
    gross = model.market.sales(f)
    demanded = gross * (1.0 - model.market.input_share[f.industry])
    # what the firm can make with its workers (plus overtime); the rest of its orders is lost
    f.value_added = np.minimum(demanded, OVERTIME * f.employment * f.productivity)
    f.orders = demanded
    # the quarter's output and the workers who made it, before exits and new hires
    model.output = float(f.value_added.sum())
    model.output_workers = float(f.employment.sum())
    fixed = p.fixed_cost * (1.0 - model.params.national.enabling_environment)
    subsidy = model.policy.pay_subsidies(f.subsidy * f.value_added)  # within the envelope
    wages = model.wages()
    f.profit = f.value_added * (1.0 - f.rd) - wages * f.employment - fixed + subsidy
    costs = wages * f.employment + fixed
    # owners take out what exceeds a buffer of a few quarters of costs
    f.equity = np.minimum(f.equity + f.profit, np.maximum(p.retained_quarters * costs, f.equity))
    f.negative_quarters = np.where(f.equity < 0, f.negative_quarters + 1, 0)
    f.age = f.age + 1


def adjust_employment(model: RegionModel) -> None:
    """Move employment toward what value added supports: fire into the pool, hire from it.

    Hires come from the firm's own and, less, other districts, preferring workers from
    related industries; the skill fit of the hires updates the firm's proficiency.
    """
    f, sp = model.firms, model.space
    if len(f) == 0:
        return
    n_d, n_k = model.n_districts, sp.size
    target = f.orders / np.maximum(f.productivity, 1e-9)
    change = model.params.firms.employment_adjustment * (target - f.employment)
    fire = np.maximum(-change, 0.0)
    want = np.maximum(change, 0.0)
    fit = f.fit(sp.requires)
    released = f.by_district_industry(fire, n_d, n_k)
    skill = f.by_district_industry(fire * fit, n_d, n_k) / np.maximum(released, 1e-12)
    f.employment = f.employment - fire
    demand = f.by_district_industry(want, n_d, n_k)
    hires, quality = model.labour.hire(demand, sp.relatedness, model.entrant_fit())
    model.labour.release(released, np.clip(skill, 0.0, 1.0))
    fill = np.where(demand > 0, hires / np.maximum(demand, 1e-12), 0.0)
    got = want * fill[f.district, f.industry]
    q = quality[f.district, f.industry]
    total = f.employment + got
    req = sp.requires[f.industry]
    blended = (
        f.employment[:, None] * f.proficiency + got[:, None] * q[:, None] * req
    ) / np.maximum(total, 1e-12)[:, None]
    f.proficiency = np.where(req > 0, blended, f.proficiency)
    f.employment = total
    model.hires = float(got.sum())
    model.separations = float(fire.sum())


def innovate(model: RegionModel) -> None:
    """Own R&D: fat-tailed productivity draws, more often in larger firms.

    The chance of an innovation per quarter is 1 - exp(-innovation_rate x
    sqrt(rd x employment)), so it rises with size; the size of an innovation (a gain in log
    productivity) is fat-tailed (Lomax with tail index ``innovation_tail``), its mean
    ``innovation_size``.
    """
    f, p = model.firms, model.params.firms
    if len(f) == 0:
        return
    u = model.streams.uniform_by_serial("innovation", model.steps, f.serial, k=2)
    # R&D effort in workers; concave, so large firms draw more innovations per quarter
    # but not proportionally more (which would let the largest firm run away)
    effort = np.sqrt(f.rd * np.maximum(f.employment, 0.0))
    chance = 1.0 - np.exp(-p.innovation_rate * effort)
    alpha = p.innovation_tail
    lomax = (1.0 - u[:, 1]) ** (-1.0 / alpha) - 1.0
    gain = np.where(u[:, 0] < chance, p.innovation_size * (alpha - 1.0) * lomax, 0.0)
    f.productivity = f.productivity * np.exp(np.minimum(gain, 1.0))
    model.innovations = int((gain > 0).sum())


def imitate(model: RegionModel) -> None:
    """Knowledge spillovers from better firms nearby.

    Firms close part of their gap to the better firms nearby in
    the same or related industries (``model.spillovers``); more with more trust, and
    business-association members also learn from each other (``association_spillover``).

    Gain in log productivity = imitation_rate x 2 x trust x [reach/(1+reach) x gap
    + association_spillover x member x reach_m/(1+reach_m) x gap_m], gaps floored at 0.
    """
    f, p, sp = model.firms, model.params.firms, model.space
    if len(f) < 2:
        return
    rel = np.log(f.productivity / sp.productivity[f.industry])
    args = (f.x, f.y, f.industry, rel, sp.relatedness, p.spillover_radius, p.cluster_bonus)
    shape = model.grid.dimensions
    level, reach = knowledge_level(*args, shape=shape)
    pull = np.maximum(level - rel, 0.0) * reach / (1.0 + reach)
    if f.member.any():
        level_m, reach_m = knowledge_level(*args, among=f.member, shape=shape)
        bonus = model.params.institutions.association_spillover * f.member
        pull = pull + bonus * np.maximum(level_m - rel, 0.0) * reach_m / (1.0 + reach_m)
    strength = p.imitation_rate * 2.0 * model.culture.trust
    f.productivity = f.productivity * np.exp(strength * pull)


def learn_capabilities(model: RegionModel) -> None:
    """Learning by doing in required capabilities; depreciation of unused ones."""
    f, p, sp = model.firms, model.params.firms, model.space
    req = sp.requires[f.industry]
    used = f.proficiency + p.learning_by_doing * (1.0 - f.proficiency)
    unused = f.proficiency * (1.0 - p.depreciation)
    f.proficiency = np.where(req > 0, used, unused)
