r"""What residents think of each other: their own estimate of how many residents agree.

Each resident may answer « sur 100 habitants, combien sont d'accord ? » for each statement
(ResidentResponse.estimates). Per statement this publishes, in the statement's
``residents_estimate`` block (absent from snapshots published before it):

- the raked-weighted mean of those estimates, among residents who gave one, with its 95 %
  interval (stats/weighted_mean.py: linearised on the raking's calibration, Student's t);
- ``paired_gap``: the weighted mean of (estimate − agreement) per respondent who gave both an
  estimate and an answer to the statement ("ne sait pas" counts as not agreeing, as in the
  share), with its interval: do residents, too, underestimate their neighbours?

Small cells: nothing rests on fewer than the survey's ``min_residents`` answers. The paired
gap is computed on B, those who gave both; the mean estimate on E ⊇ B and the share on S ⊇ B
are published too, so the paired gap is withheld whenever it would let a reader solve for a
group smaller than the threshold by difference (`paired_gap_disclosive`): E \ B (estimated,
skipped the statement) or S \ B (answered, no estimate) of 1 to min_residents − 1 people when
the other remainder is empty (then mean_B(estimate) or share_B is known, and the small group's
figure follows); and, with equal weights (no raking), any E \ B of 1 to min_residents − 1:
Σ_E estimate − Σ_S agree − |B|·gap = Σ_{E\B} estimate − Σ_{S\B} agree, and the agreements
add up to a whole number while the estimates are fractions of 1, so the small group's total
estimate would be known to within the published rounding. Raked weights, which are not
published, break that integer structure.
"""
from __future__ import annotations

import math

import numpy as np

from ..stats.weighted_mean import weighted_mean

EMPTY_GAP = {"n": None, "value": None, "ci_low": None, "ci_high": None, "df": None, "excludes_zero": None,
             "suppressed": True}


def _round(value, digits: int = 4):
    if value is None or not math.isfinite(float(value)):
        return None
    return round(float(value), digits)


def estimate_matrix(estimate_strings: list[str], k: int) -> np.ndarray:
    """Respondents × statements estimates as fractions in [0, 1], nan where none was given."""
    out = np.full((len(estimate_strings), k), np.nan)
    for i, text in enumerate(estimate_strings):
        if not text:
            continue
        for j, value in enumerate(text.split(",")[:k]):
            if value != "":
                out[i, j] = int(value) / 100
    return out


def paired_gap_disclosive(n_given: int, n_answered: int, n_both: int, threshold: int, weighted: bool) -> bool:
    """Whether publishing the paired gap beside the mean estimate and the share would let a
    group of fewer than ``threshold`` be solved for (the module's rule)."""
    estimated_only, answered_only = n_given - n_both, n_answered - n_both
    small = lambda count: 0 < count < threshold  # noqa: E731
    if (small(estimated_only) and answered_only == 0) or (small(answered_only) and estimated_only == 0):
        return True
    return not weighted and small(estimated_only)


def residents_estimate_block(estimates: np.ndarray, codes: np.ndarray, weights: np.ndarray,
                             design: np.ndarray | None, threshold: int) -> dict:
    """The statement's ``residents_estimate`` block from one column of `estimate_matrix`, the
    statement's answer codes (-1 blank, 0 dk, 1..5), the raked weights and calibration."""
    given = ~np.isnan(estimates)
    answered = codes != -1
    both = given & answered
    n_given, n_answered, n_both = int(given.sum()), int(answered.sum()), int(both.sum())
    if n_given < threshold:
        return {"n": None, "n_eff": None, "mean": None, "ci_low": None, "ci_high": None, "df": None,
                "variance": None, "suppressed": True, "paired_gap": dict(EMPTY_GAP)}
    mean = weighted_mean(estimates, given, weights, design)
    block = {"n": n_given, "n_eff": _round(mean.n_eff, 1), "mean": _round(mean.mean),
             "ci_low": _round(max(mean.ci_low, 0.0)), "ci_high": _round(min(mean.ci_high, 1.0)),
             "df": _round(mean.df, 1), "variance": mean.variance, "suppressed": False,
             "paired_gap": dict(EMPTY_GAP)}
    if n_both < threshold or paired_gap_disclosive(n_given, n_answered, n_both, threshold, design is not None):
        return block
    difference = np.where(both, np.nan_to_num(estimates) - (codes >= 4), 0.0)
    paired = weighted_mean(difference, both, weights, design)
    block["paired_gap"] = {
        "n": n_both, "value": _round(paired.mean), "ci_low": _round(paired.ci_low),
        "ci_high": _round(paired.ci_high), "df": _round(paired.df, 1),
        "excludes_zero": bool(paired.ci_low > 0 or paired.ci_high < 0), "suppressed": False,
    }
    return block


def estimate_summary(statements: list[dict]) -> dict | None:
    """Across statements, whether residents too misjudge their neighbours: how many paired
    gaps are published, how many are negative with an interval below 0 (underestimate), above
    0 (overestimate), and their mean. None when no statement has one (or an old snapshot)."""
    gaps = [s["residents_estimate"]["paired_gap"] for s in statements
            if (s.get("residents_estimate") or {}).get("paired_gap", {}).get("value") is not None]
    if not gaps:
        return None
    return {"statements": len(gaps), "mean": sum(g["value"] for g in gaps) / len(gaps),
            "below": sum(1 for g in gaps if g["ci_high"] < 0), "above": sum(1 for g in gaps if g["ci_low"] > 0)}
