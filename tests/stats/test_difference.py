"""Differences of two independent published estimates, checked against statsmodels/scipy."""

import dataclasses
import math

import numpy as np
import pytest
from scipy.stats import t as scipy_t
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from plateforme.stats.difference import Difference, gap_difference, se_from_t_interval, share_difference


def _wilson(count, n):
    low, high = proportion_confint(count, n, alpha=0.05, method="wilson")
    return count / n, float(low), float(high)


def test_newcombe_published_example():
    # Newcombe (1998), Stat Med 17:873, table II example (a): 56/70 − 48/80, method 10.
    result = share_difference(*_wilson(48, 80), *_wilson(56, 70))
    assert result.estimate == pytest.approx(0.2)
    assert (result.ci_low, result.ci_high) == pytest.approx((0.0524, 0.3339), abs=1e-4)
    assert result.excludes_zero()


@pytest.mark.parametrize("a_count, a_n, b_count, b_n", [
    (48, 80, 56, 70), (5, 56, 0, 29), (0, 10, 10, 10), (120, 400, 131, 380), (7, 12, 3, 40), (30, 30, 29, 31),
])
def test_share_difference_matches_statsmodels_newcombe(a_count, a_n, b_count, b_n):
    result = share_difference(*_wilson(a_count, a_n), *_wilson(b_count, b_n))
    low, high = confint_proportions_2indep(b_count, b_n, a_count, a_n, method="newcomb", compare="diff")
    assert result.estimate == pytest.approx(b_count / b_n - a_count / a_n)
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), abs=2e-6)


def test_share_difference_on_effective_sizes_by_formula():
    # Wilson bounds on non-integer effective sizes (what the payload publishes), by hand.
    def wilson(p, n, z=1.959963984540054):
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return p, centre - half, centre + half

    a, a_low, a_high = wilson(0.41, 187.3)
    b, b_low, b_high = wilson(0.58, 96.4)
    result = share_difference(a, a_low, a_high, b, b_low, b_high)
    assert result.ci_low == pytest.approx(0.17 - math.hypot(b - b_low, a_high - a))
    assert result.ci_high == pytest.approx(0.17 + math.hypot(b_high - b, a - a_low))
    # Asymmetric: Wilson bounds are not centred on the share.
    assert result.ci_high - 0.17 != pytest.approx(0.17 - result.ci_low, abs=1e-6)


@pytest.mark.parametrize("args", [
    (0.5, 0.6, 0.7, 0.5, 0.4, 0.6),  # share outside its bounds
    (0.5, 0.4, 1.2, 0.5, 0.4, 0.6),  # bound above 1
    (math.nan, 0.4, 0.6, 0.5, 0.4, 0.6),
])
def test_share_difference_rejects_inconsistent_input(args):
    with pytest.raises(ValueError):
        share_difference(*args)


def test_gap_difference_is_welch_on_two_samples():
    # Two independent samples: each mean is a t estimate (se = s/√n, df = n − 1); their
    # difference must be Welch's interval, as statsmodels computes it from the raw data.
    rng = np.random.default_rng(7)
    x = rng.normal(0.1, 0.2, 12)
    y = rng.normal(-0.05, 0.08, 40)
    a_se, b_se = x.std(ddof=1) / math.sqrt(12), y.std(ddof=1) / math.sqrt(40)
    result = gap_difference(x.mean(), a_se, 11, y.mean(), b_se, 39)
    low, high = CompareMeans(DescrStatsW(y), DescrStatsW(x)).tconfint_diff(alpha=0.05, usevar="unequal")
    assert result.estimate == pytest.approx(y.mean() - x.mean())
    assert (result.ci_low, result.ci_high) == pytest.approx((low, high), rel=1e-7)


def test_gap_difference_by_formula_with_fractional_df():
    se = math.sqrt(0.03**2 + 0.05**2)
    df = se**4 / (0.03**4 / 17.4 + 0.05**4 / 6.2)
    t = scipy_t.ppf(0.975, df)
    result = gap_difference(-0.12, 0.03, 17.4, 0.04, 0.05, 6.2)
    assert result == Difference(pytest.approx(0.16), pytest.approx(0.16 - t * se), pytest.approx(0.16 + t * se))
    assert result.excludes_zero() == (0.16 - t * se > 0)
    assert not gap_difference(-0.12, 0.03, 17.4, -0.05, 0.05, 6.2).excludes_zero()


def test_gap_difference_infinite_df_and_zero_se():
    # One side normal (df inf): only the other's df counts, df = se⁴/(se_b⁴/df_b).
    se = math.sqrt(0.02**2 + 0.04**2)
    df = se**4 / (0.04**4 / 9)
    result = gap_difference(0.1, 0.02, math.inf, 0.3, 0.04, 9)
    assert result.ci_low == pytest.approx(0.2 - scipy_t.ppf(0.975, df) * se)
    # Both exact: the interval is the point; one exact: the other's t interval alone.
    assert gap_difference(0.1, 0.0, math.inf, 0.3, 0.0, 5) == Difference(pytest.approx(0.2), pytest.approx(0.2),
                                                                          pytest.approx(0.2))
    alone = gap_difference(0.1, 0.0, 3, 0.3, 0.05, 5)
    assert alone.ci_high == pytest.approx(0.2 + scipy_t.ppf(0.975, 5) * 0.05)
    assert alone.excludes_zero()


@pytest.mark.parametrize("args", [
    (0.1, -0.01, 5, 0.2, 0.01, 5), (0.1, 0.01, 0, 0.2, 0.01, 5), (0.1, 0.01, math.nan, 0.2, 0.01, 5),
    (math.inf, 0.01, 5, 0.2, 0.01, 5),
])
def test_gap_difference_rejects_bad_input(args):
    with pytest.raises(ValueError):
        gap_difference(*args)


def test_se_recovered_from_a_published_interval():
    t = scipy_t.ppf(0.975, 13.7)
    assert se_from_t_interval(0.1 - t * 0.04, 0.1 + t * 0.04, 13.7) == pytest.approx(0.04)
    # No df (older snapshots, normal quantile) and a point interval.
    assert se_from_t_interval(0.1 - 1.959964 * 0.04, 0.1 + 1.959964 * 0.04, None) == pytest.approx(0.04)
    assert se_from_t_interval(0.2, 0.2, 8.0) == 0.0
    with pytest.raises(ValueError):
        se_from_t_interval(0.3, 0.2, 8.0)


def test_difference_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Difference(0.1, 0.0, 0.2).estimate = 0.3
    assert Difference(0.1, 0.01, 0.2).excludes_zero() and not Difference(0.1, 0.0, 0.2).excludes_zero()
    assert Difference(-0.1, -0.2, -0.01).excludes_zero()
