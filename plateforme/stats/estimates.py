"""Weighted estimates for residents' answers: effective sizes, Wilson intervals, agreement."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from .linearisation import linearised_n_eff

# Normal quantile for a two-sided 95 % interval.
Z_95 = 1.959964

# Internal codes after parsing an answer. Blank and "don't know" get their own
# codes because they are treated differently: dk stays in the denominator.
BLANK = -1
DONT_KNOW = 0
_ANSWER_CODES: dict[Any, int] = {1: 1, 2: 2, 3: 3, 4: 4, 5: 5, "dk": DONT_KNOW, None: BLANK}


def _as_weights(weights: Any, n: int | None = None) -> np.ndarray:
    w = np.asarray(weights, dtype=float).reshape(-1)
    if n is not None and w.shape[0] != n:
        raise ValueError(f"expected {n} weights, got {w.shape[0]}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    return w


def kish_n_eff(weights: Sequence[float] | np.ndarray) -> float:
    """Kish effective sample size (Σw)² / Σw²; 0.0 when there is no positive weight."""
    w = _as_weights(weights)
    top = float(w.max()) if w.size else 0.0
    if top == 0.0:
        return 0.0
    # n_eff is scale-free; dividing by the largest weight keeps w² from
    # underflowing (or overflowing) for extreme weight scales.
    w = w / top
    return float(w.sum()) ** 2 / float(np.dot(w, w))


def design_effect(weights: Sequence[float] | np.ndarray) -> float:
    """Kish design effect due to weighting, n / n_eff (1.0 for equal weights)."""
    w = _as_weights(weights)
    n_eff = kish_n_eff(w)
    return w.shape[0] / n_eff if n_eff > 0 else math.nan


def wilson_interval(p: float, n: float, z: float = Z_95) -> tuple[float, float]:
    """Wilson score interval for a proportion ``p`` observed on ``n`` (possibly n_eff) units.

    ``n`` may be non-integer (an effective size). Returns ``(nan, nan)`` when
    ``n <= 0`` or ``p`` is nan, since there is then nothing to estimate;
    raises ``ValueError`` if ``p`` lies outside [0, 1].
    """
    if math.isnan(p) or not n > 0:
        return (math.nan, math.nan)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be within [0, 1], got {p}")
    z2_n = z * z / n
    centre = (p + z2_n / 2) / (1 + z2_n)
    half = z / (1 + z2_n) * math.sqrt(p * (1 - p) / n + z2_n / (4 * n))
    # Clamp only to absorb rounding at p = 0 or 1.
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class AgreementShare:
    """Weighted agreement with one statement (shares are fractions in [0, 1])."""

    n: int  # respondents with a non-blank answer (dk included)
    n_eff: float  # effective size the interval rests on (Kish, or linearised: `variance`)
    agree: float  # weighted share answering 4 or 5
    dont_know: float  # weighted share answering "dk"
    ci_low: float
    ci_high: float
    variance: str = "kish"  # "kish" or "linearised" (calibration taken into account)


def _parse_one(value: Any) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise ValueError("invalid answer: booleans are not 1..5 codes")
    try:
        code = _ANSWER_CODES.get(value)
    except TypeError:  # unhashable
        code = None
    if code is not None:
        return code
    if isinstance(value, float) and math.isnan(value):
        return BLANK  # numeric exports use nan for blank
    raise ValueError(f"invalid answer {value!r}: expected 1..5, 'dk' or None")


def answer_codes(answers: Sequence[Any] | np.ndarray) -> np.ndarray:
    """Parse answers (1..5, "dk", None/nan) into int8 codes: -1 blank, 0 dk, 1..5."""
    if isinstance(answers, np.ndarray) and answers.dtype.kind in "iuf":
        # Numeric arrays cannot hold "dk"; only 1..5 and nan (blank) are valid.
        a = answers.reshape(-1)
        blank = np.isnan(a) if a.dtype.kind == "f" else np.zeros(a.shape, dtype=bool)
        valid = blank | np.isin(a, (1, 2, 3, 4, 5))
        if not valid.all():
            bad = a[~valid][0]
            raise ValueError(f"invalid answer {bad!r}: expected 1..5, 'dk' or None")
        codes = np.where(blank, BLANK, np.nan_to_num(a)).astype(np.int8)
        return codes
    get = _ANSWER_CODES.get
    try:
        # Fast path: one dict lookup per answer; anything missing falls back.
        codes = [get(v, 99) for v in answers]
    except TypeError:
        codes = [_parse_one(v) for v in answers]
    # True == 1 for a dict, and True meaning "strongly disagree" would be a
    # silent misreading of a yes/no column: refuse booleans outright.
    kinds = set(map(type, answers))  # C-level loop: cheap on 100k answers
    if bool in kinds or np.bool_ in kinds:
        raise ValueError("invalid answer: booleans are not 1..5 codes")
    arr = np.asarray(codes, dtype=np.int8).reshape(-1)
    if np.any(arr == 99):
        arr = np.fromiter((_parse_one(v) for v in answers), dtype=np.int8)
    return arr


def agreement_share(
    answers: Sequence[Any] | np.ndarray,
    weights: Sequence[float] | np.ndarray | None = None,
    z: float = Z_95,
) -> AgreementShare:
    """Weighted share of residents agreeing (4 or 5) with one statement.

    p̂ = Σw[answer in {4, 5}] / Σw[answer not blank]: "dk" counts in the
    denominator (not knowing is not agreeing), blanks do not. The interval is
    Wilson's on the Kish effective size (``agreement_share_from_codes`` with a raking's
    ``design`` uses the linearised one instead). ``weights=None`` means equal weights.
    With no usable answer, shares and bounds are nan and n is 0.
    """
    return agreement_share_from_codes(answer_codes(answers), weights, z)


def agreement_share_from_codes(
    codes: np.ndarray,
    weights: Sequence[float] | np.ndarray | None = None,
    z: float = Z_95,
    design: np.ndarray | None = None,
) -> AgreementShare:
    """`agreement_share` on answers already parsed by `answer_codes` (int8: -1 blank,
    0 dk, 1..5) — for callers that hold large coded arrays and must not re-parse them.

    ``design``: the raking's calibration indicators (respondents × totals, see
    linearisation.py). With it, the effective size is the linearised one, which credits
    the calibration for what it explains; without it (or when that variance is zero, as
    when everyone agrees), Kish's."""
    codes = np.asarray(codes, dtype=np.int8).reshape(-1)
    if codes.size and (codes.min() < BLANK or codes.max() > 5):
        raise ValueError("codes must be -1 (blank), 0 (dk) or 1..5")
    w = np.ones(codes.shape[0]) if weights is None else _as_weights(weights, codes.shape[0])
    answered = codes != BLANK
    w_ans = w[answered]
    total = float(w_ans.sum())
    n = int(answered.sum())
    n_eff = kish_n_eff(w_ans)
    if total == 0.0:
        return AgreementShare(n, n_eff, math.nan, math.nan, math.nan, math.nan)
    agree = float(w[codes >= 4].sum()) / total
    dont_know = float(w[codes == DONT_KNOW].sum()) / total
    agree = min(agree, 1.0)  # rounding guard
    variance = "kish"
    if design is not None and weights is not None:
        linearised = linearised_n_eff(codes >= 4, answered, w, design)
        if not math.isnan(linearised):
            # Capped at the answers' count: a variance estimated at (near) zero, as when each
            # calibration cell is unanimous, must not make the interval a point.
            n_eff, variance = min(linearised, float(n)), "linearised"
    low, high = wilson_interval(agree, n_eff, z)
    return AgreementShare(n, n_eff, agree, dont_know, low, high, variance)
