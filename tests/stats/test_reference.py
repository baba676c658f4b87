"""Cross-checks against independent implementations, on data those packages ship.

- Wilson intervals: statsmodels' ``proportion_confint(method="wilson")``.
- Raking: samplics' ``SampleWeight.rake`` (on its NHANES II extract, with base
  weights) and weightipy's RIM weighting (on statsmodels' ANES 1996 data,
  with and without a cap).
- Weighted shares and Kish efficiency: statsmodels' ``DescrStatsW`` and
  weightipy's ``weighting_efficiency``.
The population margins are illustrative, not official figures: what is checked
is that two implementations agree on the same real respondents.
"""

import os
import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.datasets import anes96
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from plateforme.stats import agreement_share, kish_n_eff, rake, wilson_interval

# statsmodels uses the exact quantile; ours is rounded to 1.959964.
Z_EXACT = 1.959963984540054

AGE_BANDS = ["18-29", "30-44", "45-59", "60-74", "75+"]
ANES_MARGINS = {  # percentages
    "age": {"18-29": 22, "30-44": 32, "45-59": 23, "60-74": 16, "75+": 7},
    "educ": {
        "no diploma": 17,
        "high school": 33,
        "some college": 25,
        "college": 13,
        "postgraduate": 12,
    },
}
EDUC_GROUPS = {
    1: "no diploma",
    2: "no diploma",
    3: "high school",
    4: "some college",
    5: "college",
    6: "postgraduate",
    7: "postgraduate",
}


# weightipy and samplics are imported in fixtures: if one is missing, only the
# tests that need it error out, instead of the whole session at collection.
@pytest.fixture(scope="module")
def weightipy():
    import weightipy as module  # test dependency

    return module


@pytest.fixture(scope="module")
def samplics():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # "samplics is archived"
        import samplics as module  # test dependency

    return module


@pytest.fixture(scope="module")
def anes():
    data = anes96.load_pandas().data
    age = pd.cut(data["age"], [17, 29, 44, 59, 74, 200], labels=AGE_BANDS).astype(str)
    return pd.DataFrame(
        {
            "age": age.to_numpy(),
            "educ": data["educ"].astype(int).map(EDUC_GROUPS).to_numpy(),
            "selfLR": data["selfLR"].astype(int).to_numpy(),
        }
    )


@pytest.fixture(scope="module")
def nhanes(samplics):
    path = os.path.join(os.path.dirname(samplics.__file__), "datasets", "data", "nhanes2.csv")
    return pd.read_csv(path)


@pytest.mark.parametrize(
    "count, nobs",
    [(0, 10), (1, 10), (5, 10), (10, 10), (37, 120), (3, 1000), (999, 1000), (12.4, 31.7)],
)
def test_wilson_matches_statsmodels(count, nobs):
    expected = proportion_confint(count, nobs, alpha=0.05, method="wilson")
    assert wilson_interval(count / nobs, nobs, z=Z_EXACT) == pytest.approx(expected, abs=1e-12)
    # The default z differs from the exact quantile by 1.6e-8 only.
    assert wilson_interval(count / nobs, nobs) == pytest.approx(expected, abs=1e-7)


def test_raking_with_base_weights_matches_samplics_on_nhanes(nhanes, samplics):
    region = nhanes["region"].to_numpy()
    race = nhanes["race"].to_numpy()
    base = nhanes["finalwgt"].to_numpy(dtype=float)  # samplics truncates int arrays
    population = 230e6
    shares = {"region": {1: 0.22, 2: 0.26, 3: 0.33, 4: 0.19}, "race": {1: 0.83, 2: 0.12, 3: 0.05}}
    controls = {var: {k: s * population for k, s in m.items()} for var, m in shares.items()}

    ours = rake(
        {"region": region, "race": race}, controls, base_weights=base,
        trim=None, tolerance=1e-12, max_iterations=1000,
    )
    theirs = samplics.SampleWeight().rake(
        samp_weight=base, margins={"region": region, "race": race}, control=controls,
        tol=1e-12, ctrl_tol=1e-12, max_iter=1000,
    )
    assert ours.converged
    np.testing.assert_allclose(ours.weights, theirs, rtol=1e-9)
    assert ours.weights.sum() == pytest.approx(population)


def test_raking_matches_weightipy_on_anes(anes, weightipy):
    sample = {"age": anes["age"].to_numpy(), "educ": anes["educ"].to_numpy()}
    ours = rake(sample, ANES_MARGINS, trim=None, tolerance=1e-12, max_iterations=1000)
    scheme = weightipy.scheme_from_dict(
        ANES_MARGINS, rim_params={"convcrit": 1e-12, "max_iterations": 5000}
    )
    theirs = weightipy.weight(anes[["age", "educ"]], scheme).to_numpy()
    assert ours.converged
    # weightipy's weights average 1; ours sum to the margins' total (100).
    np.testing.assert_allclose(ours.weights, theirs * 100 / len(theirs), rtol=1e-9)
    # Its efficiency is n_eff / n in percent.
    assert ours.n_eff == pytest.approx(
        weightipy.weighting_efficiency(pd.Series(theirs)) * len(theirs) / 100, rel=1e-9
    )


@pytest.mark.parametrize("cap", [3.0, 2.5])
def test_trimmed_raking_matches_weightipy_cap_on_anes(anes, weightipy, cap):
    sample = {"age": anes["age"].to_numpy(), "educ": anes["educ"].to_numpy()}
    # weightipy caps only from above; a low bound of 0.05 never binds here.
    ours = rake(sample, ANES_MARGINS, trim=(0.05, cap), tolerance=1e-12, max_iterations=2000)
    scheme = weightipy.scheme_from_dict(
        ANES_MARGINS, rim_params={"convcrit": 1e-12, "max_iterations": 5000, "cap": cap}
    )
    scheme.anesrake_cap_correction = False  # else it caps at cap + 0.0001
    theirs = weightipy.weight(anes[["age", "educ"]], scheme).to_numpy()
    assert ours.converged and ours.trimmed > 0
    np.testing.assert_allclose(ours.weights, theirs * 100 / len(theirs), rtol=1e-8)
    assert (ours.weights / ours.weights.mean()).max() == pytest.approx(cap)


def test_weighted_agreement_on_anes_matches_statsmodels(anes, weightipy):
    # Statement "I am rather conservative": the 7-point self-placement folded
    # onto the 5-point scale (1-2 -> 1, 3 -> 2, 4 -> 3, 5 -> 4, 6-7 -> 5).
    codes = anes["selfLR"].map({1: 1, 2: 1, 3: 2, 4: 3, 5: 4, 6: 5, 7: 5}).tolist()
    sample = {"age": anes["age"].to_numpy(), "educ": anes["educ"].to_numpy()}
    weights = rake(sample, ANES_MARGINS).weights

    share = agreement_share(codes, weights)
    agrees = (anes["selfLR"] >= 5).to_numpy(dtype=float)
    expected_p = DescrStatsW(agrees, weights=weights).mean
    n_eff = weightipy.weighting_efficiency(pd.Series(weights)) * len(weights) / 100
    assert share.n == len(anes)
    assert share.agree == pytest.approx(expected_p, rel=1e-12)
    assert share.n_eff == pytest.approx(n_eff, rel=1e-12)
    expected_ci = proportion_confint(expected_p * n_eff, n_eff, method="wilson")
    assert (share.ci_low, share.ci_high) == pytest.approx(expected_ci, abs=1e-7)
    # Weighting to a less educated population moves the estimate: check it is
    # not a no-op compared with the unweighted share.
    unweighted = agreement_share(codes)
    assert unweighted.agree == pytest.approx(agrees.mean())
    assert abs(share.agree - unweighted.agree) > 1e-3
    assert share.n_eff < unweighted.n_eff == len(anes)


def test_unweighted_agreement_ci_is_statsmodels_wilson_on_counts(anes):
    codes = anes["selfLR"].map({1: 1, 2: 1, 3: 2, 4: 3, 5: 4, 6: 5, 7: 5}).tolist()
    # Half the respondents leave it blank, a tenth say "dk".
    codes = [None if i % 2 else ("dk" if i % 10 == 0 else c) for i, c in enumerate(codes)]
    share = agreement_share(codes)
    answered = [c for c in codes if c is not None]
    count = sum(1 for c in answered if c in (4, 5))
    assert share.n == len(answered)
    assert share.dont_know == pytest.approx(answered.count("dk") / len(answered))
    expected = proportion_confint(count, len(answered), method="wilson")
    assert (share.ci_low, share.ci_high) == pytest.approx(expected, abs=1e-7)
    assert kish_n_eff(np.ones(len(answered))) == pytest.approx(len(answered))
