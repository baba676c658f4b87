"""What changed between two waves, statement by statement, from their published payloads.

Nothing is recomputed from answers: each wave's figures are those its snapshot publishes,
and the two samples (residents and officials) are independent, each weighted to its own
margins, so the variance of a change is the sum of the two. Residents' share: Newcombe's
hybrid score interval from the two Wilson intervals; gap: Welch, each gap's standard error
read back from its published t interval (stats/difference.py). A change is withheld
whenever either wave withholds the figure: no suppressed cell can be recovered by
subtracting a published change from a published figure.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from ..stats.difference import gap_difference, se_from_t_interval, share_difference

COMPARED, NEW, REMOVED = "compared", "new", "removed"


def _round(value, digits: int = 4):
    if value is None or not math.isfinite(float(value)):
        return None
    return round(float(value), digits)


def _statuses(current: list[dict], previous: list[dict]) -> list[tuple[str, dict | None, dict | None]]:
    """(status, current statement, previous statement) in the current wave's order, then the
    statements the current wave dropped, in the previous wave's order."""
    before = {s["key"]: s for s in previous}
    now = {s["key"] for s in current}
    rows = [(COMPARED if s["key"] in before else NEW, s, before.get(s["key"])) for s in current]
    return rows + [(REMOVED, None, s) for s in previous if s["key"] not in now]


def _residents_change(now: dict | None, before: dict | None) -> dict:
    block = {"previous": before["agree"] if before else None, "current": now["agree"] if now else None,
             "change": None, "ci_low": None, "ci_high": None, "excludes_zero": None, "suppressed": False}
    if now is None or before is None:
        return block
    if now["agree"] is None or before["agree"] is None:
        return dict(block, suppressed=True)
    d = share_difference(before["agree"], before["ci_low"], before["ci_high"],
                         now["agree"], now["ci_low"], now["ci_high"])
    return dict(block, change=_round(d.estimate), ci_low=_round(d.ci_low), ci_high=_round(d.ci_high),
                excludes_zero=d.excludes_zero())


def _gap_se(gap: dict) -> tuple[float, float]:
    """A published gap's standard error and degrees of freedom. Snapshots from before the
    t quantile carry no df key: their interval used the normal quantile (df infinite)."""
    df = gap.get("df")
    return se_from_t_interval(gap["ci_low"], gap["ci_high"], df), (math.inf if df is None else df)


def _gap_change(now: dict | None, before: dict | None) -> dict:
    block = {"previous": before["value"] if before else None, "current": now["value"] if now else None,
             "change": None, "ci_low": None, "ci_high": None, "excludes_zero": None, "suppressed": False,
             "closer": None}
    if now is None or before is None:
        return block
    if now["value"] is None or before["value"] is None:
        return dict(block, suppressed=True)
    se_before, df_before = _gap_se(before)
    se_now, df_now = _gap_se(now)
    d = gap_difference(before["value"], se_before, df_before, now["value"], se_now, df_now)
    distance_before, distance_now = abs(before["value"]), abs(now["value"])
    # |gap| smaller: the officials' mean estimate is nearer the residents' share than it was.
    closer = None if distance_now == distance_before else distance_now < distance_before
    return dict(block, change=_round(d.estimate), ci_low=_round(d.ci_low), ci_high=_round(d.ci_high),
                excludes_zero=d.excludes_zero(), closer=closer)


def compare_waves(current: dict, previous: dict) -> dict:
    """Per statement key, the change since the previous wave in the residents' share and in
    the gap, each with its 95 % interval; `current` and `previous` are published payloads."""
    statements = []
    for status, now, before in _statuses(current["statements"], previous["statements"]):
        shown = now or before
        statements.append({
            "key": shown["key"], "text": shown["text"], "status": status,
            "previous_text": before["text"] if before else None,
            "wording_changed": bool(now and before and now["text"] != before["text"]),
            "residents": _residents_change(now and now["residents"], before and before["residents"]),
            "gap": _gap_change(now and now["gap"], before and before["gap"]),
        })
    return {"statements": statements, "summary": change_summary(statements)}


def sign_changed(gap: dict) -> bool:
    """Whether the gap changed sign, as published (whole points, half up): then its change's
    interval excluding zero says the gap moved, not that it shrank or grew in absolute value."""
    def whole(value: float) -> int:
        return int(Decimal(str(value * 100)).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    return gap["previous"] is not None and gap["current"] is not None and whole(gap["previous"]) * whole(gap["current"]) < 0


def change_summary(statements: list[dict]) -> dict:
    """How many compared statements' gaps got smaller or larger in absolute value, and for
    how many of each that is clear: the change's interval excludes zero and the gap kept its
    sign (the page's headline counts the same, wave_presentation.changes_title)."""
    gaps = [s["gap"] for s in statements if s["gap"]["change"] is not None]

    def clear(g):
        return g["excludes_zero"] and not sign_changed(g)

    return {
        "statements_compared": sum(1 for s in statements if s["status"] == COMPARED),
        "gaps_compared": len(gaps),
        "closer": sum(1 for g in gaps if g["closer"] is True),
        "closer_excluding_zero": sum(1 for g in gaps if g["closer"] is True and clear(g)),
        "further": sum(1 for g in gaps if g["closer"] is False),
        "further_excluding_zero": sum(1 for g in gaps if g["closer"] is False and clear(g)),
        "residents_changes_excluding_zero": sum(1 for s in statements if s["residents"]["excludes_zero"]),
        "statements_new": sum(1 for s in statements if s["status"] == NEW),
        "statements_removed": sum(1 for s in statements if s["status"] == REMOVED),
    }
