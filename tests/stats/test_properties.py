"""Property-based tests (hypothesis) for raking, shares and suppression."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from plateforme.stats import agreement_share, kish_n_eff, rake, suppress_cells, wilson_interval

SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def raking_problems(draw):
    """A sample plus margins that some positive weighting reproduces exactly.

    Margins are the weighted counts under random "true" weights, so a solution
    exists and raking must find one (random margins could be infeasible).
    """
    n = draw(st.integers(4, 60))
    n_vars = draw(st.integers(1, 3))
    sample = {}
    for v in range(n_vars):
        k = draw(st.integers(1, 4))
        # Every category gets at least one respondent, the rest are drawn.
        cats = list(range(k)) + draw(st.lists(st.integers(0, k - 1), min_size=n - k, max_size=n - k))
        sample[f"v{v}"] = [f"c{c}" for c in draw(st.permutations(cats))]
    true_weights = np.array(draw(st.lists(st.floats(0.2, 5.0), min_size=n, max_size=n)))
    margins = {}
    for var, values in sample.items():
        margin = {}
        for value, w in zip(values, true_weights):
            margin[value] = margin.get(value, 0.0) + w
        margins[var] = margin
    base = np.array(draw(st.lists(st.floats(0.5, 2.0), min_size=n, max_size=n)))
    return sample, margins, base


def weighted_margins(sample, weights):
    out = {}
    for var, values in sample.items():
        out[var] = {}
        for value, w in zip(values, weights):
            out[var][value] = out[var].get(value, 0.0) + w
    return out


@SETTINGS
@given(raking_problems())
def test_raked_weights_reproduce_every_margin(problem):
    sample, margins, base = problem
    result = rake(sample, margins, base_weights=base, trim=None, tolerance=1e-8, max_iterations=5000)
    assert result.converged
    assert result.max_margin_error <= 1e-8
    achieved = weighted_margins(sample, result.weights)
    for var, margin in margins.items():
        for cat, target in margin.items():
            assert achieved[var][cat] == pytest.approx(target, rel=1e-7)
    assert np.all(result.weights > 0)


@SETTINGS
@given(raking_problems(), st.randoms(use_true_random=False))
def test_permuting_respondents_permutes_weights(problem, rnd):
    sample, margins, base = problem
    n = len(base)
    order = list(range(n))
    rnd.shuffle(order)
    shuffled = {var: [values[i] for i in order] for var, values in sample.items()}
    original = rake(sample, margins, base_weights=base, max_iterations=300)
    permuted = rake(shuffled, margins, base_weights=base[order], max_iterations=300)
    np.testing.assert_allclose(permuted.weights, original.weights[order], rtol=1e-9)
    assert permuted.converged == original.converged
    assert permuted.trimmed == original.trimmed


@SETTINGS
@given(raking_problems(), st.floats(1e-3, 1e6))
def test_scaling_margins_scales_weights(problem, factor):
    sample, margins, base = problem
    scaled = {var: {k: v * factor for k, v in m.items()} for var, m in margins.items()}
    # Default trimming included: factors are relative, so scale-free.
    original = rake(sample, margins, base_weights=base, max_iterations=300)
    result = rake(sample, scaled, base_weights=base, max_iterations=300)
    np.testing.assert_allclose(result.weights, factor * original.weights, rtol=1e-9)


@SETTINGS
@given(raking_problems())
def test_converged_trimmed_weights_respect_bounds(problem):
    sample, margins, base = problem
    result = rake(sample, margins, base_weights=base, trim=(0.5, 2.0), tolerance=1e-8,
                  max_iterations=500)
    # Ending after a raking cycle, the total always matches.
    total = sum(next(iter(margins.values())).values())
    assert result.weights.sum() == pytest.approx(total, rel=1e-9)
    if result.converged:
        relative = (result.weights / base) / np.mean(result.weights / base)
        assert relative.min() >= 0.5 * (1 - 1e-8) and relative.max() <= 2.0 * (1 + 1e-8)
        assert result.max_margin_error <= 1e-8


answers_and_weights = st.integers(1, 80).flatmap(
    lambda n: st.tuples(
        st.lists(st.sampled_from([1, 2, 3, 4, 5, "dk", None]), min_size=n, max_size=n),
        st.lists(st.floats(0.0, 100.0), min_size=n, max_size=n),
    )
)


@SETTINGS
@given(answers_and_weights)
def test_shares_stay_in_unit_interval_and_n_eff_below_n(data):
    answers, weights = data
    share = agreement_share(answers, weights)
    if math.isnan(share.agree):
        assert sum(w for a, w in zip(answers, weights) if a is not None) == 0
        return
    for value in (share.agree, share.dont_know, share.ci_low, share.ci_high):
        assert 0.0 <= value <= 1.0
    assert share.agree + share.dont_know <= 1.0 + 1e-12
    assert share.ci_low <= share.agree + 1e-12 and share.agree <= share.ci_high + 1e-12
    assert 1.0 - 1e-9 <= share.n_eff <= share.n * (1 + 1e-12)


@SETTINGS
@given(answers_and_weights, st.randoms(use_true_random=False))
def test_permuting_answers_changes_nothing(data, rnd):
    answers, weights = data
    order = list(range(len(answers)))
    rnd.shuffle(order)
    a = agreement_share(answers, weights)
    b = agreement_share([answers[i] for i in order], [weights[i] for i in order])
    assert a.n == b.n
    for x, y in zip((a.agree, a.dont_know, a.n_eff, a.ci_low), (b.agree, b.dont_know, b.n_eff, b.ci_low)):
        assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-9, abs=1e-12)


@SETTINGS
@given(st.lists(st.floats(0.0, 1e6), min_size=1, max_size=200))
def test_kish_n_eff_between_one_and_n(weights):
    n_eff = kish_n_eff(weights)
    if sum(weights) == 0:
        assert n_eff == 0.0
    else:
        assert 1.0 - 1e-9 <= n_eff <= len(weights) * (1 + 1e-12)


@SETTINGS
@given(st.integers(1, 10_000).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_matches_statsmodels_everywhere(count_nobs):
    count, nobs = count_nobs
    expected = proportion_confint(count, nobs, method="wilson")
    assert wilson_interval(count / nobs, nobs, z=1.959963984540054) == pytest.approx(
        expected, abs=1e-12
    )


@SETTINGS
@given(
    st.lists(st.integers(0, 40), min_size=1, max_size=12),
    st.integers(1, 20),
)
def test_suppression_leaves_no_lone_hidden_cell(counts, threshold):
    cells = {f"cell{i}": c for i, c in enumerate(counts)}
    hidden = suppress_cells(cells, threshold=threshold)
    assert {k for k, c in cells.items() if c < threshold} <= hidden
    # With more than one cell, never exactly one hidden (unless all are).
    if len(cells) > 1:
        assert len(hidden) != 1
    # Unless nothing is left visible, the hidden cells (whose sum the total gives away) are
    # several and reach the threshold together.
    if hidden and hidden != set(cells):
        assert len(hidden) > 1 and sum(cells[k] for k in hidden) >= threshold
    # Secondary cells are added smallest first and only while needed: without the last
    # (largest) one, the hidden cells were alone or below the threshold.
    secondary = hidden - {k for k, c in cells.items() if c < threshold}
    if secondary:
        rest = hidden - {max(secondary, key=lambda k: (cells[k], int(k[4:])))}
        assert len(rest) == 1 or sum(cells[k] for k in rest) < threshold
