"""Raking (iterative proportional fitting) of survey weights to population margins."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Mapping, Sequence

import numpy as np

from .estimates import design_effect, kish_n_eff

# Variables' margin totals may differ by this relative amount (rounding in
# published census tables) before we refuse to guess which one is right.
MARGIN_TOTAL_TOLERANCE = 0.01


class RakingError(ValueError):
    """Base class for raking input errors."""


class InconsistentMarginsError(RakingError):
    """Margins of different variables add up to different population totals."""


class EmptyCategoryError(RakingError):
    """A margin category has no respondent, so no weight can reach its target."""


class UnknownCategoryError(RakingError):
    """A respondent belongs to a category that the margins do not list."""


@dataclass(frozen=True, eq=False)  # eq on numpy arrays would be ambiguous
class RakingResult:
    """Raked weights and how the fit went."""

    weights: np.ndarray  # one per respondent, summing to the population total
    converged: bool
    iterations: int  # raking cycles performed (one cycle adjusts every variable once)
    max_margin_error: float  # max over categories of |weighted total - target| / target
    trimmed: int  # respondents whose weight factor was trimmed at least once
    trim: tuple[float, float] | None = None  # the bounds in force (widened when infeasible)
    trim_widened: bool = False  # the requested bounds could not hold with the margins

    @property
    def max_weight_ratio(self) -> float:
        """The largest weight over the mean weight."""
        w = self.weights
        return float(w.max() / w.mean()) if w.size and w.mean() > 0 else float("nan")

    @property
    def n_eff(self) -> float:
        return kish_n_eff(self.weights)

    @property
    def deff(self) -> float:
        return design_effect(self.weights)


def _encode(variable: str, values: Sequence[Hashable], categories: list[Hashable]) -> np.ndarray:
    """Map each respondent's category to its index in ``categories``."""
    index = {cat: i for i, cat in enumerate(categories)}
    if isinstance(values, np.ndarray) and values.dtype.kind in "biufUS":
        # Vectorised path: look up each distinct value once.
        uniques, inverse = np.unique(values.reshape(-1), return_inverse=True)
        unknown = [u.item() for u in uniques if u.item() not in index]
        if unknown:
            _raise_unknown(variable, unknown)
        lookup = np.fromiter((index[u.item()] for u in uniques), dtype=np.intp, count=len(uniques))
        return lookup[inverse.reshape(-1)]
    try:
        return np.fromiter((index[v] for v in values), dtype=np.intp, count=len(values))
    except (KeyError, TypeError):
        _raise_unknown(variable, [v for v in values if _missing(index, v)])
        raise  # pragma: no cover - _raise_unknown always raises


def _missing(index: dict, value: Hashable) -> bool:
    try:
        return value not in index
    except TypeError:  # unhashable value: certainly not a margin category
        return True


def _raise_unknown(variable: str, unknown: list) -> None:
    distinct = list(dict.fromkeys(repr(u) for u in unknown))
    raise UnknownCategoryError(
        f"variable {variable!r}: respondent categor{'y' if len(distinct) == 1 else 'ies'} "
        f"{', '.join(distinct[:5])}{' …' if len(distinct) > 5 else ''} not in the margins"
    )


def _check_margins(
    sample: Mapping[str, Sequence[Hashable]], margins: Mapping[str, Mapping[Hashable, float]]
) -> tuple[int, float]:
    """Validate shapes and totals; return (n respondents, population total)."""
    if not sample:
        raise ValueError("sample must contain at least one variable")
    if set(sample) != set(margins):
        raise ValueError(
            f"sample variables {sorted(sample)} and margin variables {sorted(margins)} differ"
        )
    lengths = {var: len(values) for var, values in sample.items()}
    n = next(iter(lengths.values()))
    if len(set(lengths.values())) > 1:
        raise ValueError(f"sample variables have different lengths: {lengths}")
    if n == 0:
        raise ValueError("sample has no respondent")
    totals = {}
    for var, margin in margins.items():
        values = np.fromiter(margin.values(), dtype=float, count=len(margin))
        if len(values) == 0 or not np.all(np.isfinite(values)) or np.any(values <= 0):
            raise ValueError(f"margins of {var!r} must be non-empty, finite and positive")
        totals[var] = float(values.sum())
    low_var = min(totals, key=totals.get)
    high_var = max(totals, key=totals.get)
    if totals[high_var] > totals[low_var] * (1 + MARGIN_TOTAL_TOLERANCE):
        raise InconsistentMarginsError(
            f"margin totals disagree by more than {MARGIN_TOTAL_TOLERANCE:.0%}: "
            f"{low_var!r} sums to {totals[low_var]:g} but {high_var!r} sums to "
            f"{totals[high_var]:g}"
        )
    # Within tolerance the totals differ only by rounding: use their mean so no
    # variable is privileged.
    return n, float(np.mean(list(totals.values())))


def rake(
    sample: Mapping[str, Sequence[Hashable]],
    margins: Mapping[str, Mapping[Hashable, float]],
    base_weights: Sequence[float] | np.ndarray | None = None,
    tolerance: float = 1e-6,
    max_iterations: int = 100,
    trim: tuple[float, float] | None = (0.3, 3.0),
) -> RakingResult:
    """Rake ``base_weights`` so that weighted counts match every variable's margins.

    ``sample`` maps each variable to the respondents' categories (all of length
    n); ``margins`` maps it to population totals or shares per category. Each
    variable's margins are rescaled to a common population total, to which the
    weights sum. ``trim=(low, high)`` bounds each weight factor (weight / base
    weight, divided by the mean factor); trimming and raking alternate until
    both the margins (relative error <= ``tolerance``) and the bounds hold.
    ``converged`` is False if ``max_iterations`` cycles did not get there; the
    weights then come from the last raking cycle, so they still sum to the total.

    Raises ``InconsistentMarginsError`` (totals differ by more than 1 %),
    ``EmptyCategoryError``, ``UnknownCategoryError`` — all ``ValueError``s —
    and ``ValueError`` for other malformed input (margins must be positive).
    """
    n, population = _check_margins(sample, margins)
    if tolerance <= 0 or max_iterations < 1:
        raise ValueError("tolerance must be positive and max_iterations at least 1")
    if trim is not None:
        low, high = trim
        if not 0 < low <= 1 <= high:
            raise ValueError(f"trim bounds must satisfy 0 < low <= 1 <= high, got {trim}")

    if base_weights is None:
        base = np.ones(n)
    else:
        base = np.asarray(base_weights, dtype=float).reshape(-1)
        if base.shape[0] != n:
            raise ValueError(f"expected {n} base weights, got {base.shape[0]}")
        if not np.all(np.isfinite(base)) or np.any(base <= 0):
            raise ValueError("base weights must be finite and positive")

    codes: list[np.ndarray] = []
    targets: list[np.ndarray] = []
    for var, margin in margins.items():
        categories = list(margin)
        target = np.fromiter(margin.values(), dtype=float, count=len(margin))
        code = _encode(var, sample[var], categories)
        counts = np.bincount(code, minlength=len(categories))
        empty = np.flatnonzero(counts == 0)
        if empty.size:
            raise EmptyCategoryError(
                f"variable {var!r}: margin category {categories[empty[0]]!r} has no respondent"
            )
        codes.append(code)
        targets.append(target * (population / target.sum()))

    def margin_error(w: np.ndarray) -> float:
        return max(
            float(np.max(np.abs(np.bincount(c, weights=w, minlength=len(t)) - t) / t))
            for c, t in zip(codes, targets)
        )

    # Start from base weights scaled to the population: keeps factors meaningful.
    weights = base * (population / base.sum())
    was_trimmed = np.zeros(n, dtype=bool)
    converged = False
    iterations = 0
    while True:
        iterations += 1
        for code, target in zip(codes, targets):
            achieved = np.bincount(code, weights=weights, minlength=len(target))
            weights *= (target / achieved)[code]
        error = margin_error(weights)
        outside = None
        if trim is not None:
            factors = weights / base
            relative = factors / factors.mean()
            # Slack of `tolerance` so float noise at a bound does not count.
            outside = (relative < low * (1 - tolerance)) | (relative > high * (1 + tolerance))
        if error <= tolerance and (outside is None or not outside.any()):
            converged = True
            break
        # Stop after a raking cycle, never after a trim, so the weights always
        # sum to the population total and the last variable's margins hold.
        if iterations >= max_iterations:
            break
        if outside is not None and outside.any():
            was_trimmed |= outside
            weights = base * np.clip(relative, low, high) * factors.mean()

    return RakingResult(
        weights=weights,
        converged=converged,
        iterations=iterations,
        max_margin_error=error,
        trimmed=int(was_trimmed.sum()),
        trim=trim,
    )


def rake_feasible(
    sample: Mapping[str, Sequence[Hashable]],
    margins: Mapping[str, Mapping[Hashable, float]],
    base_weights: Sequence[float] | np.ndarray | None = None,
    tolerance: float = 1e-6,
    max_iterations: int = 100,
    trim: tuple[float, float] | None = (0.3, 3.0),
    steps: int = 14,
) -> RakingResult:
    """`rake`, with a documented rule for bounds the margins make infeasible.

    Trim bounds and margins cannot always hold together (a small sample often needs a
    weight above 3× the mean to reach a rare category). Then the upper bound is
    widened to the smallest value, to 1 %, at which raking converges (bisection
    between the requested bound and the largest factor of the untrimmed solution);
    if the lower bound is infeasible too, it is lowered to the untrimmed solution's
    smallest factor. ``trim_widened`` and ``trim`` on the result say what was used.
    Only when even untrimmed raking does not converge is ``converged`` False.
    """
    result = rake(sample, margins, base_weights, tolerance, max_iterations, trim)
    if result.converged or trim is None:
        return result
    free = rake(sample, margins, base_weights, tolerance, max_iterations * 10, None)
    if not free.converged:
        return free
    base = np.ones(len(free.weights)) if base_weights is None else np.asarray(base_weights, dtype=float)
    factors = free.weights / base
    relative = factors / factors.mean()
    low, high = trim
    top = max(high, float(relative.max()) * (1 + 1e-9))

    def attempt(lower_bound: float, upper: float) -> RakingResult:
        return rake(sample, margins, base_weights, tolerance, max_iterations, (lower_bound, upper))

    best = attempt(low, top)
    if not best.converged:
        # The lower bound is infeasible too: lowered to the untrimmed solution's smallest factor.
        low = min(low, float(relative.min()) * (1 - 1e-9))
        best = attempt(low, top)
    if not best.converged:
        # The untrimmed solution lies within these bounds, so it is the answer for them.
        best = RakingResult(free.weights, True, free.iterations, free.max_margin_error, 0, (low, top))
    lower, upper = high, top
    for _ in range(steps):
        if upper / lower < 1.01:
            break
        middle = (lower * upper) ** 0.5  # bisection on a log scale: bounds are ratios
        candidate = attempt(low, middle)
        if candidate.converged:
            best, upper = candidate, middle
        else:
            lower = middle
    return RakingResult(best.weights, best.converged, best.iterations, best.max_margin_error, best.trimmed,
                        best.trim, trim_widened=True)
