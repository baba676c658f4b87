"""Differences between two independent published estimates (two territories, two waves).

Both functions take what a published payload holds — a share with its 95 % Wilson bounds,
or a t-based estimate with its standard error and degrees of freedom — so a comparison
never needs the raw answers. The two samples must be independent (different residents,
different officials): no covariance term is subtracted.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .gap import t_quantile

LEVEL = 0.95


@dataclass(frozen=True)
class Difference:
    """b − a with its 95 % interval, in the inputs' unit (fractions for shares)."""

    estimate: float  # b - a, in the same unit as the inputs
    ci_low: float
    ci_high: float

    def excludes_zero(self) -> bool:
        return self.ci_low > 0 or self.ci_high < 0


def _check_bounds(name: str, value: float, low: float, high: float) -> None:
    if not all(map(math.isfinite, (value, low, high))):
        raise ValueError(f"{name}: share and bounds must be finite, got {value}, [{low}, {high}]")
    if not 0.0 <= low <= value <= high <= 1.0:
        raise ValueError(f"{name}: need 0 <= low <= share <= high <= 1, got {value}, [{low}, {high}]")


def share_difference(a: float, a_low: float, a_high: float, b: float, b_low: float, b_high: float) -> Difference:
    """b − a for two independent shares each given with its 95 % Wilson interval (Newcombe 1998, method 10).

    L = d − √((b − b_low)² + (a_high − a)²), U = d + √((b_high − b)² + (a − a_low)²): the
    square-and-add of each side's own distances, so it inherits the Wilson intervals'
    asymmetry near 0 and 1, and works on effective (non-integer) sizes since it only
    needs the bounds.
    """
    _check_bounds("a", a, a_low, a_high)
    _check_bounds("b", b, b_low, b_high)
    d = b - a
    low = d - math.sqrt((b - b_low) ** 2 + (a_high - a) ** 2)
    high = d + math.sqrt((b_high - b) ** 2 + (a - a_low) ** 2)
    # Both bounds stay within [-1, 1] mathematically; the clamp only absorbs rounding.
    return Difference(d, max(-1.0, low), min(1.0, high))


def _check_t(name: str, value: float, se: float, df: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name}: estimate must be finite, got {value}")
    if not (math.isfinite(se) and se >= 0):
        raise ValueError(f"{name}: standard error must be finite and >= 0, got {se}")
    if math.isnan(df) or not df > 0:
        raise ValueError(f"{name}: degrees of freedom must be positive (inf allowed), got {df}")


def gap_difference(a: float, a_se: float, a_df: float, b: float, b_se: float, b_df: float) -> Difference:
    """b − a for two independent t-based estimates (Welch–Satterthwaite df for the combined SE).

    SE = √(se_a² + se_b²); df = SE⁴ / (se_a⁴/df_a + se_b⁴/df_b), where an infinite df (a
    normal estimate) or a zero SE contributes nothing; the interval is d ± t(0.975, df)·SE.
    """
    _check_t("a", a, a_se, a_df)
    _check_t("b", b, b_se, b_df)
    d = b - a
    var = a_se ** 2 + b_se ** 2
    if var == 0.0:
        return Difference(d, d, d)
    denominator = sum(se ** 4 / df for se, df in ((a_se, a_df), (b_se, b_df)) if se > 0 and math.isfinite(df))
    df = var * var / denominator if denominator > 0 else math.inf
    half = t_quantile(0.5 + LEVEL / 2, df) * math.sqrt(var)
    return Difference(d, d - half, d + half)


def se_from_t_interval(ci_low: float, ci_high: float, df: float | None) -> float:
    """The standard error behind a published symmetric 95 % t interval: half its width over
    t(0.975, df). Published gaps give the interval and df, not the SE (kept out on purpose:
    a more precise SE would tell more about few officials' spread); df None (snapshots from
    before the t quantile, or an infinite df) means normal. Bounds rounded to 4 decimals
    give the SE to about 3e-5."""
    if ci_high < ci_low:
        raise ValueError(f"interval is reversed: [{ci_low}, {ci_high}]")
    if ci_high == ci_low:
        return 0.0
    quantile = t_quantile(0.5 + LEVEL / 2, math.inf if df is None else df)
    return (ci_high - ci_low) / (2 * quantile)
