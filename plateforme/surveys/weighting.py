"""Resident weights: raking to the territory's population margins (sex, age band, commune).

Communes with too few respondents are pooled into one "other communes" category before
raking, since a category with no respondent cannot be weighted (and one with a couple
would get extreme weights). Answers whose commune was replaced by None at closing
(fewer than mixing.COMMUNE_KEPT_FROM answers named it, see mixing.py) belong to that
pooled category: its margin is the population of every commune not kept. When margins are missing or raking is impossible, results
are published unweighted and the reason is disclosed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select

from ..extensions import db
from ..stats import RakingError, rake
from ..territories.models import PopulationMargin, Territory, TerritoryKind
from ..territories.services import children_of

MIN_COMMUNE_RESPONDENTS = 5
OTHER_COMMUNES = "other"


@dataclass
class Weighting:
    weights: np.ndarray
    applied: bool
    variables: list[str] = field(default_factory=list)
    reason: str = ""
    converged: bool | None = None
    iterations: int | None = None
    trimmed: int = 0
    pooled_communes: list[str] = field(default_factory=list)


def territory_communes(territory: Territory) -> list[Territory]:
    if territory.kind == TerritoryKind.COMMUNE:
        return [territory]
    return [c for c in children_of(territory) if c.kind == TerritoryKind.COMMUNE]


def compute_weights(territory: Territory, sexes: list[str], age_bands: list[str], commune_ids: list[int],
                    trim: tuple[float, float]) -> Weighting:
    n = len(sexes)
    unweighted = np.ones(n)
    if n == 0:
        return Weighting(unweighted, False, reason="no_respondents")
    communes = territory_communes(territory)
    code_of = {c.id: c.code for c in communes}
    rows = db.session.execute(
        select(PopulationMargin.territory_id, PopulationMargin.sex, PopulationMargin.age_band, PopulationMargin.count)
        .where(PopulationMargin.territory_id.in_(list(code_of)))
    ).all()
    with_margins = {tid for tid, *_ in rows}
    if not rows or with_margins != set(code_of):
        return Weighting(unweighted, False, reason="missing_margins")

    sex_margin: dict[str, float] = {}
    age_margin: dict[str, float] = {}
    commune_total: dict[int, float] = {}
    for tid, sex, band, count in rows:
        sex_margin[sex.value] = sex_margin.get(sex.value, 0) + count
        age_margin[band] = age_margin.get(band, 0) + count
        commune_total[tid] = commune_total.get(tid, 0) + count

    respondents_per_commune: dict[int, int] = {}
    for cid in commune_ids:
        respondents_per_commune[cid] = respondents_per_commune.get(cid, 0) + 1
    kept = {cid for cid, k in respondents_per_commune.items() if cid is not None and k >= MIN_COMMUNE_RESPONDENTS}
    pooled = sorted(code_of[cid] for cid in code_of if cid not in kept)
    commune_values = [code_of[cid] if cid in kept else OTHER_COMMUNES for cid in commune_ids]
    commune_margin = {code_of[cid]: commune_total[cid] for cid in kept}
    if pooled:
        commune_margin[OTHER_COMMUNES] = sum(commune_total[cid] for cid in code_of if cid not in kept)

    sample = {"sex": sexes, "age_band": age_bands}
    margins = {"sex": sex_margin, "age_band": age_margin}
    if len(commune_margin) > 1 and (not pooled or OTHER_COMMUNES in commune_values):
        sample["commune"] = commune_values
        margins["commune"] = commune_margin
    try:
        result = rake(sample, margins, trim=trim)
    except RakingError as error:
        return Weighting(unweighted, False, reason=f"raking_failed: {error}")
    # Weights are scaled to average 1: shares do not depend on the scale.
    weights = np.asarray(result.weights, dtype=float)
    weights = weights * (n / weights.sum())
    return Weighting(weights, True, variables=list(sample), converged=result.converged,
                     iterations=result.iterations, trimmed=int(result.trimmed), pooled_communes=pooled)
