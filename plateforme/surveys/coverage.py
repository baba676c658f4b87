"""How good the published intervals are: the latest figures of the coverage study.

`bench/coverage.py --json-out plateforme/surveys/data/coverage.json` measures, by
simulation on a population whose truth is known, how often the 95 % intervals that the
publication code computes cover the truth; this module reads that file for the
methodology section of the results pages. The figures describe the method, not one
survey: they are not part of any publication's frozen snapshot, and re-running the study
updates them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask_babel import format_decimal, format_number, format_percent, get_locale, gettext as _, ngettext

DATA_FILE = Path(__file__).resolve().parent / "data" / "coverage.json"
REPRODUCE = ("python bench/coverage.py --surveys 1000 --variant main,interactions --processes 2 "
             "--json-out plateforme/surveys/data/coverage.json")
# The comparisons' coverage, lowest and highest over the measured cells (n = 150 and 1,000,
# 8/12 and 30/60 officials), from bench/coverage_difference.py: bench/README.md, "Differences
# between two territories" (400 pairs) and "Changes between two waves" (500 pairs). Not in
# coverage.json, which one command writes; update both together when they are measured again.
COMPARISONS = {
    "territories": (0.940, 0.954),           # share and gap differences
    "waves": (0.939, 0.955),                 # share change; gap change with officials redrawn
    "waves_same_officials": (0.961, 0.978),  # gap change, the same officials both waves: conservative
}


@dataclass(frozen=True)
class CoverageRow:
    label: str        # sample size, and officials m/M for the gap
    published: str    # share of figures published
    coverage: str     # e.g. "94,8 % ± 0,7"
    in_goal: bool | None
    bias: str         # weighted estimate, in points
    rmse: str


@lru_cache(maxsize=1)
def _load(path: Path = DATA_FILE) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # no study run yet: the section says nothing rather than fail the page


def _percent_pattern(decimals: int) -> str:
    """The reader's locale's percent pattern ("#,##0 %" in French, "#,##0%" in English)
    with `decimals` digits after the separator."""
    pattern = get_locale().percent_formats[None].pattern
    return pattern.replace("#,##0", "#,##0." + "0" * decimals) if decimals else pattern


def _pct1(value) -> str:
    return "—" if value is None else format_percent(value, _percent_pattern(1))


def _points1(value) -> str:
    if value is None:
        return "—"
    tenths = round(value * 1000) / 10
    sign = "+" if tenths > 0 else ("−" if tenths < 0 else "")
    return sign + format_decimal(abs(tenths), "#,##0.0")


def _row(label: str, figure: dict, goal: tuple[float, float]) -> CoverageRow:
    coverage = figure.get("coverage_not_approximate")
    se = figure.get("mc_se_not_approximate")
    text = "—" if coverage is None else _("%(coverage)s ± %(se)s", coverage=_pct1(coverage),
                                          se=_points1(se).lstrip("+"))
    figures = figure.get("figures") or 0
    return CoverageRow(
        label=label, published=_pct1(figure["published"] / figures if figures else None), coverage=text,
        in_goal=None if coverage is None else goal[0] <= coverage <= goal[1],
        bias=_points1(figure.get("bias")).lstrip("+"), rmse=_points1(figure.get("rmse")).lstrip("+"),
    )


def _respondents(n: int) -> str:
    return ngettext("%(count)s répondant", "%(count)s répondants", n, count=format_number(n))


def coverage_study() -> dict | None:
    """The latest study, ready for the template; None when no study was recorded."""
    data = _load()
    if not data or not data.get("runs"):
        return None
    goal = tuple(data.get("goal", (0.93, 0.97)))
    variants = {"main": _("opinions selon le sexe, l'âge et la commune, sans interaction"),
                "interactions": _("avec une interaction sexe × âge dans les opinions")}
    runs = []
    for run in data["runs"]:
        residents = [_row(_respondents(r["n"]), r, goal) for r in run["residents"]]
        gap = [_row(_("%(n)s répondants, %(m)s élus sur %(total)s", n=format_number(g["n"]), m=g["officials"].split("/")[0],
                      total=g["officials"].split("/")[1]), g, goal) for g in run["gap"]]
        # Residents' own estimates (issue 24.4): absent from studies run before they were published.
        estimate, estimate_gap = ([_row(_respondents(r["n"]), r, goal) for r in run.get(key) or ()]
                                  for key in ("residents_estimate", "residents_estimate_gap"))
        runs.append({"variant": variants.get(run["variant"], run["variant"]), "residents": residents, "gap": gap,
                     "estimate": estimate, "estimate_gap": estimate_gap})
    return {"surveys": data["surveys"], "population": data["population"], "measured_at": data["measured_at"],
            "commit": (data.get("commit") or "")[:10], "goal_low": format_percent(goal[0], _percent_pattern(0)),
            "goal_high": format_percent(goal[1], _percent_pattern(0)),
            "runs": runs, "command": data.get("command") or REPRODUCE,
            "estimates": any(run["estimate"] or run["estimate_gap"] for run in runs),
            "comparisons": {name: (_pct1(low), _pct1(high)) for name, (low, high) in COMPARISONS.items()}}
