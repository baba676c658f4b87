"""The weighted domain mean and its linearised interval (stats/weighted_mean.py), against
scipy and formulas by hand."""
import math

import numpy as np
import pytest
from scipy import stats

from plateforme.stats.weighted_mean import domain_variance, weighted_mean


def test_equal_weights_without_calibration_give_the_student_interval():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 101, 40) / 100
    result = weighted_mean(y, np.ones(40, bool), np.ones(40))
    low, high = stats.t.interval(0.95, 39, loc=y.mean(), scale=stats.sem(y))
    assert result.mean == pytest.approx(y.mean())
    assert (result.ci_low, result.ci_high) == (pytest.approx(low), pytest.approx(high))
    assert result.df == 39 and result.variance == "srs" and result.n == 40


def test_a_domain_uses_only_its_members_values_but_everyone_s_calibration():
    # Post-stratified on two strata; the domain is those who gave a value. The residual of
    # z = a(y − ȳ) is z minus its stratum's weighted mean, so by hand:
    # V = n/(n − 2) · Σ_i (w_i (z_i − z̄_h(i)))² / (Σ w a)².
    rng = np.random.default_rng(4)
    n = 60
    stratum = rng.integers(0, 2, n)
    population = np.array([700.0, 300.0])
    w = population[stratum] / np.bincount(stratum, minlength=2)[stratum]
    given = rng.random(n) < 0.7
    y = np.where(given, rng.normal(0.4 + 0.02 * stratum, 0.1), np.nan)
    design = np.column_stack([stratum == 0, stratum == 1]).astype(float)
    mean = np.sum(w[given] * y[given]) / w[given].sum()
    z = np.where(given, np.nan_to_num(y) - mean, 0.0)
    zbar = np.array([np.sum(w[stratum == h] * z[stratum == h]) / w[stratum == h].sum() for h in (0, 1)])
    expected = n / (n - 2) * np.sum((w * (z - zbar[stratum])) ** 2) / w[given].sum() ** 2
    spread = np.sum(w[given] * (y[given] - mean) ** 2) / w[given].sum()
    assert expected > spread / given.sum()  # the floor of the next test does not bind here
    assert domain_variance(y, given, w, design) == pytest.approx(expected, rel=1e-10)
    result = weighted_mean(y, given, w, design)
    kish = w[given].sum() ** 2 / np.sum(w[given] ** 2)
    half = stats.t.ppf(0.975, kish - 1) * math.sqrt(expected)
    assert result.mean == pytest.approx(mean)
    assert (result.ci_low, result.ci_high) == (pytest.approx(mean - half), pytest.approx(mean + half))


def test_calibration_cannot_claim_more_than_a_simple_random_sample_of_the_domain():
    # Values fully explained by the strata: the linearised variance is 0, the floor s²/n_d holds.
    stratum = np.array([0] * 20 + [1] * 20)
    y = np.where(stratum == 0, 0.2, 0.6)
    design = np.column_stack([stratum == 0, stratum == 1]).astype(float)
    variance = domain_variance(y, np.ones(40, bool), np.ones(40), design)
    assert variance == pytest.approx(np.var(y) / 40)


def test_an_empty_domain_gives_nothing():
    result = weighted_mean(np.full(5, np.nan), np.zeros(5, bool), np.ones(5))
    assert result.n == 0 and math.isnan(result.mean) and math.isnan(result.ci_low)
