"""Unit tests for effective sizes, Wilson intervals and agreement shares."""

import math

import numpy as np
import pytest

from plateforme.stats import (
    agreement_share,
    answer_codes,
    design_effect,
    kish_n_eff,
    wilson_interval,
)


def test_kish_and_design_effect_by_hand():
    # (1 + 1 + 2)^2 / (1 + 1 + 4) = 16 / 6; deff = 3 / (16 / 6) = 1.125.
    assert kish_n_eff([1, 1, 2]) == pytest.approx(16 / 6)
    assert design_effect([1, 1, 2]) == pytest.approx(1.125)
    assert kish_n_eff([5, 5, 5, 5]) == pytest.approx(4)
    assert design_effect([5, 5, 5, 5]) == pytest.approx(1)


def test_kish_edge_cases():
    assert kish_n_eff([]) == 0.0
    assert kish_n_eff([0, 0]) == 0.0
    assert math.isnan(design_effect([0, 0]))
    with pytest.raises(ValueError):
        kish_n_eff([1, -1])
    with pytest.raises(ValueError):
        kish_n_eff([1, float("nan")])


def test_wilson_textbook_values():
    # 50 successes out of 100: the classic (0.4038, 0.5962).
    low, high = wilson_interval(0.5, 100)
    assert (round(low, 4), round(high, 4)) == (0.4038, 0.5962)
    # p = 0: low is 0 and high is z^2/n / (1 + z^2/n) = 0.384146 / 1.384146.
    low, high = wilson_interval(0.0, 10)
    assert low == 0.0
    assert high == pytest.approx(0.3841459 / 1.3841459, rel=1e-6)
    low, high = wilson_interval(1.0, 10)
    assert high == pytest.approx(1.0) and low == pytest.approx(1 / 1.3841459, rel=1e-6)


def test_wilson_accepts_effective_sizes_and_other_levels():
    low, high = wilson_interval(0.3, 47.5)
    assert 0 < low < 0.3 < high < 1
    narrow = wilson_interval(0.3, 47.5, z=1.0)
    assert low < narrow[0] < narrow[1] < high


def test_wilson_degenerate_inputs():
    assert all(math.isnan(x) for x in wilson_interval(0.5, 0))
    assert all(math.isnan(x) for x in wilson_interval(0.5, -3))
    assert all(math.isnan(x) for x in wilson_interval(float("nan"), 10))
    with pytest.raises(ValueError):
        wilson_interval(1.2, 10)


def test_agreement_share_by_hand():
    answers = [5, 4, 1, "dk", None, 3]
    weights = [1, 2, 1, 2, 10, 2]
    # Blank (weight 10) is out; denominator 1 + 2 + 1 + 2 + 2 = 8.
    share = agreement_share(answers, weights)
    assert share.n == 5
    assert share.agree == pytest.approx(3 / 8)
    assert share.dont_know == pytest.approx(2 / 8)
    assert share.n_eff == pytest.approx(64 / 14)
    assert (share.ci_low, share.ci_high) == pytest.approx(wilson_interval(3 / 8, 64 / 14))


def test_agreement_share_unweighted_and_numeric_arrays():
    share = agreement_share([4, 5, 2, 1])
    assert share.agree == 0.5 and share.n == 4 and share.n_eff == 4
    # Numeric exports: nan is blank, 4.0 is a 4.
    numeric = agreement_share(np.array([4.0, 5.0, 2.0, 1.0, np.nan]))
    assert numeric == share
    assert agreement_share(np.array([4, 5, 2, 1], dtype=np.int8)) == share


def test_agreement_share_with_no_answer():
    share = agreement_share([None, None], [1, 1])
    assert share.n == 0 and share.n_eff == 0
    assert all(math.isnan(x) for x in (share.agree, share.dont_know, share.ci_low, share.ci_high))


def test_answer_codes():
    codes = answer_codes([1, 2, 3, 4, 5, "dk", None, float("nan"), 4.0])
    assert codes.tolist() == [1, 2, 3, 4, 5, 0, -1, -1, 4]


@pytest.mark.parametrize("bad", [0, 6, "4", "yes", 2.5, [4], True, False])
def test_invalid_answers_are_named(bad):
    with pytest.raises(ValueError, match="invalid answer"):
        agreement_share([4, bad, 5])
    with pytest.raises(ValueError, match="invalid answer"):
        answer_codes(np.array([4.0, 6.0]))


def test_weights_must_match_answers():
    with pytest.raises(ValueError, match="expected 3 weights"):
        agreement_share([4, 5, 1], [1, 1])
