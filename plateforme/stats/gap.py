"""Officials' estimates versus residents' weighted agreement.

Officials answer "out of 100 residents, how many agree?"; callers convert those
answers to fractions in [0, 1] before calling these functions. Functions that
need at least one estimate raise ``ValueError`` on an empty list: whether there
are enough officials to publish is ``suppression.officials_publishable``'s call.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

Z_GAP = 1.96  # kept for callers that pass z; gap() itself uses a t quantile


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularised incomplete beta (modified Lentz)."""
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for k in range(1, 400):
        m2 = 2 * k
        for numerator in (k * (b - k) * x / ((a + m2 - 1) * (a + m2)),
                          -(a + k) * (a + b + k) * x / ((a + m2) * (a + m2 + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def t_quantile(probability: float, df: float) -> float:
    """Quantile of Student's t with ``df`` (> 0, possibly fractional) degrees of freedom.

    Pure Python so that the statistics need no scipy at run time; tested against
    ``scipy.stats.t.ppf``. ``df = inf`` gives the normal quantile.
    """
    if not 0.0 < probability < 1.0:
        raise ValueError(f"probability must be within (0, 1), got {probability}")
    if not df > 0:
        raise ValueError(f"degrees of freedom must be positive, got {df}")
    if probability == 0.5:
        return 0.0
    upper = probability > 0.5
    tail = 1.0 - probability if upper else probability  # one-sided tail below 0.5
    if math.isinf(df) or df > 1e7:
        from statistics import NormalDist

        q = NormalDist().inv_cdf(1.0 - tail)
        return q if upper else -q

    def tail_of(t: float) -> float:  # P(T > t) for t >= 0
        return 0.5 * _betainc(df / 2.0, 0.5, df / (df + t * t))

    low, high = 0.0, 1.0
    while tail_of(high) > tail:
        high *= 2.0
    for _ in range(200):  # bisection: the tail is monotone, so this cannot fail
        mid = (low + high) / 2.0
        if tail_of(mid) > tail:
            low = mid
        else:
            high = mid
        if high - low < 1e-12 * max(1.0, high):
            break
    q = (low + high) / 2.0
    return q if upper else -q


def welch_satterthwaite_df(officials_var: float, m: int, residents_var: float, n_eff: float) -> float:
    """Degrees of freedom of the sum of the two variance terms of the gap.

    df = (v₁ + v₂)² / (v₁²/(m − 1) + v₂²/(n_eff − 1)), where v₁ is the officials' term
    (from m estimates) and v₂ the residents' (from an effective size n_eff). A term
    that is zero contributes nothing; a term estimated from one unit has no degree of
    freedom to give (m = 1, n_eff <= 1). inf when both terms are zero.
    """
    total = officials_var + residents_var
    if total == 0.0:
        return math.inf
    denominator = 0.0
    for var, units in ((officials_var, m), (residents_var, n_eff)):
        if var > 0.0:
            if units <= 1:
                return 1.0  # the most cautious value a t distribution allows here
            denominator += var * var / (units - 1)
    return total * total / denominator


def _estimates(estimates: Sequence[float] | np.ndarray) -> np.ndarray:
    e = np.asarray(estimates, dtype=float).reshape(-1)
    if e.size == 0:
        raise ValueError("no official's estimate given")
    if not np.all((e >= 0) & (e <= 1)):  # also rejects nan
        raise ValueError(
            "estimates must be fractions in [0, 1] (divide answers out of 100 by 100)"
        )
    return e


@dataclass(frozen=True)
class OfficialsSummary:
    """Distribution of officials' estimates against the residents' interval."""

    m: int  # officials who answered
    total_officials: int  # M, officials who could have answered
    mean: float
    median: float
    sd: float  # sample sd (ddof=1); nan when m == 1
    below: float  # share of estimates below the residents' interval
    inside: float  # share within it (bounds included)
    above: float  # share above it


def officials_summary(
    estimates: Sequence[float] | np.ndarray,
    total_officials: int,
    residents_low: float,
    residents_high: float,
) -> OfficialsSummary:
    """Summarise estimates and place them relative to [residents_low, residents_high]."""
    e = _estimates(estimates)
    m = e.size
    if total_officials < m:
        raise ValueError(f"{m} estimates but only {total_officials} officials in total")
    if not residents_low <= residents_high:
        raise ValueError(f"residents' interval is reversed: [{residents_low}, {residents_high}]")
    below = float(np.mean(e < residents_low))
    above = float(np.mean(e > residents_high))
    return OfficialsSummary(
        m=m,
        total_officials=int(total_officials),
        mean=float(e.mean()),
        median=float(np.median(e)),
        sd=float(e.std(ddof=1)) if m > 1 else math.nan,
        below=below,
        inside=1.0 - below - above,
        above=above,
    )


@dataclass(frozen=True)
class Gap:
    """Officials' mean estimate minus residents' agreement, with its uncertainty."""

    gap: float  # G = ē − p̂
    se: float
    ci_low: float
    ci_high: float
    df: float = math.inf  # Welch–Satterthwaite degrees of freedom of the t quantile used


def gap(
    mean_estimate: float,
    sd_estimate: float,
    m: int,
    total_officials: int,
    p_hat: float,
    n_eff: float,
    z: float | None = None,
    level: float = 0.95,
) -> Gap:
    """G = ē − p̂ with SE = sqrt(s²/m·(1 − m/M) + p̂(1 − p̂)/n_eff), interval G ± t·SE.

    The officials' term carries a finite population correction because the
    officials are a known, small population (M). That correction assumes the m
    officials who answered are a random subset of the M: when all answered
    (m = M) their mean has no sampling error, whatever ``sd_estimate`` is (nan
    included); if those who answer differ from those who do not, the interval
    does not cover that bias. The quantile is Student's t on the
    Welch–Satterthwaite degrees of freedom of the two terms, since the officials'
    variance rests on few estimates (a normal z under-covers with 5 to 12 of
    them); ``z`` forces a fixed quantile instead.
    """
    if not 0 < m <= total_officials:
        raise ValueError(f"need 0 < m <= M, got m={m}, M={total_officials}")
    if not n_eff > 0:
        raise ValueError(f"n_eff must be positive, got {n_eff}")
    if not 0 <= p_hat <= 1:
        raise ValueError(f"p_hat must be within [0, 1], got {p_hat}")
    fpc = 1.0 - m / total_officials
    officials_var = 0.0 if fpc == 0.0 else sd_estimate**2 / m * fpc
    if math.isnan(officials_var):
        raise ValueError("sd_estimate is needed when not every official answered (m < M)")
    residents_var = p_hat * (1 - p_hat) / n_eff
    se = math.sqrt(officials_var + residents_var)
    g = mean_estimate - p_hat
    df = welch_satterthwaite_df(officials_var, m, residents_var, n_eff)
    quantile = z if z is not None else t_quantile(0.5 + level / 2, df)
    return Gap(gap=g, se=se, ci_low=g - quantile * se, ci_high=g + quantile * se, df=df)


def mean_absolute_error(estimates: Sequence[float] | np.ndarray, p_hat: float) -> float:
    """Mean of |estimate − p̂| over officials, measured against p̂: the residents'
    weighted agreement as estimated from the sample, not the true population share. It
    therefore includes the residents' own sampling error (which inflates it a little on
    average), and is published as a description, without an interval."""
    return float(np.mean(np.abs(_estimates(estimates) - p_hat)))


def wrong_majority_rate(
    estimates: Sequence[float] | np.ndarray, ci_low: float, ci_high: float
) -> float | None:
    """Share of officials who put the majority on the wrong side of 0.5.

    Only defined when the residents' interval excludes 0.5 (otherwise there is
    no clear majority to get wrong: returns None). An estimate of exactly 0.5
    is on neither side, so it does not count as wrong.
    """
    e = _estimates(estimates)
    if ci_low > 0.5:
        return float(np.mean(e < 0.5))
    if ci_high < 0.5:
        return float(np.mean(e > 0.5))
    return None


def _opinion_value(value: Any) -> float:
    if value is None or value == "dk":
        return math.nan
    if isinstance(value, float) and math.isnan(value):
        return math.nan
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if value in (1, 2, 3, 4, 5):
        return float(value)
    raise ValueError(f"invalid own opinion {value!r}: expected a boolean, 1..5, 'dk' or None")


def projection(
    own_opinions_agree: Sequence[Any], estimates: Sequence[float] | np.ndarray
) -> float | None:
    """Pearson correlation between officials' own opinion and their estimate.

    A positive value suggests projection: officials who agree think residents
    agree too. Opinions are booleans or 1..5 codes; pairs whose opinion is
    None, nan or "dk" are dropped. None when undefined: fewer than 3 pairs or a
    constant variable.
    """
    if len(own_opinions_agree) != len(estimates):
        raise ValueError(
            f"{len(own_opinions_agree)} opinions but {len(estimates)} estimates"
        )
    x = np.array([_opinion_value(v) for v in own_opinions_agree], dtype=float)
    y = _estimates(estimates) if len(estimates) else np.empty(0)
    keep = ~np.isnan(x)
    x, y = x[keep], y[keep]
    # Exact constancy test: a variance threshold would misfire on tiny spreads.
    if x.size < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None
    dx, dy = x - x.mean(), y - y.mean()
    r = float(np.dot(dx, dy) / math.sqrt(np.dot(dx, dx) * np.dot(dy, dy)))
    return max(-1.0, min(1.0, r))
