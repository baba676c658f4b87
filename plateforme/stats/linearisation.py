"""Variance of a share estimated with raked weights, by linearisation.

Why not Kish: the Kish effective size n²/Σw² only charges the weights' dispersion. Raking
also *calibrates*: the weighted sample reproduces the population's sex × age and commune
totals exactly, so the part of an opinion that those variables explain carries no sampling
error. Kish ignores that gain, and the 95 % interval built on it covered the truth 97 % of
the time in the coverage study (bench/coverage.py) where opinions depend on sex and age.

Raking is asymptotically equivalent to the generalised regression (GREG) estimator on the
same calibration variables (Deville & Särndal 1992, JASA 87:376), whose variance is the
weighted variance of the residuals of the regression of the linearised share on those
variables (Särndal, Swensson & Wretman 1992, ch. 6; Lumley's `survey::calibrate`). With
x_i the respondent's calibration indicators (fractional when a respondent's sex is split
between the two margins), a_i = 1 when the statement is answered and y_i = 1 when agreeing:

    p̂ = Σ w a y / Σ w a,   z_i = a_i (y_i − p̂),   B = (Σ w x xᵀ)⁺ Σ w x z,   e_i = z_i − x_iᵀB
    V = n / (n − r) · Σ (w_i e_i)² / (Σ w a)²

where r is the rank of the indicators: the n / (n − r) factor gives back the degrees of
freedom the fitted calibration totals use (at n = 150 with 15 totals, +11 % variance),
which the asymptotic formula ignores and small samples need. The share's effective size
is then p̂(1 − p̂) / V, the sample size a simple random sample would need for the same
variance. It can exceed the number of answers when the calibration variables explain much
of the opinion; `estimates.agreement_share_from_codes` caps it there (no claim of more
precision than a simple random sample of the same size), because a variance estimated at
nearly zero — every calibration cell unanimous in a small sample — would otherwise shrink
the interval to a point. In the coverage study the cap binds on about one share in ten and
changes coverage by less than a tenth of a point.
"""
from __future__ import annotations

import math

import numpy as np


def calibration_design(columns: list[np.ndarray]) -> np.ndarray:
    """Stack per-respondent indicator columns (each of length n) into an n × p matrix."""
    if not columns:
        return np.empty((0, 0))
    return np.column_stack([np.asarray(c, dtype=float) for c in columns])


def linearised_variance(agree: np.ndarray, answered: np.ndarray, weights: np.ndarray,
                        design: np.ndarray) -> float:
    """V of the module's docstring; nan when nothing is answered or no degree of freedom is left.

    ``agree`` and ``answered`` are booleans per respondent (all respondents of the raking,
    blanks included: they belong to the calibration even when they skip a statement),
    ``weights`` the raked weights (any scale), ``design`` the n × p calibration indicators.
    """
    w = np.asarray(weights, dtype=float).reshape(-1)
    a = np.asarray(answered, dtype=bool).reshape(-1)
    y = np.asarray(agree, dtype=bool).reshape(-1) & a
    x = np.asarray(design, dtype=float)
    n = w.shape[0]
    if x.ndim != 2 or x.shape[0] != n or a.shape[0] != n or y.shape[0] != n:
        raise ValueError("agree, answered, weights and design must have one row per respondent")
    total = float(w[a].sum())
    if total <= 0.0:
        return math.nan
    p = float(w[y].sum()) / total
    z = np.where(a, y - p, 0.0)
    if x.shape[1]:
        xw = x * w[:, None]
        # The margins' indicators are collinear (each variable's sum to one): the
        # pseudo-inverse gives the same residuals as any full-rank choice of them.
        gram = xw.T @ x
        b = np.linalg.pinv(gram) @ (xw.T @ z)
        residual = z - x @ b
        rank = int(np.linalg.matrix_rank(gram))
    else:
        residual, rank = z, 0
    if n - rank <= 0:
        return math.nan
    return n / (n - rank) * float(np.sum((w * residual) ** 2)) / (total * total)


def linearised_n_eff(agree: np.ndarray, answered: np.ndarray, weights: np.ndarray,
                     design: np.ndarray) -> float:
    """p̂(1 − p̂) / V: inf when V is zero although opinions differ (every calibration cell
    unanimous); nan when everyone agrees (or no one), when nothing is answered or no degree of
    freedom is left, so that the caller falls back to the Kish effective size."""
    a = np.asarray(answered, dtype=bool).reshape(-1)
    w = np.asarray(weights, dtype=float).reshape(-1)
    total = float(w[a].sum())
    if total <= 0.0:
        return math.nan
    p = float(w[np.asarray(agree, dtype=bool).reshape(-1) & a].sum()) / total
    variance = linearised_variance(agree, answered, weights, design)
    if math.isnan(variance) or not 0.0 < p < 1.0:
        return math.nan
    return p * (1.0 - p) / variance if variance > 0.0 else math.inf
