"""Vectorised firm behaviour: produce and pay, adjust employment, learn (DESIGN §2.2).

Each function acts on all firms at once through the model's ``FirmTable``; per-firm Python
runs only for decisions (spin-offs, exits), in ``agents.firm``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

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
    fixed = p.fixed_cost * (1.0 - model.params.national.enabling_environment)
    subsidy = f.subsidy * f.value_added
    f.profit = (
        f.value_added * (1.0 - f.rd) - model.labour.wage * f.employment - fixed + subsidy
    )
    f.equity = f.equity + f.profit
    f.negative_quarters = np.where(f.equity < 0, f.negative_quarters + 1, 0)
    f.age = f.age + 1
    model.policy_spending["targeted_support"] = float(subsidy.sum())


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
    blended = (f.employment[:, None] * f.proficiency + got[:, None] * q[:, None] * req) / np.maximum(
        total, 1e-12
    )[:, None]
    f.proficiency = np.where(req > 0, blended, f.proficiency)
    f.employment = total
    model.hires = float(got.sum())
    model.separations = float(fire.sum())


def innovate(model: RegionModel) -> None:
    """Own R&D: the chance of an innovation rises with R&D spending (so with size); the
    size of an innovation is fat-tailed (Lomax), its mean ``innovation_size``."""
    f, p = model.firms, model.params.firms
    if len(f) == 0:
        return
    u = model.streams.uniform_by_serial("innovation", model.steps, f.serial, k=2)
    model.innovation_draws = dict(zip(f.serial.tolist(), map(tuple, u.tolist()), strict=True))
    spend = f.rd * np.maximum(f.value_added, 0.0)
    chance = 1.0 - np.exp(-p.innovation_rate * spend)
    alpha = p.innovation_tail
    lomax = (1.0 - u[:, 1]) ** (-1.0 / alpha) - 1.0
    gain = np.where(u[:, 0] < chance, p.innovation_size * (alpha - 1.0) * lomax, 0.0)
    f.productivity = f.productivity * np.exp(np.minimum(gain, 1.0))
    model.innovations = int((gain > 0).sum())


def imitate(model: RegionModel) -> None:
    """Knowledge spillovers: firms close part of their gap to better firms nearby in the
    same or related industries; decaying with distance, stronger within an industry
    (clusters), among business-association members and with more trust."""
    f, p, sp = model.firms, model.params.firms, model.space
    n = len(f)
    if n < 2:
        return
    rel_prod = np.log(f.productivity / sp.productivity[f.industry])
    dx = f.x[:, None] - f.x[None, :]
    dy = f.y[:, None] - f.y[None, :]
    w = np.exp(-np.hypot(dx, dy) / p.spillover_radius) * sp.relatedness[f.industry][:, f.industry]
    same = f.industry[:, None] == f.industry[None, :]
    w = w * (1.0 + p.cluster_bonus * same)
    members = f.member[:, None] & f.member[None, :]
    w = w * (1.0 + model.params.institutions.association_spillover * members)
    np.fill_diagonal(w, 0.0)
    gap = np.maximum(rel_prod[None, :] - rel_prod[:, None], 0.0)
    reach = w.sum(axis=1)
    pull = (w * gap).sum(axis=1) / np.maximum(reach, 1e-12)
    # trust scales how much of the neighbours' knowledge flows at all
    strength = p.imitation_rate * 2.0 * model.culture.trust * reach / (1.0 + reach)
    f.productivity = f.productivity * np.exp(strength * pull)


def learn_capabilities(model: RegionModel) -> None:
    """Learning by doing in required capabilities; depreciation of unused ones."""
    f, p, sp = model.firms, model.params.firms, model.space
    req = sp.requires[f.industry]
    used = f.proficiency + p.learning_by_doing * (1.0 - f.proficiency)
    unused = f.proficiency * (1.0 - p.depreciation)
    f.proficiency = np.where(req > 0, used, unused)
