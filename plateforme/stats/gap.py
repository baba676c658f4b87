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

Z_GAP = 1.96


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


def gap(
    mean_estimate: float,
    sd_estimate: float,
    m: int,
    total_officials: int,
    p_hat: float,
    n_eff: float,
    z: float = Z_GAP,
) -> Gap:
    """G = ē − p̂ with SE = sqrt(s²/m·(1 − m/M) + p̂(1 − p̂)/n_eff).

    The officials' term carries a finite population correction because the
    officials are a known, small population (M): when all answered (m = M) their
    mean has no sampling error, whatever ``sd_estimate`` is (nan included).
    """
    if not 0 < m <= total_officials:
        raise ValueError(f"need 0 < m <= M, got m={m}, M={total_officials}")
    if not n_eff > 0:
        raise ValueError(f"n_eff must be positive, got {n_eff}")
    if not 0 <= p_hat <= 1:
        raise ValueError(f"p_hat must be within [0, 1], got {p_hat}")
    fpc = 1.0 - m / total_officials
    officials_var = 0.0 if fpc == 0.0 else sd_estimate**2 / m * fpc
    se = math.sqrt(officials_var + p_hat * (1 - p_hat) / n_eff)
    g = mean_estimate - p_hat
    return Gap(gap=g, se=se, ci_low=g - z * se, ci_high=g + z * se)


def mean_absolute_error(estimates: Sequence[float] | np.ndarray, p_hat: float) -> float:
    """Mean of |estimate − p̂| over officials."""
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
