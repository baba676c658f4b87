"""Resident weights: raking to the territory's population margins (sex × age band, commune).

The rules, all published in the methodology:
- Communes: a commune with fewer than MIN_COMMUNE_RESPONDENTS respondents is pooled into one
  "other communes" category, with the answers whose commune was replaced by None at closing
  (fewer than mixing.COMMUNE_KEPT_FROM answers named it). The smallest kept communes join the
  pool until it holds at least MIN_POOLED_RESPONDENTS (one respondent got 21× the mean weight
  in a pool of 1 to 4); a pool of communes nobody answered from is merged the same way, so
  its population is never dropped.
- Sex × age: raked as crossed cells (response often depends on both together); adjacent age
  bands are merged until every cell holds MIN_CELL_RESPONDENTS. If even one age group leaves
  a sex below that, sex and age are raked as one-way margins, with age bands merged until
  none is empty. If the sample's structure still makes the margins unreachable (e.g. every
  man in one age group), the two adjacent age groups with the fewest respondents are merged
  until raking converges or age is a single group.
- Sex not given ("X"): the respondent counts for both sexes in proportion to the population of
  their age band — two fractional rows in the raking, whose weights are added back.
- Trim bounds the margins make infeasible are widened (stats.rake_feasible), and the largest
  remaining margin error and the largest weight are published for every survey.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select

from ..extensions import db
from ..stats import RakingError, rake_feasible
from ..stats.cells import collapse_adjacent
from ..territories.models import AGE_BANDS, PopulationMargin, Sex, Territory, TerritoryKind
from ..territories.services import children_of

MIN_COMMUNE_RESPONDENTS = 5
MIN_POOLED_RESPONDENTS = 20
MIN_CELL_RESPONDENTS = 10
OTHER_COMMUNES = "other"
SEXES = (Sex.F.value, Sex.M.value)  # the margins' sexes; SEX_NOT_GIVEN is split between them


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
    margins: str | None = None  # "sex_by_age" (crossed cells) or "one_way"
    age_groups: list[list[str]] = field(default_factory=list)
    max_margin_error: float | None = None
    max_weight: float | None = None  # largest weight over the mean weight
    trim_used: tuple[float, float] | None = None
    trim_widened: bool = False
    sex_not_given: int = 0
    # Respondents × calibration totals: each one's share in every category raked on (fractional
    # for a sex not given). Not published: it gives the shares' linearised variance.
    design: np.ndarray | None = None

    def diagnostics(self) -> dict:
        """The published keys added to the weighting block (older snapshots lack them)."""
        rounded = (lambda v, d: None if v is None or not np.isfinite(v) else round(float(v), d))
        return {
            "margins": self.margins,
            "age_groups": [",".join(group) for group in self.age_groups],
            "max_margin_error": rounded(self.max_margin_error, 6),
            "max_weight": rounded(self.max_weight, 3),
            "trim_used": None if self.trim_used is None else [rounded(b, 4) for b in self.trim_used],
            "trim_widened": self.trim_widened,
            "sex_not_given": self.sex_not_given,
        }


def territory_communes(territory: Territory) -> list[Territory]:
    if territory.kind == TerritoryKind.COMMUNE:
        return [territory]
    return [c for c in children_of(territory) if c.kind == TerritoryKind.COMMUNE]


def _commune_categories(all_codes: list[str], communes: list[str | None]) -> tuple[set[str], list[str]]:
    """Kept communes and the pooled ones (see the module's rules)."""
    per_commune: dict[str | None, int] = {}
    for code in communes:
        per_commune[code] = per_commune.get(code, 0) + 1
    kept = {code for code, k in per_commune.items() if code is not None and k >= MIN_COMMUNE_RESPONDENTS}
    if any(code not in kept for code in all_codes):
        in_pool = len(communes) - sum(per_commune[code] for code in kept)
        while kept and in_pool < MIN_POOLED_RESPONDENTS:
            smallest = min(kept, key=lambda code: (per_commune[code], code))
            kept.discard(smallest)
            in_pool += per_commune[smallest]
    return kept, sorted(code for code in all_codes if code not in kept)


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

    population: dict[tuple[str, str], float] = {}
    commune_total: dict[str, float] = {}
    for tid, sex, band, count in rows:
        population[(sex.value, band)] = population.get((sex.value, band), 0) + count
        commune_total[code_of[tid]] = commune_total.get(code_of[tid], 0) + count
    return rake_residents(population, commune_total, sexes, age_bands,
                          [None if cid is None else code_of.get(cid) for cid in commune_ids], trim)


def rake_residents(population: dict[tuple[str, str], float], commune_population: dict[str, float],
                   sexes: list[str], age_bands: list[str], communes: list[str | None],
                   trim: tuple[float, float]) -> Weighting:
    """The module's rules on plain data (no database): population by (sex, age band) and by
    commune code; respondents' sex (F, M or X), age band and commune code (None: pooled at
    closing). Used by compute_weights and by simulations."""
    n = len(sexes)
    if n == 0:
        return Weighting(np.ones(0), False, reason="no_respondents")
    kept, pooled = _commune_categories(list(commune_population), communes)
    commune_values = [code if code in kept else OTHER_COMMUNES for code in communes]
    commune_margin = {code: commune_population[code] for code in kept}
    if pooled:
        commune_margin[OTHER_COMMUNES] = sum(commune_population[code] for code in pooled)

    # Sex × age cells, collapsing sparse ones; else one-way margins without empty bands.
    bands = [b for b in AGE_BANDS if any(population.get((s, b), 0) > 0 for s in SEXES)]
    tally = Counter(zip(sexes, age_bands))  # one pass: surveys reach 100,000 answers
    cell_counts = {b: [tally[(sex, b)] for sex in SEXES] for b in bands}
    groups = collapse_adjacent(bands, cell_counts, MIN_CELL_RESPONDENTS)
    crossed = all(sum(cell_counts[b][i] for b in g) >= MIN_CELL_RESPONDENTS for g in groups for i in range(2))
    if not crossed:
        totals = {b: [sum(cell_counts[b])] for b in bands}
        groups = collapse_adjacent(bands, totals, 1)
    while True:
        outcome = _rake_groups(population, groups, crossed, sexes, age_bands, commune_values, commune_margin, trim)
        if isinstance(outcome, Weighting) or outcome[0].converged or len(groups) == 1:
            break
        # The sample's structure makes the margins unreachable even without bounds (e.g. every
        # man in one age group): merge the two adjacent age groups with the fewest respondents.
        sizes = [sum(sum(cell_counts[band]) for band in group) for group in groups]
        i = min(range(len(groups) - 1), key=lambda j: (sizes[j] + sizes[j + 1], j))
        groups[i:i + 2] = [groups[i] + groups[i + 1]]
        crossed = False
    if isinstance(outcome, Weighting):
        return outcome
    result, origin, variables, row_design = outcome
    # Weights are scaled to average 1: shares do not depend on the scale.
    origin = np.asarray(origin)
    weights = np.bincount(origin, weights=result.weights, minlength=n)
    # A respondent's indicators are their rows' own, averaged with the rows' weights, so that
    # Σ w x over respondents is the raked totals, as over rows.
    design = np.zeros((n, row_design.shape[1]))
    np.add.at(design, origin, row_design * result.weights[:, None])
    design /= np.where(weights > 0, weights, 1.0)[:, None]
    weights = weights * (n / weights.sum())
    return Weighting(weights, True, variables=variables, converged=result.converged,
                     iterations=result.iterations, trimmed=int(result.trimmed), pooled_communes=pooled,
                     margins="sex_by_age" if crossed else "one_way", age_groups=groups,
                     max_margin_error=result.max_margin_error, max_weight=float(weights.max()),
                     trim_used=result.trim, trim_widened=result.trim_widened,
                     sex_not_given=sum(1 for s in sexes if s not in SEXES), design=design)


def _rake_groups(population, groups, crossed, sexes, age_bands, commune_values, commune_margin, trim):
    """One raking with the given age groups: (result, row origins, variables, rows × totals
    indicators) or an unweighted Weighting when raking is impossible."""
    n = len(sexes)
    unweighted = np.ones(n)
    group_of = {b: ",".join(g) for g in groups for b in g}

    # Rows of the raking: one per respondent, two (F and M, fractional) per sex not given.
    origin, row_sex, row_group, row_commune, base = [], [], [], [], []
    for i, (sex, band, commune) in enumerate(zip(sexes, age_bands, commune_values)):
        group = group_of.get(band)
        if group is None:
            return Weighting(unweighted, False, reason="raking_failed: age band without population")
        if sex in SEXES:
            split = {sex: 1.0}
        else:
            in_group = {s: sum(population.get((s, b), 0) for b in group.split(",")) for s in SEXES}
            split = {s: in_group[s] / sum(in_group.values()) for s in SEXES if in_group[s] > 0}
        for s, share in split.items():
            origin.append(i)
            row_sex.append(s)
            row_group.append(group)
            row_commune.append(commune)
            base.append(share)

    sample: dict[str, list] = {}
    margins: dict[str, dict] = {}
    if crossed:
        sample["sex_age"] = [f"{s}|{g}" for s, g in zip(row_sex, row_group)]
        margins["sex_age"] = {f"{s}|{g}": sum(population.get((s, b), 0) for b in g.split(","))
                              for s in SEXES for g in group_of.values()}
    else:
        sample["sex"], sample["age_band"] = row_sex, row_group
        margins["sex"] = {s: sum(v for (ps, _b), v in population.items() if ps == s) for s in SEXES}
        margins["age_band"] = {g: sum(population.get((s, b), 0) for s in SEXES for b in g.split(","))
                               for g in group_of.values()}
    variables = ["sex", "age_band"]
    if len(commune_margin) > 1:
        sample["commune"], margins["commune"] = row_commune, commune_margin
        variables.append("commune")
    # A category with no population cannot be a target (e.g. a sex absent from the margins).
    margins = {var: {k: v for k, v in margin.items() if v > 0} for var, margin in margins.items()}
    try:
        result = rake_feasible(sample, margins, base_weights=np.asarray(base), trim=trim)
    except RakingError as error:
        return Weighting(unweighted, False, reason=f"raking_failed: {error}")
    values = {var: np.asarray(sample[var], dtype=object) for var in margins}
    columns = [(values[var] == category).astype(float) for var, margin in margins.items() for category in margin]
    return result, origin, variables, np.column_stack(columns)
