"""Results of a closed survey: weighted residents' agreement against officials' estimates.

Pure computation from the stored answers; publication.py freezes what this returns.
Every share and estimate is a fraction in [0, 1]; suppressed figures are None.
"""
from __future__ import annotations

import math

import numpy as np
from sqlalchemy import func, select, union_all

from ..core.models import local_today
from ..core.text import french_sort_key
from ..extensions import db
from ..stats import (
    agreement_share_from_codes, gap, mean_absolute_error, officials_distribution_publishable, officials_summary,
    projection, suppress_cells, wrong_majority_rate,
)
from .models import OfficialPending, OfficialResponse, PerceptionSurvey, ResidentResponse
from .residents_estimates import estimate_matrix, residents_estimate_block
from .services import count_officials
from .status import survey_status
from .weighting import Weighting, compute_weights, territory_communes

# One character per answer → the value the statistics functions take.
_CODE_VALUE = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "d": "dk", ".": None}
# The same, as int8 codes (-1 blank, 0 dk, 1..5), indexed by the character's byte.
_CODE_TABLE = np.full(256, -1, dtype=np.int8)
for _char, _code in {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "d": 0, ".": -1}.items():
    _CODE_TABLE[ord(_char)] = _code


def _round(value, digits: int = 4):
    if value is None or not math.isfinite(float(value)):
        return None
    return round(float(value), digits)


def _code_matrix(answer_strings: list[str], k: int) -> np.ndarray:
    """Respondents × statements int8 codes, decoded in one vectorised step."""
    if not answer_strings:
        return np.empty((0, k), dtype=np.int8)
    raw = np.frombuffer("".join(answer_strings).encode("ascii"), dtype=np.uint8).reshape(len(answer_strings), k)
    return _CODE_TABLE[raw]


def _columns(answer_strings: list[str], k: int) -> list[list]:
    """Statement-wise lists of answer values from the compact answer strings."""
    if not answer_strings:
        return [[] for _ in range(k)]
    matrix = np.frombuffer("".join(answer_strings).encode("ascii"), dtype="S1").reshape(len(answer_strings), k)
    lookup = {code.encode(): value for code, value in _CODE_VALUE.items()}
    return [[lookup[c] for c in matrix[:, j].tolist()] for j in range(k)]


def _estimate_columns(estimate_strings: list[str], k: int) -> list[list[float | None]]:
    columns: list[list[float | None]] = [[] for _ in range(k)]
    for text in estimate_strings:
        parts = text.split(",") if text else [""] * k
        for j in range(k):
            value = parts[j] if j < len(parts) else ""
            columns[j].append(int(value) / 100 if value != "" else None)
    return columns


def _residents_block(codes: np.ndarray, weights: np.ndarray, threshold: int,
                     design: np.ndarray | None = None) -> tuple[dict, object]:
    share = agreement_share_from_codes(codes, weights, design=design)
    suppressed = share.n < threshold
    block = {
        "n": share.n if not suppressed else None,
        "n_eff": _round(share.n_eff, 1) if not suppressed else None,
        "agree": None if suppressed else _round(share.agree),
        "dont_know": None if suppressed else _round(share.dont_know),
        "ci_low": None if suppressed else _round(share.ci_low),
        "ci_high": None if suppressed else _round(share.ci_high),
        "suppressed": suppressed,
        # How the interval's variance was estimated (older snapshots lack the key: Kish).
        "variance": None if suppressed else share.variance,
    }
    return block, (None if suppressed else share)


def _officials_block(estimates: list[float], opinions: list, total: int, minimum: int, share) -> tuple[dict, dict]:
    """The officials' figures and the gap. Below officials_distribution_publishable() only
    the mean (and the gap built on it) is published, so no estimate can be solved for."""
    m = len(estimates)
    empty = {"n": None, "mean_estimate": None, "median_estimate": None, "sd_estimate": None, "below": None,
             "inside": None, "above": None, "mean_absolute_error": None, "wrong_majority_rate": None,
             "projection": None, "suppressed": True, "mean_only": False}
    no_gap = {"value": None, "ci_low": None, "ci_high": None, "df": None, "excludes_zero": None}
    if m < minimum:
        return empty, no_gap
    arr = np.asarray(estimates, dtype=float)
    mean_only = not officials_distribution_publishable(m)
    block = dict(empty, n=m, mean_estimate=_round(arr.mean()), suppressed=False, mean_only=mean_only)
    if not mean_only:
        block.update(median_estimate=_round(np.median(arr)), sd_estimate=_round(arr.std(ddof=1)),
                     projection=_round(projection(opinions, estimates)))
    if share is None:
        return block, no_gap
    if m > total:
        # More answers than officials: the finite-population correction would be negative
        # (or, with the total raised to m, zero and the officials' variance gone). Publication
        # refuses this case (publication.py); a preview shows no gap rather than a wrong one.
        return block, dict(no_gap, reason="officials_total_below_answered")
    summary = officials_summary(estimates, total, share.ci_low, share.ci_high)
    difference = gap(summary.mean, summary.sd, m, total, share.agree, share.n_eff)
    if not mean_only:
        block.update(below=_round(summary.below), inside=_round(summary.inside), above=_round(summary.above),
                     mean_absolute_error=_round(mean_absolute_error(estimates, share.agree)),
                     wrong_majority_rate=_round(wrong_majority_rate(estimates, share.ci_low, share.ci_high)))
    return block, {"value": _round(difference.gap), "ci_low": _round(difference.ci_low),
                   "ci_high": _round(difference.ci_high), "df": _round(difference.df, 1),
                   "excludes_zero": bool(difference.ci_low > 0 or difference.ci_high < 0)}


def _commune_breakdown(codes: np.ndarray, weights: np.ndarray, groups: dict[int, np.ndarray],
                       communes: dict[int, object], threshold: int) -> list[dict]:
    """Per-commune agreement where enough residents answered; small cells suppressed,
    with secondary suppression so a hidden commune cannot be recomputed from the total.
    `groups` maps a commune id to the row indices of its respondents."""
    if len(communes) < 2:
        return []
    answered = codes != -1
    # Communes nobody answered from are left out of the table (so known to be zero):
    # they cannot help hide a small cell, only communes that are shown can.
    counts = {cid: int(answered[rows].sum()) for cid, rows in groups.items() if cid in communes}
    counts = {cid: count for cid, count in counts.items() if count > 0}
    shares = {cid: agreement_share_from_codes(codes[groups[cid]], weights[groups[cid]]) for cid in counts}
    # A commune where all or none agree tells each respondent's answer: hidden whatever its size.
    unanimous = {cid for cid, share in shares.items() if share.agree in (0.0, 1.0)}
    hidden = suppress_cells(counts, threshold, also_hide=unanimous) if counts else set()
    rows = []
    for cid, commune in sorted(communes.items(), key=lambda item: french_sort_key(item[1].name)):
        if cid not in counts:
            continue
        if cid in hidden:
            rows.append({"code": commune.code, "name": commune.name, "n": None, "agree": None, "ci_low": None,
                         "ci_high": None, "suppressed": True})
            continue
        share = shares[cid]
        rows.append({"code": commune.code, "name": commune.name, "n": share.n, "agree": _round(share.agree),
                     "ci_low": _round(share.ci_low), "ci_high": _round(share.ci_high), "suppressed": False})
    return rows


def _groups_by_commune(commune_ids: list[int | None]) -> dict[int, np.ndarray]:
    """Row indices of each commune's respondents, computed once for all statements.
    Answers of the pooled "other communes" (None) are under -1, a commune of no table."""
    ids = np.asarray([-1 if cid is None else cid for cid in commune_ids], dtype=np.int64)
    if ids.size == 0:
        return {}
    order = np.argsort(ids, kind="stable")
    boundaries = np.flatnonzero(np.diff(ids[order])) + 1
    return {int(ids[chunk[0]]): chunk for chunk in np.split(order, boundaries)}


def _suppressed_counts(counts: dict[str, int], threshold: int) -> dict[str, int | None]:
    hidden = suppress_cells(counts, threshold) if counts else set()
    return {key: (None if key in hidden else value) for key, value in counts.items()}


def gap_summary(statements: list[dict]) -> dict:
    """The headline: the mean absolute gap (signed gaps of opposite signs would cancel) and
    how many statements' gap intervals exclude zero."""
    published = [s["gap"] for s in statements if s["gap"]["value"] is not None]
    return {
        "statements_with_gap": len(published),
        "mean_absolute_gap": _round(sum(abs(g["value"]) for g in published) / len(published)) if published else None,
        "gaps_excluding_zero": sum(1 for g in published if g["ci_low"] > 0 or g["ci_high"] < 0),
    }


def compute_results(survey: PerceptionSurvey) -> dict:
    """Every published figure of the survey, as a JSON-ready dict (no personal data)."""
    statements = survey.statements
    k = len(statements)
    # A Core query on plain string columns: at 100,000 rows the ORM's per-row work
    # would cost more than all the statistics.
    rows = db.session.connection().execute(
        select(ResidentResponse.sex, ResidentResponse.age_band, ResidentResponse.commune_id,
               ResidentResponse.answers, ResidentResponse.estimates)
        .where(ResidentResponse.survey_id == survey.id)
    ).all()
    sexes = [r[0] for r in rows]
    bands = [r[1] for r in rows]
    commune_ids = [r[2] for r in rows]
    weighting: Weighting = compute_weights(survey.territory, sexes, bands, commune_ids,
                                           (survey.trim_low, survey.trim_high))
    weights = weighting.weights
    codes = _code_matrix([r[3] for r in rows], k)
    resident_estimates = estimate_matrix([r[4] for r in rows], k)
    groups = _groups_by_commune(commune_ids)

    # Officials may answer until publication, so some answers can still be pending when the
    # publication is previewed; publishing mixes them first (mixing.py). Both are read, so the
    # preview shows what will be published.
    official_rows = db.session.execute(union_all(*(
        select(table.estimates, table.opinions).where(table.survey_id == survey.id)
        for table in (OfficialResponse, OfficialPending)))
    ).all()
    official_estimates = _estimate_columns([r[0] for r in official_rows], k)
    official_opinions = _columns([r[1] if len(r[1]) == k else "." * k for r in official_rows], k)
    total_officials = count_officials(survey)
    communes = {c.id: c for c in territory_communes(survey.territory)}

    results = []
    for j, statement in enumerate(statements):
        residents, share = _residents_block(codes[:, j], weights, survey.min_residents, weighting.design)
        pairs = [(e, o) for e, o in zip(official_estimates[j], official_opinions[j]) if e is not None]
        estimates = [e for e, _o in pairs]
        opinions = [o for _e, o in pairs]  # blank and "ne sait pas" are dropped by projection()
        officials, gap_block = _officials_block(estimates, opinions, total_officials, survey.min_officials, share)
        results.append({
            "key": statement.key, "text": statement.text, "theme": statement.theme.value,
            "residents": residents, "officials": officials, "gap": gap_block,
            "communes": [] if share is None else _commune_breakdown(
                codes[:, j], weights, groups, communes, survey.min_residents),
            "residents_estimate": residents_estimate_block(
                resident_estimates[:, j], codes[:, j], weights, weighting.design, survey.min_residents),
        })

    channels = {channel.value: count for channel, count in db.session.execute(
        select(ResidentResponse.channel, func.count()).where(ResidentResponse.survey_id == survey.id)
        .group_by(ResidentResponse.channel)
    ).all()}
    n_eff = float(weights.sum() ** 2 / np.square(weights).sum()) if len(rows) else 0.0
    return {
        "survey": {
            "id": survey.id, "title": survey.title, "territory_code": survey.territory.code,
            "territory_name": survey.territory.name, "sampling_mode": survey.sampling_mode.value,
            "opens_at": survey.opens_at.isoformat(), "closes_at": survey.closes_at.isoformat(),
            # The last day answers were taken: earlier than closes_at when closed early.
            "collected_until": (survey_status(survey, local_today()).collected_until or survey.closes_at).isoformat(),
            "conducted_by": survey.conducted_by,
        },
        "sample": {
            "residents": len(rows) if len(rows) >= survey.min_residents else None,
            "officials_answered": len(official_rows) if len(official_rows) >= survey.min_officials else None,
            "officials_total": total_officials,
            "channels": _suppressed_counts(channels, survey.min_residents),
        },
        "weighting": {
            "applied": weighting.applied,
            "variables": weighting.variables,
            "reason": weighting.reason or None,
            "deff": _round(len(rows) / n_eff, 3) if weighting.applied and n_eff else None,
            "n_eff": _round(n_eff, 1) if len(rows) >= survey.min_residents else None,
            "trimming": [_round(survey.trim_low, 6), _round(survey.trim_high, 6)],  # None if not finite
            "trimmed": weighting.trimmed,
            "converged": weighting.converged,
            # How many communes were pooled, not which: with the commune breakdown, the list
            # would place each hidden commune at 0, 1-4 or 5-10 respondents.
            "pooled_commune_count": len(weighting.pooled_communes),
            **weighting.diagnostics(),
        },
        "summary": gap_summary(results),
        "thresholds": {"min_residents": survey.min_residents, "min_officials": survey.min_officials},
        "statements": results,
    }
