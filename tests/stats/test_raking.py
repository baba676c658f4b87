"""Unit tests for raking, with expectations worked out by hand."""

import math

import numpy as np
import pytest

from plateforme.stats import (
    rake_feasible,
    EmptyCategoryError,
    InconsistentMarginsError,
    RakingError,
    UnknownCategoryError,
    rake,
)


def test_independent_sample_is_fitted_in_one_cycle():
    # Sex and age are independent in this sample, so one cycle is exact:
    # sex step -> M 15, 15 / F 35, 35; age step -> young x 40/50, old x 60/50.
    sample = {"sex": ["M", "M", "F", "F"], "age": ["young", "old", "young", "old"]}
    margins = {"sex": {"M": 30, "F": 70}, "age": {"young": 40, "old": 60}}
    result = rake(sample, margins, trim=None)
    np.testing.assert_allclose(result.weights, [12, 18, 28, 42])
    assert result.converged
    assert result.iterations == 1
    assert result.trimmed == 0
    assert result.max_margin_error < 1e-12


def test_two_by_two_preserves_the_seed_odds_ratio():
    # Raking keeps the sample's cross-product ratio (here 1*1 / (1*2) = 0.5).
    # With cell (M, young) = a: a(10 + a) = 0.5 (40 - a)(50 - a)
    # => a^2 + 110 a - 2000 = 0 => a = (-110 + sqrt(20100)) / 2.
    sample = {
        "sex": ["M", "M", "F", "F", "F"],
        "age": ["young", "old", "young", "young", "old"],
    }
    margins = {"sex": {"M": 40, "F": 60}, "age": {"young": 50, "old": 50}}
    result = rake(sample, margins, trim=None, tolerance=1e-12, max_iterations=500)
    a = (-110 + math.sqrt(20100)) / 2
    expected = [a, 40 - a, (50 - a) / 2, (50 - a) / 2, 10 + a]
    np.testing.assert_allclose(result.weights, expected, rtol=1e-9)
    assert result.converged and result.iterations > 1
    assert result.weights.sum() == pytest.approx(100)


def test_base_weights_are_kept_within_a_category():
    # One variable: poststratification. Base weights 1 and 3 split 100 as 25/75.
    result = rake({"sex": ["M", "M", "F"]}, {"sex": {"M": 100, "F": 50}}, base_weights=[1, 3, 7])
    np.testing.assert_allclose(result.weights, [25, 75, 50])


def test_shares_and_totals_give_weights_summing_to_the_population():
    sample = {"sex": ["M", "F", "F"]}
    shares = rake(sample, {"sex": {"M": 0.5, "F": 0.5}})
    totals = rake(sample, {"sex": {"M": 500, "F": 500}})
    assert shares.weights.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(totals.weights, [500, 250, 250])
    np.testing.assert_allclose(totals.weights, 1000 * shares.weights)


def test_totals_within_one_percent_are_averaged():
    # 1000 and 1005 differ by 0.5 %: both are rescaled to their mean 1002.5.
    sample = {"sex": ["M", "F"], "age": ["young", "old"]}
    margins = {"sex": {"M": 500, "F": 500}, "age": {"young": 505, "old": 500}}
    result = rake(sample, margins, trim=None)
    assert result.weights.sum() == pytest.approx(1002.5)


def test_kish_properties_of_the_result():
    result = rake({"sex": ["M", "F", "F", "F"]}, {"sex": {"M": 3, "F": 3}}, trim=None)
    # Weights 3, 1, 1, 1: n_eff = 36 / 12 = 3, deff = 4 / 3.
    assert result.n_eff == pytest.approx(3.0)
    assert result.deff == pytest.approx(4 / 3)


def test_vectorised_and_python_paths_agree():
    rng = np.random.default_rng(1)
    sex = rng.choice(["M", "F"], size=500)
    age = rng.integers(0, 5, size=500)
    margins = {"sex": {"M": 0.49, "F": 0.51}, "age": {i: 0.2 for i in range(5)}}
    from_arrays = rake({"sex": sex, "age": age}, margins)
    from_lists = rake({"sex": sex.tolist(), "age": age.tolist()}, margins)
    np.testing.assert_allclose(from_arrays.weights, from_lists.weights)


def test_infeasible_trim_does_not_converge_but_keeps_margins():
    # One variable fixes every weight: A gets factor 50, B 50/3, so A's factor
    # is 2x the mean (25). Capping it at 1.5x fights the margin forever.
    sample = {"group": ["A", "B", "B", "B"]}
    margins = {"group": {"A": 50, "B": 50}}
    result = rake(sample, margins, trim=(0.3, 1.5), max_iterations=20)
    assert not result.converged
    assert result.iterations == 20
    assert result.trimmed == 1
    # It stops after a raking cycle, so the margins (and the total) still hold.
    np.testing.assert_allclose(result.weights, [50, 50 / 3, 50 / 3, 50 / 3])
    assert result.max_margin_error < 1e-12


def test_feasible_trim_converges_within_bounds():
    rng = np.random.default_rng(7)
    n = 2000
    region = rng.choice(4, size=n, p=[0.4, 0.3, 0.2, 0.1])
    age = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
    margins = {"region": {0: 30, 1: 25, 2: 20, 3: 25}, "age": {0: 30, 1: 30, 2: 40}}
    untrimmed = rake({"region": region, "age": age}, margins, trim=None)
    factors = untrimmed.weights / untrimmed.weights.mean()
    assert factors.max() > 3.0  # so the default trim has work to do
    result = rake({"region": region, "age": age}, margins, tolerance=1e-9, max_iterations=1000)
    assert result.converged
    assert result.trimmed > 0
    relative = result.weights / result.weights.mean()
    assert relative.min() >= 0.3 * (1 - 1e-9) and relative.max() <= 3.0 * (1 + 1e-9)
    assert result.max_margin_error <= 1e-9
    assert result.n_eff > untrimmed.n_eff  # trimming is there to buy precision


def test_inconsistent_margins_name_variables_and_totals():
    sample = {"sex": ["M", "F"], "age": ["young", "old"]}
    margins = {"sex": {"M": 500, "F": 500}, "age": {"young": 600, "old": 500}}
    with pytest.raises(InconsistentMarginsError) as info:
        rake(sample, margins)
    message = str(info.value)
    assert "'sex'" in message and "1000" in message
    assert "'age'" in message and "1100" in message


def test_shares_mixed_with_totals_are_inconsistent():
    sample = {"sex": ["M", "F"], "age": ["young", "old"]}
    with pytest.raises(InconsistentMarginsError):
        rake(sample, {"sex": {"M": 0.5, "F": 0.5}, "age": {"young": 60, "old": 40}})


def test_empty_category_names_variable_and_category():
    sample = {"sex": ["M", "F"], "age": ["18-29", "30-44"]}
    margins = {"sex": {"M": 1, "F": 1}, "age": {"18-29": 1, "30-44": 0.5, "75+": 0.5}}
    with pytest.raises(EmptyCategoryError, match=r"'age'.*'75\+'"):
        rake(sample, margins)


def test_unknown_category_names_variable_and_value():
    sample = {"sex": ["M", "F", "X"], "age": ["a", "a", "b"]}
    margins = {"sex": {"M": 1, "F": 1}, "age": {"a": 1, "b": 1}}
    with pytest.raises(UnknownCategoryError, match=r"'sex'.*'X'"):
        rake(sample, margins)
    # Same through the vectorised path, and for an unhashable value.
    with pytest.raises(UnknownCategoryError, match=r"'sex'.*'X'"):
        rake({"sex": np.array(["M", "F", "X"])}, {"sex": {"M": 1, "F": 1}})
    with pytest.raises(UnknownCategoryError, match=r"'sex'.*\['M'\]"):
        rake({"sex": ["M", ["M"]]}, {"sex": {"M": 1}})


def test_errors_are_value_errors():
    assert issubclass(EmptyCategoryError, RakingError)
    assert issubclass(RakingError, ValueError)


@pytest.mark.parametrize(
    "sample, margins, kwargs, match",
    [
        ({"sex": ["M"]}, {"age": {"a": 1}}, {}, "differ"),
        ({"sex": ["M"], "age": ["a", "b"]}, {"sex": {"M": 1}, "age": {"a": 1, "b": 1}}, {}, "lengths"),
        ({"sex": []}, {"sex": {"M": 1}}, {}, "no respondent"),
        ({"sex": ["M"]}, {"sex": {"M": 0}}, {}, "positive"),
        ({"sex": ["M"]}, {"sex": {"M": 1}}, {"base_weights": [0]}, "positive"),
        ({"sex": ["M"]}, {"sex": {"M": 1}}, {"base_weights": [1, 2]}, "expected 1"),
        ({"sex": ["M"]}, {"sex": {"M": 1}}, {"trim": (1.2, 3)}, "trim"),
        ({}, {}, {}, "at least one"),
    ],
)
def test_invalid_input_is_rejected(sample, margins, kwargs, match):
    with pytest.raises(ValueError, match=match):
        rake(sample, margins, **kwargs)


def _infeasible_sample():
    # 2 men among 40 respondents for a population half men: each man needs 10× the mean
    # weight, which the bounds (0.3, 3) forbid.
    sex = ["M"] * 2 + ["F"] * 38
    age = (["young", "old"] * 20)[:40]
    margins = {"sex": {"M": 500, "F": 500}, "age": {"young": 500, "old": 500}}
    return {"sex": sex, "age": age}, margins


def test_infeasible_bounds_are_not_published_as_converged():
    sample, margins = _infeasible_sample()
    plain = rake(sample, margins, trim=(0.3, 3.0))
    assert not plain.converged  # what used to be published, margins off
    result = rake_feasible(sample, margins, trim=(0.3, 3.0))
    assert result.converged and result.trim_widened
    assert result.max_margin_error <= 1e-6
    # The weights meet the margins exactly, checked by hand…
    w = result.weights
    men = np.array(sample["sex"]) == "M"
    assert w[men].sum() == pytest.approx(500, rel=1e-5) and w[~men].sum() == pytest.approx(500, rel=1e-5)
    # …and the widened upper bound is the smallest that holds, to 1 %: about the men's factor.
    low, high = result.trim
    relative = w / w.mean()
    assert relative.max() <= high * (1 + 1e-6)
    assert high == pytest.approx(relative.max(), rel=0.02)
    assert rake(sample, margins, trim=(0.3, high / 1.02)).converged is False
    assert result.max_weight_ratio == pytest.approx(relative.max())


def test_feasible_bounds_are_left_as_they_are():
    sample = {"sex": ["M", "F", "F", "M", "F", "F"]}
    result = rake_feasible(sample, {"sex": {"M": 50, "F": 50}}, trim=(0.3, 3.0))
    assert result.converged and not result.trim_widened and result.trim == (0.3, 3.0)
