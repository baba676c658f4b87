"""Unit tests for the officials' side and the gap."""

import math

import pytest
from scipy import stats as scipy_stats
from scipy.stats import t as scipy_t

from plateforme.stats import (
    gap,
    mean_absolute_error,
    officials_summary,
    projection,
    t_quantile,
    wrong_majority_rate,
)


def test_officials_summary_by_hand():
    summary = officials_summary([0.1, 0.3, 0.5, 0.7, 0.9], 10, 0.3, 0.6)
    assert summary.m == 5 and summary.total_officials == 10
    assert summary.mean == pytest.approx(0.5)
    assert summary.median == pytest.approx(0.5)
    # Squared deviations 0.16 + 0.04 + 0 + 0.04 + 0.16 = 0.4, over m - 1 = 4.
    assert summary.sd == pytest.approx(math.sqrt(0.1))
    # 0.1 below; 0.3 (bound included) and 0.5 inside; 0.7 and 0.9 above.
    assert (summary.below, summary.inside, summary.above) == pytest.approx((0.2, 0.4, 0.4))


def test_officials_summary_single_official_has_no_sd():
    summary = officials_summary([0.4], 3, 0.2, 0.5)
    assert math.isnan(summary.sd) and summary.inside == 1.0


@pytest.mark.parametrize(
    "estimates, total, low, high, match",
    [
        ([], 5, 0.1, 0.2, "no official"),
        ([40, 60], 5, 0.1, 0.2, "divide"),
        ([0.4, 0.6], 1, 0.1, 0.2, "only 1 officials"),
        ([0.4], 5, 0.3, 0.2, "reversed"),
    ],
)
def test_officials_summary_rejects_bad_input(estimates, total, low, high, match):
    with pytest.raises(ValueError, match=match):
        officials_summary(estimates, total, low, high)


def test_gap_by_hand():
    # Var = 0.2^2 / 10 * (1 - 10/50) + 0.4 * 0.6 / 100 = 0.0032 + 0.0024.
    result = gap(0.6, 0.2, 10, 50, 0.4, 100)
    se = math.sqrt(0.0056)
    assert result.gap == pytest.approx(0.2)
    assert result.se == pytest.approx(se)
    # Welch–Satterthwaite, by hand: (v1 + v2)² / (v1²/(m − 1) + v2²/(n_eff − 1)).
    df = 0.0056**2 / (0.0032**2 / 9 + 0.0024**2 / 99)
    t = scipy_t.ppf(0.975, df)
    assert result.df == pytest.approx(df)
    assert (result.ci_low, result.ci_high) == pytest.approx((0.2 - t * se, 0.2 + t * se))


@pytest.mark.parametrize("m, total", [(5, 12), (3, 10), (19, 60)])
def test_gap_interval_uses_a_t_quantile_when_few_officials_answer(m, total):
    # With a handful of officials, their variance rests on m − 1 degrees of freedom:
    # z = 1.96 under-covers (89 % measured for 5 of 12); the t quantile widens it.
    sd, p_hat, n_eff = 0.15, 0.45, 2000
    result = gap(0.5, sd, m, total, p_hat, n_eff)
    v1 = sd**2 / m * (1 - m / total)
    v2 = p_hat * (1 - p_hat) / n_eff
    df = (v1 + v2) ** 2 / (v1**2 / (m - 1) + v2**2 / (n_eff - 1))
    half = scipy_t.ppf(0.975, df) * math.sqrt(v1 + v2)
    assert result.ci_high - result.gap == pytest.approx(half, rel=1e-9)
    assert result.ci_high - result.gap > 1.96 * result.se * 1.05  # visibly wider than z


def test_t_quantile_matches_scipy():
    for df in (1, 1.3, 2, 4.5, 12, 99.9, 5000):
        for p in (0.975, 0.025, 0.995, 0.8):
            assert t_quantile(p, df) == pytest.approx(scipy_t.ppf(p, df), rel=1e-9, abs=1e-12)


def test_mean_absolute_error_says_what_it_is_measured_against():
    assert "p̂" in mean_absolute_error.__doc__ and "not the true" in mean_absolute_error.__doc__
    assert mean_absolute_error([0.2, 0.6], 0.5) == pytest.approx((0.3 + 0.1) / 2)


def test_gap_census_of_officials_has_no_officials_variance():
    # m = M: every official answered, so only the residents' side is uncertain,
    # even when the sd is undefined (a single official).
    result = gap(0.7, float("nan"), 1, 1, 0.5, 25)
    assert result.se == pytest.approx(0.1)


@pytest.mark.parametrize(
    "args", [(0.5, 0.1, 0, 5, 0.5, 10), (0.5, 0.1, 6, 5, 0.5, 10), (0.5, 0.1, 2, 5, 0.5, 0)]
)
def test_gap_rejects_bad_sizes(args):
    with pytest.raises(ValueError):
        gap(*args)


def test_mean_absolute_error():
    assert mean_absolute_error([0.2, 0.8], 0.5) == pytest.approx(0.3)
    assert mean_absolute_error([0.5], 0.5) == 0.0


def test_wrong_majority_rate():
    estimates = [0.3, 0.6, 0.5, 0.8]
    # Residents clearly agree: only 0.3 is on the wrong side (0.5 is on neither).
    assert wrong_majority_rate(estimates, 0.55, 0.7) == pytest.approx(0.25)
    # Residents clearly disagree: 0.6 and 0.8 are wrong.
    assert wrong_majority_rate(estimates, 0.2, 0.45) == pytest.approx(0.5)
    # No clear majority, including an interval touching 0.5.
    assert wrong_majority_rate(estimates, 0.45, 0.55) is None
    assert wrong_majority_rate(estimates, 0.5, 0.7) is None


def test_projection_by_hand():
    # x = 1, 0, 1, 0 and y = 0.8, 0.2, 0.6, 0.4: sum dx*dy = 0.4, sum dx^2 = 1,
    # sum dy^2 = 0.2, so r = 0.4 / sqrt(0.2).
    r = projection([True, False, True, False], [0.8, 0.2, 0.6, 0.4])
    assert r == pytest.approx(0.4 / math.sqrt(0.2))


def test_projection_matches_scipy_on_codes():
    opinions = [1, 2, 5, 4, 3, 5, 2]
    estimates = [0.2, 0.35, 0.9, 0.6, 0.5, 0.7, 0.1]
    expected = scipy_stats.pearsonr(opinions, estimates).statistic
    assert projection(opinions, estimates) == pytest.approx(expected)


def test_projection_undefined_cases():
    assert projection([1, 5], [0.1, 0.9]) is None  # fewer than 3
    assert projection([4, 4, 4], [0.1, 0.5, 0.9]) is None  # constant opinion
    assert projection([1, 3, 5], [0.5, 0.5, 0.5]) is None  # constant estimate
    # "dk" and None are dropped, leaving 2 pairs.
    assert projection([1, "dk", None, 5], [0.1, 0.3, 0.4, 0.9]) is None
    assert projection([1, "dk", 3, 5], [0.1, 0.3, 0.4, 0.9]) == pytest.approx(
        scipy_stats.pearsonr([1, 3, 5], [0.1, 0.4, 0.9]).statistic
    )


def test_projection_rejects_bad_input():
    with pytest.raises(ValueError, match="3 opinions but 2"):
        projection([1, 2, 3], [0.1, 0.2])
    with pytest.raises(ValueError, match="invalid own opinion"):
        projection([1, 7, 3], [0.1, 0.2, 0.3])
