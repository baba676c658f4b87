"""Weighting rules (weighting.py), on plain data and through the published results:
pools of at least 20, no commune dropped silently, collapsed age bands, sex × age cells,
respondents who prefer not to give their sex."""
from __future__ import annotations

import numpy as np
import pytest

from plateforme.stats import agreement_share
from plateforme.surveys.weighting import MIN_POOLED_RESPONDENTS, OTHER_COMMUNES, rake_residents

BANDS = ["18-29", "30-44", "45-59", "60-74", "75+"]
# Population by (sex, band): men are younger than women, as in a census.
POPULATION = {("F", b): v for b, v in zip(BANDS, (900, 1200, 1300, 1100, 900))}
POPULATION |= {("M", b): v for b, v in zip(BANDS, (1000, 1250, 1250, 1000, 500))}
TOTAL = sum(POPULATION.values())


def _communes(*shares):
    return {f"c{i}": TOTAL * s for i, s in enumerate(shares)}


def _sample(rng, n, communes, sex_weights=(0.5, 0.5), band_weights=None):
    sexes = list(rng.choice(["F", "M"], size=n, p=sex_weights))
    bands = list(rng.choice(BANDS, size=n, p=band_weights))
    codes = list(rng.choice(list(communes), size=n))
    return sexes, bands, codes


def _totals(keys, weights):
    out: dict = {}
    for key, w in zip(keys, weights):
        out[key] = out.get(key, 0.0) + w
    return out


def test_the_pooled_category_holds_at_least_20_respondents():
    rng = np.random.default_rng(4)
    communes = _communes(0.4, 0.3, 0.2, 0.05, 0.05)
    sexes, bands, codes = _sample(rng, 300, communes)
    codes = ["c0"] * 150 + ["c1"] * 100 + ["c2"] * 47 + ["c3"] * 2 + ["c4"] * 1  # c3, c4: 3 in the pool
    result = rake_residents(POPULATION, communes, sexes, bands, codes, (0.01, 100))
    assert result.applied and set(result.pooled_communes) == {"c2", "c3", "c4"}  # c2 joined the pool
    pool = [c not in ("c0", "c1") for c in codes]
    assert sum(pool) >= MIN_POOLED_RESPONDENTS
    # The pool is weighted to its communes' population together, checked by hand.
    w = result.weights / result.weights.sum() * TOTAL
    assert w[np.array(pool)].sum() == pytest.approx(0.3 * TOTAL, rel=1e-4)
    assert result.max_weight < 5


def test_communes_nobody_answered_from_are_merged_not_dropped():
    rng = np.random.default_rng(5)
    communes = _communes(0.5, 0.3, 0.2)
    sexes, bands, _codes = _sample(rng, 200, communes)
    codes = ["c0"] * 120 + ["c1"] * 80  # nobody from c2: 20 % of the population
    result = rake_residents(POPULATION, communes, sexes, bands, codes, (0.01, 100))
    assert result.applied and "commune" in result.variables
    w = result.weights / result.weights.sum() * TOTAL
    # c2's population went with the smallest kept commune, c1: together 50 %, not c1's 30 %
    # inflated to 37.5 % by dropping the commune margin (what happened before).
    c0 = np.array(codes) == "c0"
    assert w[c0].sum() == pytest.approx(0.5 * TOTAL, rel=1e-4)
    assert w[~c0].sum() == pytest.approx(0.5 * TOTAL, rel=1e-4)


def test_an_empty_age_band_is_merged_with_its_neighbour_not_unweighted():
    rng = np.random.default_rng(6)
    communes = _communes(1.0)
    sexes, bands, codes = _sample(rng, 150, communes, band_weights=[0.25, 0.25, 0.25, 0.25, 0.0])
    assert "75+" not in bands
    result = rake_residents(POPULATION, communes, sexes, bands, codes, (0.3, 3))
    assert result.applied and result.reason == ""
    assert ["60-74", "75+"] in result.age_groups
    w = result.weights / result.weights.sum() * TOTAL
    old = sum(POPULATION[(s, b)] for s in "FM" for b in ("60-74", "75+"))
    assert w[np.array(bands) == "60-74"].sum() == pytest.approx(old, rel=1e-4)


def test_sex_and_age_are_raked_as_crossed_cells():
    rng = np.random.default_rng(7)
    communes = _communes(0.6, 0.4)
    sexes, bands, codes = _sample(rng, 1500, communes, sex_weights=(0.6, 0.4))
    result = rake_residents(POPULATION, communes, sexes, bands, codes, (0.01, 100))
    assert result.margins == "sex_by_age" and result.max_margin_error < 1e-5
    w = result.weights / result.weights.sum() * TOTAL
    cells = _totals(zip(sexes, bands), w)
    for key, target in POPULATION.items():  # each cell, not just each margin
        assert cells[key] == pytest.approx(target, rel=1e-4)


def test_crossed_cells_remove_the_bias_of_one_way_margins():
    # Response and opinion both depend on sex and age together (young women answer
    # more and agree more): one-way margins leave a bias that crossed cells remove.
    rng = np.random.default_rng(8)
    communes = _communes(1.0)
    keys = list(POPULATION)
    pop_share = np.array([POPULATION[k] for k in keys]) / TOTAL
    response = np.array([3.0 if k == ("F", "18-29") else (0.5 if k == ("M", "75+") else 1.0) for k in keys])
    sample_share = pop_share * response / (pop_share * response).sum()
    agree_p = np.array([0.8 if k == ("F", "18-29") else 0.4 for k in keys])
    truth = float((pop_share * agree_p).sum())
    errors = []
    for _ in range(60):
        idx = rng.choice(len(keys), size=1000, p=sample_share)
        sexes = [keys[i][0] for i in idx]
        bands = [keys[i][1] for i in idx]
        answers = np.where(rng.random(1000) < agree_p[idx], 5, 1)
        result = rake_residents(POPULATION, communes, sexes, bands, ["c0"] * 1000, (0.01, 100))
        errors.append(agreement_share(answers, result.weights).agree - truth)
    assert abs(np.mean(errors)) < 0.004  # one-way raking leaves about 0.01 here


def test_sex_not_given_counts_for_both_sexes_by_the_documented_rule():
    rng = np.random.default_rng(9)
    communes = _communes(0.5, 0.5)
    sexes, bands, codes = _sample(rng, 600, communes)
    sexes[:40] = ["X"] * 40
    result = rake_residents(POPULATION, communes, sexes, bands, codes, (0.01, 100))
    assert result.applied and result.sex_not_given == 40
    assert np.all(result.weights[:40] > 0)
    # Age cells and communes hold exactly, X respondents included in their age band.
    w = result.weights / result.weights.sum() * TOTAL
    for band in BANDS:
        target = POPULATION[("F", band)] + POPULATION[("M", band)]
        assert w[np.array(bands) == band].sum() == pytest.approx(target, rel=1e-4)
    # Known-sex respondents alone fall short of each sex's population by the X share.
    known = np.array([s != "X" for s in sexes])
    women = np.array([s == "F" for s in sexes])
    f_pop = sum(v for (s, _b), v in POPULATION.items() if s == "F")
    assert w[women].sum() < f_pop and w[women].sum() + w[~known].sum() > f_pop


def test_sex_not_given_keeps_the_estimate_unbiased():
    # Coverage check of the rule: when opinion depends on age and sex, and some respondents
    # do not give their sex, the weighted estimate's 95 % interval still covers the truth.
    rng = np.random.default_rng(10)
    communes = _communes(1.0)
    keys = list(POPULATION)
    pop_share = np.array([POPULATION[k] for k in keys]) / TOTAL
    agree_p = np.array([0.3 + 0.1 * BANDS.index(b) + (0.1 if s == "F" else 0.0) for s, b in keys])
    truth = float((pop_share * agree_p).sum())
    covered = 0
    reps = 150
    for _ in range(reps):
        idx = rng.choice(len(keys), size=400, p=pop_share)
        sexes = [keys[i][0] if rng.random() > 0.1 else "X" for i in idx]
        bands = [keys[i][1] for i in idx]
        answers = np.where(rng.random(400) < agree_p[idx], 4, 2)
        result = rake_residents(POPULATION, communes, sexes, bands, ["c0"] * 400, (0.3, 3))
        share = agreement_share(answers, result.weights)
        covered += share.ci_low <= truth <= share.ci_high
    assert covered / reps >= 0.9  # 95 % nominal; 150 draws leave some slack
