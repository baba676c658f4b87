"""Weighted mean of a number residents give (their own estimate out of 100), with a 95 % interval.

Residents are asked « sur 100 habitants, combien sont d'accord ? ». The published figure is the
raked-weighted mean of their answers among those who gave one (a domain of the raked sample),
and the paired difference estimate − agreement among those who answered both, per respondent.

Variance: the share's linearisation (linearisation.py) with y a number instead of 0/1. With
a_i = 1 when respondent i is in the domain, ȳ = Σ w a y / Σ w a, z_i = a_i (y_i − ȳ), and e_i
the residuals of z on the raking's calibration indicators x_i (weighted least squares):

    V = n / (n − r) · Σ (w_i e_i)² / (Σ w a)²

over all n respondents of the raking (those outside the domain still belong to the
calibration), r the rank of the indicators. Without calibration the indicators are a single
column of ones (r = 1: the usual n/(n − 1)). As for shares, V is never taken below the
variance a simple random sample of the domain's size would give (s²/n_d, s² the weighted
variance of y in the domain): no claim of more precision than that.

Interval: ȳ ± t · √V, Student's t on the domain's Kish effective size minus one degree of
freedom (at least 1), as the officials' gap uses a t quantile where few units carry the
variance; with hundreds of answers it is the normal interval.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .gap import t_quantile


@dataclass(frozen=True)
class WeightedMean:
    """A weighted domain mean with its linearised 95 % interval (same units as the values)."""

    n: int            # respondents in the domain
    n_eff: float      # Kish effective size of the domain's weights (t's df = n_eff − 1)
    mean: float
    ci_low: float
    ci_high: float
    df: float
    variance: str     # "linearised" (calibration residuals) or "srs" (no calibration given)


def domain_variance(values: np.ndarray, in_domain: np.ndarray, weights: np.ndarray,
                    design: np.ndarray | None) -> float:
    """V of the module's docstring (floor included); nan when the domain is empty or no
    degree of freedom is left. ``values`` may hold anything (nan included) outside the domain."""
    w = np.asarray(weights, dtype=float).reshape(-1)
    a = np.asarray(in_domain, dtype=bool).reshape(-1)
    y = np.where(a, np.nan_to_num(np.asarray(values, dtype=float).reshape(-1)), 0.0)
    n = w.shape[0]
    x = np.ones((n, 1)) if design is None else np.asarray(design, dtype=float)
    if x.ndim != 2 or x.shape[0] != n or a.shape[0] != n or y.shape[0] != n:
        raise ValueError("values, in_domain, weights and design must have one row per respondent")
    total = float(w[a].sum())
    if total <= 0.0:
        return math.nan
    mean = float(np.dot(w[a], y[a])) / total
    z = np.where(a, y - mean, 0.0)
    xw = x * w[:, None]
    gram = xw.T @ x
    # Collinear indicators (each margin sums to one): the pseudo-inverse gives the residuals.
    residual = z - x @ (np.linalg.pinv(gram) @ (xw.T @ z))
    rank = int(np.linalg.matrix_rank(gram))
    if n - rank <= 0:
        return math.nan
    linearised = n / (n - rank) * float(np.sum((w * residual) ** 2)) / (total * total)
    spread = float(np.dot(w[a], z[a] ** 2)) / total
    return max(linearised, spread / int(a.sum()))


def weighted_mean(values, in_domain, weights, design: np.ndarray | None = None,
                  probability: float = 0.975) -> WeightedMean:
    """Weighted mean of ``values`` over ``in_domain`` respondents with its interval (see the
    module). All arrays have one row per respondent of the raking; ``design`` is the raking's
    calibration indicators (None: unweighted or not raked). An empty domain gives nan."""
    w = np.asarray(weights, dtype=float).reshape(-1)
    a = np.asarray(in_domain, dtype=bool).reshape(-1)
    y = np.asarray(values, dtype=float).reshape(-1)
    n_d = int(a.sum())
    if n_d == 0 or float(w[a].sum()) <= 0.0:
        return WeightedMean(n_d, 0.0, math.nan, math.nan, math.nan, math.nan, "srs")
    wa = w[a]
    mean = float(np.dot(wa, y[a])) / float(wa.sum())
    n_eff = float(wa.sum()) ** 2 / float(np.dot(wa, wa))
    variance = domain_variance(y, a, w, design)
    df = max(n_eff - 1.0, 1.0)
    if math.isnan(variance):
        low = high = math.nan
    else:
        half = t_quantile(probability, df) * math.sqrt(variance)
        low, high = mean - half, mean + half
    return WeightedMean(n_d, n_eff, mean, low, high, df, "srs" if design is None else "linearised")
