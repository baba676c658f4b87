"""The linearised variance of a raked share (stats/linearisation.py), against formulas by hand."""
import math

import numpy as np
import pytest

from plateforme.stats import agreement_share_from_codes, rake
from plateforme.stats.linearisation import linearised_n_eff, linearised_variance


def test_without_calibration_it_is_the_simple_random_sampling_variance():
    # Intercept only, equal weights: V = n/(n − 1) · Σ(y − p)² / n² = p(1 − p) / (n − 1).
    y = np.array([1, 1, 1, 0, 0, 0, 0, 0, 0, 0], dtype=bool)
    ones = np.ones((10, 1))
    assert linearised_variance(y, np.ones(10, bool), np.ones(10), ones) == pytest.approx(0.3 * 0.7 / 9)
    assert linearised_n_eff(y, np.ones(10, bool), np.full(10, 7.0), ones) == pytest.approx(9)


def test_post_stratification_gives_the_stratified_variance():
    # One calibration variable with two strata: the residual is y minus its stratum's mean,
    # so V = n/(n − 2) · Σ_h W_h² (n_h − 1) s_h² / n_h², with W_h the stratum's population share.
    y = np.array([1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0], dtype=bool)
    stratum = np.array([0] * 4 + [1] * 8)
    population = np.array([600.0, 400.0])
    w = population[stratum] / np.bincount(stratum)[stratum]
    design = np.column_stack([stratum == 0, stratum == 1]).astype(float)
    expected = 0.0
    for h in (0, 1):
        yh = y[stratum == h].astype(float)
        share = population[h] / population.sum()
        expected += share ** 2 * (len(yh) - 1) * yh.var(ddof=1) / len(yh) ** 2
    expected *= 12 / 10
    assert linearised_variance(y, np.ones(12, bool), w, design) == pytest.approx(expected, rel=1e-12)


def test_collinear_margins_and_blanks():
    # Two margins whose indicators each sum to one (collinear with each other): rank 3, not 4.
    # A blank answer stays in the calibration but out of the share.
    rng = np.random.default_rng(1)
    n = 400
    sex = rng.integers(0, 2, n)
    old = rng.integers(0, 2, n)
    y = rng.random(n) < 0.2 + 0.3 * sex + 0.3 * old
    answered = rng.random(n) > 0.05
    design = np.column_stack([sex == 0, sex == 1, old == 0, old == 1]).astype(float)
    w = rake({"sex": sex, "old": old}, {"sex": {0: 500, 1: 500}, "old": {0: 700, 1: 300}}).weights
    p = w[y & answered].sum() / w[answered].sum()
    # By hand, with a full-rank basis (intercept, sex, old) instead of the four indicators.
    basis = np.column_stack([np.ones(n), sex, old])
    z = np.where(answered, y - p, 0.0)
    b = np.linalg.solve(basis.T @ (basis * w[:, None]), basis.T @ (w * z))
    e = z - basis @ b
    expected = n / (n - 3) * np.sum((w * e) ** 2) / w[answered].sum() ** 2
    assert linearised_variance(y, answered, w, design) == pytest.approx(expected, rel=1e-9)


def test_calibration_on_what_explains_the_opinion_narrows_the_interval():
    # Opinion driven by sex, sample too rich in women: the raked share's linearised variance
    # is below Kish's p(1 − p)/n_eff, which ignores that the sex totals are known.
    rng = np.random.default_rng(2)
    n = 1000
    sex = (rng.random(n) < 0.35).astype(int)  # 35 % men in the sample, 50 % in the population
    agree = rng.random(n) < np.where(sex == 1, 0.2, 0.8)
    codes = np.where(agree, 5, 1).astype(np.int8)
    w = rake({"sex": sex}, {"sex": {0: 5000, 1: 5000}}).weights
    design = np.column_stack([sex == 0, sex == 1]).astype(float)
    kish = agreement_share_from_codes(codes, w)
    linearised = agreement_share_from_codes(codes, w, design=design)
    assert kish.variance == "kish" and linearised.variance == "linearised"
    assert linearised.agree == kish.agree
    assert linearised.n_eff > kish.n_eff
    assert linearised.ci_high - linearised.ci_low < kish.ci_high - kish.ci_low


def test_unanimity_falls_back_to_kish():
    # Everyone agrees: the linearised variance is zero, and Wilson's interval on Kish's size
    # keeps a width instead of collapsing to a point.
    codes = np.full(30, 5, dtype=np.int8)
    w = np.linspace(0.5, 1.5, 30)
    design = np.ones((30, 1))
    assert math.isnan(linearised_n_eff(codes >= 4, np.ones(30, bool), w, design))
    share = agreement_share_from_codes(codes, w, design=design)
    assert share.variance == "kish" and share.ci_low < 1.0


def test_unanimous_cells_cap_the_effective_size_at_the_answers_count():
    # Men all disagree, women all agree: the residuals vanish, the variance is estimated
    # at (nearly) zero; the effective size stops at n instead of growing without bound.
    sex = np.array([0] * 20 + [1] * 30)
    codes = np.where(sex == 0, 5, 1).astype(np.int8)
    design = np.column_stack([sex == 0, sex == 1]).astype(float)
    w = np.where(sex == 0, 1.25, 0.8333)
    share = agreement_share_from_codes(codes, w, design=design)
    assert share.variance == "linearised" and share.n_eff == 50
    assert share.ci_high - share.ci_low > 0.1
    sex = np.array([0] * 2 + [1] * 2)
    exact = agreement_share_from_codes(np.array([5, 5, 1, 1], np.int8), np.ones(4),
                                       design=np.column_stack([sex == 0, sex == 1]).astype(float))
    assert exact.n_eff == 4 and exact.variance == "linearised"
